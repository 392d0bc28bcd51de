/**
 * Runs the crash workload and checks it against ground truth read back from Redis.
 *
 * Workload: `convoys` ledger convoys, one concurrent producer each sending `Add {n}` for n = 1..events
 * with Idempotency-Key `<id>-<n>` (retried with the same key on any error, ~10% re-sent on purpose),
 * processed by two worker processes while `fault` injects failures. Checker: every convoy's context
 * lists each n exactly once in the order of the seqs its 202s returned; history holds every accepted seq
 * once, all `applied`; nothing is left unprocessed; every committed `audit` effect (n % 5 === 0) ran at
 * least once. It prints one line per test (`checkerLine`): `accepted=… lost=0 duplicated=0 out_of_order=0
 * stale_commits=… stuck=0 faults=…` and then the extra counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ConvoyKey } from '@convoy/core';
import type { ConvoyStore, TurnScheduler } from '@convoy/core/store';
import { createConvoyEngine, silentLogger } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { crashLedger } from './fixtures/ledger.ts';
import type { TestRedisServer } from './redis-server.ts';

const workerScript = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One worker process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Its engine's worker id (the `owner` of the leases it holds). */
  readonly id: string;
  output: string;
}

/** What a fault injector can do while the workload runs. */
export interface FaultContext {
  readonly server: TestRedisServer;
  /** The run's store (its key prefix), e.g. to read a convoy's fencing epoch. */
  readonly store: RedisConvoyStore;
  readonly workers: WorkerProcess[];
  /** Kill -9 worker `index` and start a fresh one in its place. */
  respawn(index: number): Promise<void>;
  /** True while producers are still sending. */
  producing(): boolean;
  /** Everything every worker process printed so far. */
  outputs(): string;
}

/** The checker's counts (all "bad" counts must be 0 for a correct store). */
export interface CheckResult {
  readonly convoys: number;
  readonly events: number;
  /** Events the producers sent (and got a 202 for), each once: what `accepted` must equal. */
  readonly sent: number;
  readonly accepted: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  readonly stuck: number;
  readonly resentMismatch: number;
  /** Committed effects that never ran. */
  readonly effectsMissing: number;
  /** Extra runs of effects (allowed: effects are at-least-once). */
  readonly effectReruns: number;
  /** The crash points workers died at (`CRASH <point>` lines). */
  readonly crashPoints: readonly string[];
  /** Commits of lost claims the store refused (`STALE` lines of the workers). */
  readonly staleRefused: number;
  /** Everything every worker process printed. */
  readonly outputs: string;
  readonly faults: number;
  /**
   * Per kill of a worker holding convoys with waiting events: ms from the kill until every one of those
   * convoys processed past where it stood (its events resumed on another worker).
   */
  readonly recoveriesMs: readonly number[];
  readonly line: string;
}

/** Options of one workload run. */
export interface WorkloadOptions {
  readonly server: TestRedisServer;
  readonly convoys: number;
  readonly events: number;
  /** Busy time of each step, to widen the claim → commit window. */
  readonly spinMs?: number;
  /**
   * Each producer sleeps a random time up to this many ms between its events.
   * @defaultValue 40
   */
  readonly producerPauseMs?: number;
  /** Extra worker arguments, e.g. `--unfenced` (negative control) or `--crash=0.05`. */
  readonly workerArgs?: readonly string[];
  /** Arguments of the first worker process only (appended to `workerArgs`), e.g. `--freeze=3`. */
  readonly firstWorkerArgs?: readonly string[];
  /**
   * The producer accepts but never adds the BullMQ wake-up, as if it crashed between the accept script
   * and the add: only the workers' sweepers can deliver the events. Counted as faults (`droppedWakeUps`).
   */
  readonly dropWakeUps?: boolean;
  /**
   * When set, once the faults stop every worker is replaced by one with these arguments (e.g. without
   * `--crash`, so self-killing workers do not leave nobody to finish the work).
   */
  readonly settleWorkerArgs?: readonly string[];
  /**
   * Producers go on past `events` (n = events + 1, …, about 2 per second per convoy) until `fault`
   * returned, so a fault that needs work to happen (a worker freezing on its next claim) always finds
   * some, however slow the box.
   */
  readonly produceUntilFaultsDone?: boolean;
  /** Injects faults until producers are done (and at least its own minimum); returns how many. */
  readonly fault?: (context: FaultContext) => Promise<number>;
  /** How long to wait for the workers to drain everything after the faults stop. */
  readonly settleMs?: number;
  /** When set, each kill's recovery time is printed as it is known, each line starting with this label. */
  readonly recoveryLabel?: string;
}

