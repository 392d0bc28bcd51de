/**
 * `TurnScheduler` on BullMQ: one "turn" job per convoy, deduplicated with `keepLastIfActive` so each
 * convoy has at most one running and one waiting turn. BullMQ is only the wake-up: exclusivity and order
 * come from the store's fenced claim, so a stalled job that runs twice cannot commit twice, and a lost
 * wake-up is repaired by the sweeper (the store's dirty index).
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
   * How long a job lock lasts before BullMQ considers the job stalled and hands it to another worker.
   * @defaultValue 30_000
   */
  readonly lockDurationMs?: number;
  /**
   * How often this worker looks for stalled jobs (of crashed workers) and hands them out again. Until then a
   * crashed worker's turn holds its convoy's deduplication slot (the sweeper's wake-ups wait behind it).
   * @defaultValue 30_000
   */
  readonly stalledIntervalMs?: number;
  /**
   * The sweep: run by whichever worker takes a "sweep" job, which `scheduleSweeps` adds periodically with a
   * BullMQ job scheduler (so one sweep runs at a time across all processes).
   */
  readonly sweep?: () => Promise<void>;
}

/** Job payload of a turn. */
export interface TurnJobData {
  readonly type: string;
  readonly id: string;
}

const turnJob = 'turn';
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

  constructor(options: BullmqTurnSchedulerOptions) {
    this.options = options;
    this.queueName = options.queueName ?? 'convoy-turns';
    this.prefix = options.prefix ?? '{convoy}';
    // The producer connection fails fast: a lost wake-up is repaired by the sweeper, a hung accept is not.
    this.queue = new Queue<TurnJobData, void, string>(this.queueName, {
      connection: connectionOptions(options.connection, { maxRetriesPerRequest: 1 }),
      prefix: this.prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000, attempts: 1 },
    });
  }

  async schedule(key: ConvoyKey, options: { readonly delayMs?: number } = {}): Promise<void> {
    const delay = Math.max(0, Math.round(options.delayMs ?? 0));
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

  async start(handler: (key: ConvoyKey) => Promise<void>): Promise<void> {
    if (this.worker) throw new Error('BullmqTurnScheduler already started');
    const sweep = this.options.sweep;
    this.worker = new Worker<TurnJobData, void, string>(
      this.queueName,
      async (job: Job<TurnJobData, void, string>) => {
        if (job.name === turnJob) await handler({ type: job.data.type, id: job.data.id });
        else if (job.name === sweepJob && sweep) await sweep();
      },
      {
        // Blocking connections must retry forever, or BullMQ's worker loop dies on a Redis blip.
        connection: connectionOptions(this.options.connection, { maxRetriesPerRequest: null }),
        prefix: this.prefix,
        concurrency: this.options.concurrency ?? 16,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        autorun: true,
      },
    );
    // Job failures are the engine's to report; an 'error' listener keeps them from crashing the process.
    this.worker.on('error', () => undefined);
    await this.worker.waitUntilReady();
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
