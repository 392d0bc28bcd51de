/**
 * `TurnScheduler` on BullMQ: one "turn" job per convoy, deduplicated with `keepLastIfActive` so each
 * convoy has at most one running and one waiting turn. BullMQ is only the wake-up: exclusivity and order
 * come from the store's fenced claim, so a stalled job that runs twice cannot commit twice, and a lost
 * wake-up is repaired by the sweeper (the store's dirty index).
 *
 * Wake-ups asked for in the same event-loop turn are coalesced: one asks for a "turn" job as above,
 * several become one "wake" job that carries all their convoys (see {@link BullmqTurnSchedulerOptions.wakeBatch}).
 * A busy HTTP node resolves many accepts per turn of its event loop, so under load BullMQ's per-job cost
 * (add, fetch, lock, completion: about seven Redis calls) is paid once per batch instead of once per event,
 * while a lone event still gets its own deduplicated job with no added delay.
 */
import { Queue, Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import type { ConvoyKey } from '@convoy/core';
import type { TurnScheduler } from '@convoy/core/store';

/** Options of the BullMQ scheduler. */
export interface BullmqTurnSchedulerOptions {
  /** A Redis URL, or BullMQ connection options / an ioredis client (standalone or Cluster). */
  readonly connection: string | ConnectionOptions;
  /**
   * Queue name.
   * @defaultValue `'convoy-turns'`
   */
  readonly queueName?: string;
  /**
   * BullMQ key prefix. A `{…}` hash tag keeps every key of the queue in one Cluster slot.
   * @defaultValue `'{convoy}'`
   */
  readonly prefix?: string;
  /**
   * Turns processed in parallel by this process (different convoys; one convoy is never run twice at once
   * thanks to deduplication and, should a stalled job run twice anyway, the claim).
   * @defaultValue 16
   */
  readonly concurrency?: number;
  /**
   * How long a job lock lasts before BullMQ considers the job stalled and hands it to another worker
   * (BullMQ renews it every half of this while the turn runs). Matched to the engine's default lease, so
   * a killed worker's turn is handed out again about when its convoy's lease runs out.
   * @defaultValue 3_000
   */
  readonly lockDurationMs?: number;
  /**
   * How often this worker looks for stalled jobs (of crashed workers) and hands them out again. Until then a
   * crashed worker's turn holds its convoy's deduplication slot (the sweeper's wake-ups wait behind it).
   * With the defaults a killed worker's turns run again within lock + interval, about 4.5 s.
   * @defaultValue 1_500
   */
  readonly stalledIntervalMs?: number;
  /**
   * The sweep: run by whichever worker takes a "sweep" job, which `scheduleSweeps` adds periodically with a
   * BullMQ job scheduler (so one sweep runs at a time across all processes).
   */
  readonly sweep?: () => Promise<void>;
  /**
   * Most convoys one "wake" job carries. Immediate wake-ups asked for in the same event-loop turn are
   * gathered and added together: one convoy as its own deduplicated "turn" job, several as one "wake"
   * job (no deduplication across jobs; the store's claim keeps a convoy's turns exclusive, and this process
   * never runs two turns of one convoy at once). 1 turns coalescing off.
   * @defaultValue 64
   */
  readonly wakeBatch?: number;
}

/** Job payload of a turn ("turn" and "sweep" jobs). */
export interface TurnJobData {
  readonly type: string;
  readonly id: string;
  /** A "wake" job's convoys, as `[type, id]` pairs. */
  readonly keys?: ReadonlyArray<readonly [string, string]>;
}

/** Immediate wake-ups gathered in this event-loop turn, and the callers waiting for their job. */
interface PendingWakes {
  readonly keys: Map<string, ConvoyKey>;
  readonly waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

const turnJob = 'turn';
const wakeJob = 'wake';
const sweepJob = 'sweep';
const sweeperId = 'convoy-sweeper';

/**
 * The deduplication id of a convoy's turn: base64url of the key, so it never holds `:` (BullMQ job-id
 * rule) and cannot be all digits.
 */
export function turnDedupId(key: ConvoyKey): string {
  return `turn-${Buffer.from(JSON.stringify([key.type, key.id]), 'utf8').toString('base64url')}`;
}

/**
 * Schedules and delivers convoy turns through a BullMQ queue.
 *
 * @example
 * ```ts
 * const scheduler = new BullmqTurnScheduler({ connection: 'redis://127.0.0.1:6380', concurrency: 32 });
 * await scheduler.start(async (key) => engine.runTurn(key));
 * await scheduler.schedule({ type: 'order', id: 'o-1' });
 * ```
 */
export class BullmqTurnScheduler implements TurnScheduler {
  /** The queue (for dashboards such as Bull Board and for tests). */
  readonly queue: Queue<TurnJobData, void, string>;
  private worker: Worker<TurnJobData, void, string> | undefined;
  private readonly options: BullmqTurnSchedulerOptions;
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly wakeBatch: number;
  private pending: PendingWakes | undefined;
  /** Turns running in this process by convoy, and whether another one was asked for meanwhile. */
  private readonly running = new Map<string, { again: Promise<void> | undefined; done: Promise<void> }>();
  private handler: ((key: ConvoyKey) => Promise<void>) | undefined;

  constructor(options: BullmqTurnSchedulerOptions) {
    this.options = options;
    this.queueName = options.queueName ?? 'convoy-turns';
    this.prefix = options.prefix ?? '{convoy}';
    this.wakeBatch = Math.max(1, Math.floor(options.wakeBatch ?? 64));
    // The producer connection fails fast: a lost wake-up is repaired by the sweeper, a hung accept is not.
    this.queue = new Queue<TurnJobData, void, string>(this.queueName, {
      connection: connectionOptions(options.connection, { maxRetriesPerRequest: 1 }),
      prefix: this.prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000, attempts: 1 },
    });
  }

  async schedule(key: ConvoyKey, options: { readonly delayMs?: number } = {}): Promise<void> {
    const delay = Math.max(0, Math.round(options.delayMs ?? 0));
    if (delay > 0 || this.wakeBatch === 1) return this.addTurnJob(key, delay);
    return new Promise<void>((resolve, reject) => {
      if (!this.pending) {
        this.pending = { keys: new Map(), waiters: [] };
        // After every accept that resolves in this turn of the event loop has asked for its wake-up.
        setImmediate(() => void this.flushWakes());
      }
      this.pending.keys.set(turnDedupId(key), key);
      this.pending.waiters.push({ resolve, reject });
      if (this.pending.keys.size >= this.wakeBatch) void this.flushWakes();
    });
  }

  /** Add the gathered wake-ups: one convoy as its "turn" job, several as "wake" jobs. */
  private async flushWakes(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const keys = [...pending.keys.values()];
    try {
      if (keys.length === 1) await this.addTurnJob(keys[0]!, 0);
      else
        await this.queue.add(wakeJob, {
          type: '',
          id: '',
          keys: keys.map((key) => [key.type, key.id] as const),
        });
      for (const waiter of pending.waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of pending.waiters) waiter.reject(error);
    }
  }

  private async addTurnJob(key: ConvoyKey, delay: number): Promise<void> {
    await this.queue.add(
      turnJob,
      { type: key.type, id: key.id },
      {
        // An immediate wake-up pulls a delayed one forward; a delayed one never postpones a pending turn.
        deduplication: { id: turnDedupId(key), keepLastIfActive: true, reschedule: delay === 0 },
        ...(delay > 0 ? { delay } : {}),
      },
    );
  }

  /**
   * Run a convoy's turn unless one runs here already; then run exactly one more after it (however many
   * ask meanwhile), as the deduplicated "turn" job does across processes.
   */
  private runTurn(key: ConvoyKey): Promise<void> {
    const handler = this.handler;
    if (!handler) return Promise.resolve();
    const id = turnDedupId(key);
    const current = this.running.get(id);
    if (current) {
      current.again ??= current.done.then(() => this.runTurn(key));
      return current.again;
    }
    const entry: { again: Promise<void> | undefined; done: Promise<void> } = {
      again: undefined,
      done: Promise.resolve(),
    };
    const turn = handler(key);
    entry.done = turn.then(
      () => void this.running.delete(id),
      () => void this.running.delete(id),
    );
    this.running.set(id, entry);
    return turn;
  }

  async start(handler: (key: ConvoyKey) => Promise<void>): Promise<void> {
    if (this.worker) throw new Error('BullmqTurnScheduler already started');
    this.handler = handler;
    const sweep = this.options.sweep;
    this.worker = new Worker<TurnJobData, void, string>(
      this.queueName,
      async (job: Job<TurnJobData, void, string>) => {
        if (job.name === turnJob) await this.runTurn({ type: job.data.type, id: job.data.id });
        else if (job.name === wakeJob) await this.runWakes(job.data.keys ?? []);
        else if (job.name === sweepJob && sweep) await sweep();
      },
      {
        // Blocking connections must retry forever, or BullMQ's worker loop dies on a Redis blip.
        connection: connectionOptions(this.options.connection, { maxRetriesPerRequest: null }),
        prefix: this.prefix,
        concurrency: this.options.concurrency ?? 16,
        lockDuration: this.options.lockDurationMs ?? 3_000,
        stalledInterval: this.options.stalledIntervalMs ?? 1_500,
        autorun: true,
      },
    );
    // Job failures are the engine's to report; an 'error' listener keeps them from crashing the process.
    this.worker.on('error', () => undefined);
    await this.worker.waitUntilReady();
  }

  /**
   * A "wake" job's convoys, all at once (different convoys; the job lasts as long as its slowest turn).
   * A turn that fails is the engine's to report, as for a "turn" job; the others still run.
   */
  private async runWakes(keys: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const results = await Promise.allSettled(keys.map(([type, id]) => this.runTurn({ type, id })));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Adds (or updates) the BullMQ job scheduler that enqueues a "sweep" job every `everyMs`. Idempotent:
   * every process may call it.
   */
  async scheduleSweeps(everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(
      sweeperId,
      { every: everyMs },
      { name: sweepJob, data: { type: '', id: '' } },
    );
  }

  /** Removes the sweep job scheduler. */
  async removeSweeps(): Promise<void> {
    await this.queue.removeJobScheduler(sweeperId);
  }

  async close(): Promise<void> {
    await this.flushWakes();
    // Worker first: it finishes (or hands back) its running turns before the queue connection goes.
    await this.worker?.close();
    this.worker = undefined;
    await this.queue.close();
  }
}

function connectionOptions(
  connection: string | ConnectionOptions,
  overrides: { readonly maxRetriesPerRequest: number | null },
): ConnectionOptions {
  if (typeof connection === 'string') return { url: connection, ...overrides };
  // A client instance is used as given (BullMQ duplicates it for blocking calls); plain options get ours.
  return isClient(connection) ? connection : { ...connection, ...overrides };
}

function isClient(connection: ConnectionOptions): boolean {
  return typeof (connection as { duplicate?: unknown }).duplicate === 'function';
}