function spawnWorker(
  url: string,
  prefix: string,
  queueName: string,
  id: string,
  extra: readonly string[],
): WorkerProcess {
  const args = ['--import', 'tsx', workerScript, url, prefix, queueName, id, ...extra];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const worker: WorkerProcess = { child, id, output: '' };
  const keep = (chunk: Buffer) => (worker.output += chunk.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return worker;
}

/** SIGKILLs a worker and waits for its exit. */
export async function kill9(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGCONT'); // a frozen process must be able to die
  worker.child.kill('SIGKILL');
  await exited;
}

/** The ground-truth counts of a set of ledger convoys, read back from the store. */
export interface ConvoyCounts {
  readonly accepted: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
}

/** The one line a fault test prints: the counts the issue names first, then the extra ones. */
export function checkerLine(
  counts: ConvoyCounts & { readonly staleCommits: number; readonly stuck: number; readonly faults: number },
  extra: Readonly<Record<string, number>> = {},
): string {
  const head =
    `accepted=${counts.accepted} lost=${counts.lost} duplicated=${counts.duplicated} ` +
    `out_of_order=${counts.outOfOrder} stale_commits=${counts.staleCommits} stuck=${counts.stuck} ` +
    `faults=${counts.faults}`;
  return [head, ...Object.entries(extra).map(([name, value]) => `${name}=${value}`)].join(' ');
}

/**
 * Checks ledger convoys against the 202s their producers got (`seqOf`: `<id>/<n>` -> seq): each n applied
 * exactly once, in seq order (context and history), every history entry `applied`, nothing accepted twice.
 * `eventsOf` is how many events each convoy was sent (n = 1..that), the same for all when a number.
 */
export async function checkConvoys(
  store: ConvoyStore,
  keys: readonly ConvoyKey[],
  eventsOf: number | ((key: ConvoyKey) => number),
  seqOf: ReadonlyMap<string, number>,
): Promise<ConvoyCounts> {
  let accepted = 0;
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const key of keys) {
    const events = typeof eventsOf === 'number' ? eventsOf : eventsOf(key);
    const stored = await store.get(key);
    const history = await store.history(key);
    const items = (stored?.record?.context as { items?: number[] } | undefined)?.items ?? [];
    const expected = Array.from({ length: events }, (_, i) => i + 1).sort(
      (a, b) => seqOf.get(`${key.id}/${a}`)! - seqOf.get(`${key.id}/${b}`)!,
    );
    const seqs = history.map((entry) => entry.seq);
    accepted += stored?.accepted ?? 0;
    lost += expected.filter((n) => !items.includes(n)).length;
    // An accepted event whose outcome is missing from the history is lost too (every outcome is visible).
    lost += expected.filter((n) => !seqs.includes(seqOf.get(`${key.id}/${n}`)!)).length;
    // Applied twice (in the context or the history), or accepted twice despite the same key.
    duplicated += items.length - new Set(items).size;
    duplicated += seqs.length - new Set(seqs).size;
    duplicated += Math.max(0, (stored?.accepted ?? 0) - events);
    const uniqueItems = [...new Set(items)];
    if (JSON.stringify(uniqueItems) !== JSON.stringify(expected.filter((n) => uniqueItems.includes(n)))) {
      outOfOrder += 1;
    }
    if (seqs.some((seq, i) => i > 0 && seq <= seqs[i - 1]!)) outOfOrder += 1;
    lost += history.filter((entry) => entry.outcome !== 'applied').length;
  }
  return { accepted, lost, duplicated, outOfOrder };
}

/** Runs the workload under `fault` and checks the outcome. */
export async function runWorkload(options: WorkloadOptions): Promise<CheckResult> {
  const { server, convoys, events } = options;
  const run = randomUUID().slice(0, 8);
  const prefix = `crash-${run}`;
  const queueName = `crash-${run}`;
  const store = new RedisConvoyStore({ connection: server.url, prefix, buckets: 8 });
  const bullmq = new BullmqTurnScheduler({ connection: server.url, queueName });
  let droppedWakeUps = 0;
  const scheduler: TurnScheduler = options.dropWakeUps
    ? {
        schedule: async () => void (droppedWakeUps += 1),
        start: async () => undefined,
        close: () => bullmq.close(),
      }
    : bullmq;
  // The producer is an API-only node: it accepts and schedules; the worker processes take the turns.
  const producer = createConvoyEngine({
    definitions: [crashLedger],
    store,
    scheduler,
    processing: false,
    logger: silentLogger,
  });
  const everyWorker: WorkerProcess[] = [];
  let workerArgs = options.workerArgs ?? [];
  const start = (id: string, first = false) => {
    const args = first ? [...workerArgs, ...(options.firstWorkerArgs ?? [])] : workerArgs;
    const worker = spawnWorker(server.url, prefix, queueName, id, args);
    everyWorker.push(worker);
    return worker;
  };
  const workers = [start('w0', true), start('w1')];
  let spawned = 2;
  const keys: ConvoyKey[] = Array.from({ length: convoys }, (_, i) => ({
    type: crashLedger.type,
    id: `c${i}`,
  }));
  const seqOf = new Map<string, number>();
  let resent = 0;
  let resentMismatch = 0;
  let producing = true;
  let faultsDone = false;
  /** Events sent to each convoy (n = 1..that). */
  const sentOf = new Map<string, number>();

  const send = async (key: ConvoyKey, n: number) => {
    for (;;) {
      try {
        // The trickle past `events` does not spin: it is there to be claimed, not to load the box.
        const spin = options.spinMs && n <= events ? { spinMs: options.spinMs } : {};
        const event = { type: 'Add', n, ...spin };
        return await producer.accept({ ...key, event, idempotencyKey: `${key.id}-${n}` });
      } catch {
        await sleep(50); // outcome unknown (e.g. Redis down): retry with the same key
      }
    }
  };

  const produce = Promise.all(
    keys.map(async (key) => {
      for (let n = 1; n <= events || (options.produceUntilFaultsDone && !faultsDone); n += 1) {
        const receipt = await send(key, n);
        seqOf.set(`${key.id}/${n}`, receipt.seq);
        sentOf.set(key.id, n);
        if (Math.random() < 0.1) {
          resent += 1;
          const again = await send(key, n);
          if (again.seq !== receipt.seq || !again.duplicate) resentMismatch += 1;
        }
        // Past `events` (produceUntilFaultsDone) a trickle, about 2 events/s per convoy: enough work for the
        // fault to find, not a backlog that buries the takeovers it waits for.
        await sleep(
          n <= events ? Math.random() * (options.producerPauseMs ?? 40) : 400 + Math.random() * 200,
        );
      }
    }),
  ).finally(() => (producing = false));

  const recoveries: Array<Promise<number | undefined>> = [];
  const fault = options.fault ?? (async () => 0);
  const faults = fault({
    server,
    store,
    workers,
    producing: () => producing,
    outputs: () => everyWorker.map((worker) => worker.output).join(''),
    async respawn(index) {
      const victim = workers[index]!;
      const held = await heldWithWork(store, keys, victim.id);
      await kill9(victim);
      const killedAt = Date.now();
      const label = options.recoveryLabel;
      if (held.length > 0) {
        const kill = recoveries.length + 1;
        recoveries.push(
          timeToResume(store, held, killedAt).then((ms) => {
            if (label)
              console.log(
                `${label}: kill ${kill} held ${held.length} convoys with work, recovered in ${ms ?? '>60000'} ms`,
              );
            return ms;
          }),
        );
      }
      spawned += 1;
      workers[index] = start(`w${index}-${spawned}`);
    },
  });
  void faults.finally(() => (faultsDone = true)).catch(() => undefined);
  await produce;
  const faultCount =
    (await faults.catch(async (error: unknown) => {
      // A fault injector that gave up must not leave worker processes (or frozen ones) behind.
      await Promise.all(workers.map(kill9));
      await producer.close();
      await store.close();
      throw error;
    })) + droppedWakeUps;
  if (options.settleWorkerArgs) {
    workerArgs = options.settleWorkerArgs;
    for (const index of workers.keys()) {
      await kill9(workers[index]!);
      spawned += 1;
      workers[index] = start(`w${index}-settle-${spawned}`);
    }
  }

  // Every `audit` effect decided: the event n % 5 === 0 of each convoy, effect index 0, of the convoy's
  // incarnation (`meta.inc`).
  const incarnations = await Promise.all(
    keys.map((key) => store.client.hget(store.keys.convoy(key).meta, 'inc')),
  );
  const eventsOf = (key: ConvoyKey) => sentOf.get(key.id) ?? 0;
  const expectedEffects = keys.flatMap((key, i) =>
    Array.from({ length: eventsOf(key) }, (_, j) => j + 1)
      .filter((n) => n % 5 === 0)
      .map((n) => `${key.type}|${key.id}|${seqOf.get(`${key.id}/${n}`)}|0|${incarnations[i] ?? ''}`),
  );
  const effectsKey = `${prefix}:test:effects`;
  const missingEffects = async () => {
    const ran = await store.client.smismember(effectsKey, ...expectedEffects);
    return ran.filter((flag) => flag === 0).length;
  };

  const deadline = Date.now() + (options.settleMs ?? 45_000);
  let stuck = keys.length;
  let effectsMissing = expectedEffects.length;
  while (Date.now() < deadline) {
    try {
      const states = await Promise.all(keys.map((key) => store.get(key)));
      stuck = states.filter((s) => !s || (s.record?.processedSeq ?? 0) < s.accepted).length;
      effectsMissing = await missingEffects();
      if (stuck === 0 && effectsMissing === 0) break;
    } catch {
      // Redis may still be restarting after a fault.
    }
    await sleep(200);
  }

  const { accepted, lost, duplicated, outOfOrder } = await checkConvoys(store, keys, eventsOf, seqOf);
  const recoveriesMs = (await Promise.all(recoveries)).filter((ms): ms is number => ms !== undefined);

  const runs = Object.values(await store.client.hgetall(`${prefix}:test:effect-runs`)).map(Number);
  const effectReruns = runs.reduce((sum, count) => sum + count - 1, 0);

  await Promise.all(workers.map(kill9));
  await producer.close();
  await store.close();

  const staleRefused = everyWorker.reduce(
    (sum, worker) => sum + (worker.output.match(/^STALE /gm)?.length ?? 0),
    0,
  );
  const outputs = everyWorker.map((worker) => worker.output).join('');
  const line = checkerLine(
    { accepted, lost, duplicated, outOfOrder, staleCommits: staleRefused, stuck, faults: faultCount },
    {
      effects_missing: effectsMissing,
      effect_reruns: effectReruns,
      resent,
      resent_mismatch: resentMismatch,
      ...(options.dropWakeUps ? { dropped_wake_ups: droppedWakeUps } : {}),
      ...(recoveriesMs.length > 0
        ? {
            recovery_p50_ms: percentile(recoveriesMs, 0.5),
            recovery_max_ms: Math.max(...recoveriesMs),
            recoveries: recoveriesMs.length,
          }
        : {}),
    },
  );
  return {
    convoys,
    events,
    sent: keys.reduce((sum, key) => sum + eventsOf(key), 0),
    accepted,
    lost,
    duplicated,
    outOfOrder,
    stuck,
    resentMismatch,
    effectsMissing,
    effectReruns,
    crashPoints: [...outputs.matchAll(/^CRASH (\S+)$/gm)].map((match) => match[1]!),
    staleRefused,
    outputs,
    faults: faultCount,
    recoveriesMs,
    line,
  };
}

/** The convoys a worker holds a lease on (`meta.owner`) while events wait, with where each stood. */
async function heldWithWork(
  store: RedisConvoyStore,
  keys: readonly ConvoyKey[],
  owner: string,
): Promise<Array<{ key: ConvoyKey; processed: number }>> {
  const metas = await Promise.all(
    keys.map((key) => store.client.hmget(store.keys.convoy(key).meta, 'owner', 'seq', 'processed')),
  );
  return keys.flatMap((key, i) => {
    const [holder, seq, processed] = metas[i]!;
    return holder === owner && Number(seq ?? 0) > Number(processed ?? 0)
      ? [{ key, processed: Number(processed ?? 0) }]
      : [];
  });
}

/** Ms from `killedAt` until every convoy of `held` processed past where it stood; undefined after 60 s. */
async function timeToResume(
  store: RedisConvoyStore,
  held: ReadonlyArray<{ key: ConvoyKey; processed: number }>,
  killedAt: number,
): Promise<number | undefined> {
  let waiting = [...held];
  while (waiting.length > 0) {
    if (Date.now() - killedAt > 60_000) return undefined;
    await sleep(25);
    const now = await Promise.all(
      waiting.map(async ({ key }) =>
        Number((await store.client.hget(store.keys.convoy(key).meta, 'processed')) ?? 0),
      ),
    ).catch(() => undefined);
    if (now) waiting = waiting.filter((entry, i) => now[i]! <= entry.processed);
  }
  return Date.now() - killedAt;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
