/**
 * The deployment people run, as separate OS processes: `convoy serve --redis --no-worker` plus two
 * `convoy worker` processes, against groupmq no-op with the same two worker processes behind a plain
 * Fastify node that adds one job per POST (and the same workers fed directly by the bench), and the
 * Convoy processes once more on a three-primary Redis Cluster.
 *
 * Each system is driven over keep-alive HTTP at a sweep of fixed offered rates, round-robin over 200
 * convoys (each convoy's sends chained, so acceptance order is the schedule order). Latency runs from
 * each event's SCHEDULED send time to the time it was applied — the Convoy history entry's `at`, read
 * back over HTTP after the run, or the groupmq worker's clock when it ran the job — so a system that
 * falls behind pays for its queue (no coordinated omission). Every event must be applied exactly once
 * and in order, or the row is FAILED.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { SendItem } from '../contenders/contender.ts';
import { formatCheck, type CheckResult } from '../order-ledger.ts';
import { contextProblem, orderEvents } from '../order-machine.ts';
import { serverCpuSeconds } from '../redis-cost.ts';
import { startRedisCluster, type BenchRedisCluster } from '../redis-cluster.ts';
import type { RepResult, ScenarioResult, ScenarioRow } from '../results.ts';
import type { BenchSession } from '../session.ts';
import { summariseApplied, scheduleKey, type AppliedNote } from '../topology/applied.ts';
import type { TopologyJob } from '../topology/groupmq-worker.ts';
import { benchGroupQueue } from '../contenders/groupmq-queue.ts';
import { jsonClient, type JsonClient } from '../topology/http-client.ts';
import {
  groupCpuSeconds,
  spawnNode,
  stopAll,
  waitForOutput,
  type BenchProcess,
} from '../topology/processes.ts';
import { percentile } from '../stats.ts';
import { nowMs } from '../workload.ts';
import { offerOnSchedule } from './steady.ts';
import { judge } from './outcome.ts';

/** Parameters of the topology scenario. */
export interface TopologyShape {
  /** Offered rates of the sweep, events/s, in the order they run. */
  readonly rates: readonly number[];
  /** Seconds of measured arrivals per rate. */
  readonly seconds: number;
  /** Seconds of unmeasured arrivals (on other convoys) before each measured run. */
  readonly warmupSeconds: number;
  /** Convoys the arrivals go round-robin over. */
  readonly convoys: number;
  /** Worker processes of each system. */
  readonly workers: number;
  /** Also run the Convoy processes on a three-primary Redis Cluster. */
  readonly cluster: boolean;
  /** Concurrency of every worker process (`convoy worker --concurrency`, groupmq's). */
  readonly concurrency: number;
}

/** `convoy worker`'s default concurrency (the BullMQ turn scheduler's): the scenario's default for every worker. */
export const convoyWorkerConcurrency = 16;
const convoyType = 'order';
const benchDir = fileURLToPath(new URL('../..', import.meta.url));
const orderModule = fileURLToPath(new URL('../order-convoy.ts', import.meta.url));
const script = (name: string): string => fileURLToPath(new URL(`../topology/${name}`, import.meta.url));
const convoyBin = join(
  dirname(createRequire(import.meta.url).resolve('@convoy/cli/package.json')),
  'bin',
  'convoy.js',
);

/** The event stream of one run: what is sent when, and what each convoy must end with. */
interface RunPlan {
  readonly items: readonly SendItem[];
  /** Events per convoy. */
  readonly expected: ReadonlyMap<string, number>;
  /** Scheduled send time by {@link scheduleKey}. */
  readonly scheduled: ReadonlyMap<string, number>;
  /** Events of a whole order per convoy (a convoy given fewer is not finished, only counted). */
  readonly orderLength: number;
}

/**
 * `total` events round-robin over `convoys` convoys named `<prefix>-<i>`: event g is event
 * floor(g / convoys) of convoy g mod convoys, scheduled at `t0 + g / rate`. A convoy gets the first
 * events of one order (the whole order when it gets at least 4).
 */
export function topologyPlan(
  prefix: string,
  total: number,
  convoys: number,
  rate: number,
  t0: number,
): RunPlan {
  const perConvoy = Math.ceil(total / convoys);
  const orderLength = Math.max(4, perConvoy);
  const events = orderEvents(orderLength);
  const items: SendItem[] = [];
  const expected = new Map<string, number>();
  const scheduled = new Map<string, number>();
  for (let g = 0; g < total; g += 1) {
    const convoyId = `${prefix}-${g % convoys}`;
    const event = events[Math.floor(g / convoys)]!;
    const scheduledAt = t0 + (g * 1000) / rate;
    items.push({ convoyId, event, scheduledAt });
    expected.set(convoyId, event.n);
    scheduled.set(scheduleKey(convoyId, event.n), scheduledAt);
  }
  return { items, expected, scheduled, orderLength };
}

/** What a system gives back after a run. */
interface Collected {
  readonly notes: readonly AppliedNote[];
  readonly problems: readonly string[];
  /** Why waiting for the run's events stopped early, or null. */
  readonly timeout: string | null;
}

/** One deployment under test. */
interface System {
  readonly name: string;
  /** Processes that accept HTTP (empty when the bench adds directly). */
  readonly httpNode: readonly BenchProcess[];
  readonly workers: readonly BenchProcess[];
  send(item: SendItem): Promise<void>;
  /**
   * Wait until every event of `plan` was applied (or `timeoutMs` passed); with `readBack`, return the
   * applied notes and stored-state problems (a warm-up only waits).
   */
  collect(plan: RunPlan, timeoutMs: number, readBack: boolean): Promise<Collected>;
  redisCpuSeconds(): Promise<number>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Run `task` over `items` with at most `limit` at once. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next]!;
        next += 1;
        await task(item);
      }
    }),
  );
}

/** A Convoy deployment reached over HTTP at `url`. */
function convoySystem(
  name: string,
  url: string,
  httpNode: readonly BenchProcess[],
  workers: readonly BenchProcess[],
  redisCpuSeconds: () => Promise<number>,
): System & { readonly client: JsonClient } {
  const client = jsonClient(url);
  const path = (id: string): string => `/convoys/${convoyType}/${encodeURIComponent(id)}`;
  return {
    name,
    httpNode,
    workers,
    client,
    redisCpuSeconds,
    async send(item) {
      const answer = await client.post(`${path(item.convoyId)}/events`, item.event);
      if (answer.status !== 202)
        throw new Error(`POST answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
    },
    async collect(plan, timeoutMs, readBack) {
      // Poll each convoy's view until it processed its last event (views kept for the context check).
      const views = new Map<string, Record<string, unknown>>();
      const pending = new Set(plan.expected.keys());
      const deadline = Date.now() + timeoutMs;
      while (pending.size > 0 && Date.now() < deadline) {
        await inParallel([...pending], 32, async (id) => {
          const answer = await client.get(path(id));
          const view = answer.body as Record<string, unknown> | null;
          if (answer.status === 200 && view !== null && Number(view['seq']) >= plan.expected.get(id)!) {
            views.set(id, view);
            pending.delete(id);
          }
        });
        if (pending.size > 0) await sleep(100);
      }
      const timeout =
        pending.size === 0 ? null : `${pending.size} convoys not finished after ${timeoutMs} ms`;
      if (!readBack) return { notes: [], problems: [], timeout };
      const notes: AppliedNote[] = [];
      const problems: string[] = [];
      await inParallel([...plan.expected.keys()], 32, async (id) => {
        const answer = await client.get(`${path(id)}/history`);
        const items = (answer.body as { items?: unknown } | null)?.items;
        if (answer.status !== 200 || !Array.isArray(items)) {
          problems.push(`${id}: history answered ${answer.status}`);
          return;
        }
        for (const item of items as Array<Record<string, unknown>>) {
          if (item['outcome'] !== 'applied') continue;
          const event = item['event'] as Record<string, unknown> | undefined;
          notes.push({ convoyId: id, n: Number(event?.['n']), appliedAt: Date.parse(String(item['at'])) });
        }
        const view = views.get(id);
        const count = plan.expected.get(id)!;
        // A convoy given fewer events than a whole order is not finished: check its count and order only.
        const status = count >= plan.orderLength ? String(view?.['status']) : 'done';
        const problem = view ? contextProblem(view['context'], status, count) : 'not finished';
        if (problem) problems.push(`${id}: ${problem}`);
      });
      return { notes, problems, timeout };
    },
  };
}

/** Collects the groupmq workers' applied notes (IPC batches of `[convoyId, n, appliedAt]`). */
class NoteCollector {
  private notes: AppliedNote[] = [];

  readonly receive = (message: unknown): void => {
    if (!Array.isArray(message)) return;
    for (const entry of message as Array<[string, number, number]>)
      this.notes.push({ convoyId: entry[0], n: entry[1], appliedAt: entry[2] });
  };

  reset(): void {
    this.notes = [];
  }

  async collect(plan: RunPlan, timeoutMs: number): Promise<Collected> {
    const total = [...plan.expected.values()].reduce((sum, count) => sum + count, 0);
    const deadline = Date.now() + timeoutMs;
    let mine: AppliedNote[] = [];
    for (;;) {
      mine = this.notes.filter((note) => plan.expected.has(note.convoyId));
      if (mine.length >= total || Date.now() > deadline) break;
      await sleep(20);
    }
    // A late duplicate would arrive within a batch interval or two: give it the chance to show.
    await sleep(60);
    mine = this.notes.filter((note) => plan.expected.has(note.convoyId));
    const timeout =
      mine.length >= total
        ? null
        : `${total - mine.length} of ${total} events not applied after ${timeoutMs} ms`;
    return { notes: mine, problems: [], timeout };
  }
}

/** A finished run's failure for every rate after one that did not drain (its backlog would skew them). */
function skipped(reason: string): RepResult {
  const check: CheckResult = { applied: 0, lost: 0, duplicated: 0, outOfOrder: 0, problems: [] };
  return { value: Number.NaN, check, passed: false, failure: reason, metrics: {} };
}

/** Processes of `system` that exited (they must run for the whole sweep). */
function exited(system: System): string | null {
  const dead = [...system.httpNode, ...system.workers].find(
    (spawned) => spawned.child.exitCode !== null || spawned.child.signalCode !== null,
  );
  return dead ? `${dead.name} exited: ${dead.stderr().trim().split('\n').slice(-3).join(' | ')}` : null;
}

/**
 * Unmeasured arrivals at `rate` for `seconds` on convoys of their own, then wait until they are all
 * applied. Returns why that failed, or null.
 */
async function warmUp(
  system: System,
  rate: number,
  seconds: number,
  prefix: string,
  convoys: number,
  waitMs: number,
): Promise<string | null> {
  const total = Math.round(rate * seconds);
  if (total === 0) return null;
  const warmup = topologyPlan(prefix, total, convoys, rate, nowMs() + 50);
  try {
    await offerOnSchedule(warmup.items, (item) => system.send(item));
    const settled = await system.collect(warmup, waitMs, false);
    return settled.timeout === null ? null : `warm-up: ${settled.timeout}`;
  } catch (error) {
    return `warm-up: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Warm-up of freshly started processes before their first rate: lazily loaded modules (compiled by tsx
 * on first use), JIT and connection pools settle here instead of in the first measured run.
 */
const startupWarmup = { rate: 300, seconds: 2 };

/** One measured run of `system` at `rate`, after its warm-up. */
async function runRate(
  session: BenchSession,
  system: System,
  rate: number,
  tag: string,
  shape: TopologyShape,
  before?: () => void,
): Promise<RepResult> {
  const waitMs = Math.max(30_000, shape.seconds * 5_000);
  let timeout = await warmUp(system, rate, shape.warmupSeconds, `${tag}w`, shape.convoys, waitMs);
  before?.();
  const total = shape.convoys * Math.max(1, Math.round((rate * shape.seconds) / shape.convoys));
  const cpu0 = {
    http: groupCpuSeconds(system.httpNode),
    workers: groupCpuSeconds(system.workers),
    redis: await system.redisCpuSeconds(),
  };
  const t0 = nowMs() + 50;
  const plan = topologyPlan(tag, total, shape.convoys, rate, t0);
  let offerEnd = Number.NaN;
  // Time from the actual send to its answer (202, or the add resolving), and from schedule to send (a
  // convoy's next send waits for its previous answer): where latency builds before the workers.
  const acceptMs: number[] = [];
  const sendLagMs: number[] = [];
  let collected: Collected = { notes: [], problems: [], timeout: null };
  let cpu1 = cpu0;
  if (timeout === null) {
    try {
      await offerOnSchedule(plan.items, async (item) => {
        const sentAt = nowMs();
        await system.send(item);
        acceptMs.push(nowMs() - sentAt);
        sendLagMs.push(sentAt - item.scheduledAt);
      });
    } catch (error) {
      timeout = error instanceof Error ? error.message : String(error);
    }
    offerEnd = nowMs();
    cpu1 = {
      http: groupCpuSeconds(system.httpNode),
      workers: groupCpuSeconds(system.workers),
      redis: await system.redisCpuSeconds(),
    };
    collected = await system.collect(plan, waitMs, true);
    timeout ??= collected.timeout;
  }
  timeout ??= exited(system);
  const summary = summariseApplied(collected.notes, plan.scheduled, plan.expected, collected.problems);
  const verdict = judge({ ordered: true }, summary.check, timeout);
  // CPU over the offered window: the HTTP node's per event sent, the workers' and Redis's per event
  // applied in the window (equal below capacity; past it, the workers' cost of what they managed).
  const windowS = (offerEnd - t0) / 1000;
  const appliedInWindow = collected.notes.filter((note) => note.appliedAt <= offerEnd).length;
  const metrics: Record<string, number> = {
    p50: summary.p50,
    max: summary.max,
    applied: summary.check.applied / ((summary.lastAppliedAt - t0) / 1000),
    httpUs: system.httpNode.length === 0 ? Number.NaN : ((cpu1.http - cpu0.http) * 1e6) / total,
    workersUs: ((cpu1.workers - cpu0.workers) * 1e6) / appliedInWindow,
    redisUs: ((cpu1.redis - cpu0.redis) * 1e6) / appliedInWindow,
    acceptP50: percentile(acceptMs, 50),
    acceptP99: percentile(acceptMs, 99),
    sendLagP99: percentile(sendLagMs, 99),
    httpPct: system.httpNode.length === 0 ? Number.NaN : ((cpu1.http - cpu0.http) / windowS) * 100,
    workersPct: ((cpu1.workers - cpu0.workers) / windowS) * 100,
    redisPct: ((cpu1.redis - cpu0.redis) / windowS) * 100,
  };
  const fixed = (name: string, digits = 0): string => metrics[name]?.toFixed(digits) ?? '–';
  session.log(
    `  ${rate}/s ${system.name}: p50 ${fixed('p50', 1)} ms, p99 ${summary.p99.toFixed(1)} ms, max ${fixed('max', 1)} ms, applied ${fixed('applied')}/s, accept p50/p99 ${fixed('acceptP50', 1)}/${fixed('acceptP99', 1)} ms, send lag p99 ${fixed('sendLagP99', 1)} ms, CPU µs/ev HTTP ${fixed('httpUs')} workers ${fixed('workersUs')} Redis ${fixed('redisUs')} (% ${fixed('httpPct')}/${fixed('workersPct')}/${fixed('redisPct')}), ${formatCheck(summary.check)}${verdict.passed ? '' : ` FAILED: ${verdict.failure ?? ''}`}`,
  );
  return { value: summary.p99, check: summary.check, ...verdict, metrics };
}

/** Whether a run left work behind (its backlog would skew the next rates). */
function didNotFinish(result: RepResult): boolean {
  return !result.passed && /not finished|not applied|exited/.test(result.failure ?? '');
}

/** The sweep for one system: every rate in order; after a rate that did not drain, the rest are skipped. */
async function sweep(
  session: BenchSession,
  system: System,
  shape: TopologyShape,
  tag: string,
  before?: () => void,
): Promise<RepResult[]> {
  const results: RepResult[] = [];
  let stuck = await warmUp(
    system,
    startupWarmup.rate,
    startupWarmup.seconds,
    `${tag}s`,
    shape.convoys,
    60_000,
  );
  if (stuck !== null) session.log(`  ${system.name}: start-up ${stuck}`);
  for (const [index, rate] of shape.rates.entries()) {
    if (stuck !== null) {
      results.push(skipped(`skipped: ${stuck}`));
      continue;
    }
    // The index keeps convoy ids unique when a rate repeats (the half-capacity repetitions).
    const result = await runRate(session, system, rate, `${tag}${index}r${rate}`, shape, before);
    results.push(result);
    if (didNotFinish(result)) stuck = `the run at ${rate}/s did not finish`;
  }
  return results;
}

/** A `convoy` CLI process (the real bin, from source), the environment cleaned of Convoy settings. */
function spawnConvoy(name: string, args: readonly string[]): BenchProcess {
  const env = { ...process.env };
  for (const variable of Object.keys(env)) if (variable.startsWith('CONVOY_')) delete env[variable];
  return spawnNode(name, [convoyBin, ...args], { cwd: benchDir, env });
}

/** A bench-side TypeScript script (`node --import tsx`). */
function spawnScript(
  name: string,
  file: string,
  args: readonly string[],
  onMessage?: (message: unknown) => void,
): BenchProcess {
  return spawnNode(name, ['--import', 'tsx', script(file), ...args], {
    cwd: benchDir,
    ...(onMessage ? { onMessage } : {}),
  });
}

const serveBanner = /Convoy listening on (http:\/\/\S+)/;
const workerBanner = /Convoy worker \S+ processing/;

/** Convoy on the single Redis: `convoy serve --no-worker` and the `convoy worker`s, run through the sweep. */
async function convoySingle(session: BenchSession, shape: TopologyShape, name: string): Promise<RepResult[]> {
  const url = session.redis!.url;
  const serve = spawnConvoy('convoy serve', [
    'serve',
    orderModule,
    '--port',
    '0',
    '--redis',
    url,
    '--no-worker',
  ]);
  const workers = Array.from({ length: shape.workers }, (_, index) =>
    spawnConvoy(`convoy worker ${index + 1}`, [
      'worker',
      orderModule,
      '--redis',
      url,
      // Only when it differs: the default run is the CLI's default.
      ...(shape.concurrency === convoyWorkerConcurrency ? [] : ['--concurrency', String(shape.concurrency)]),
    ]),
  );
  let system: (System & { readonly client: JsonClient }) | undefined;
  try {
    const [base] = await Promise.all([
      waitForOutput(serve, serveBanner),
      ...workers.map((worker) => waitForOutput(worker, workerBanner)),
    ]);
    const admin = session.admin!;
    system = convoySystem(name, base, [serve], workers, () => serverCpuSeconds(admin));
    return await sweep(session, system, shape, 'c');
  } finally {
    system?.client.close();
    await stopAll([serve, ...workers]);
    await session.admin?.flushdb();
  }
}

/** The same Convoy processes on a fresh three-primary Cluster. */
async function convoyCluster(
  session: BenchSession,
  shape: TopologyShape,
  name: string,
): Promise<RepResult[]> {
  let cluster: BenchRedisCluster | undefined;
  const processes: BenchProcess[] = [];
  const admins: Redis[] = [];
  let system: (System & { readonly client: JsonClient }) | undefined;
  try {
    cluster = await startRedisCluster();
    session.log(`  Redis Cluster: primaries on ${cluster.seeds}`);
    const serve = spawnScript('convoy serve (Cluster)', 'convoy-cluster-node.ts', ['serve', cluster.seeds]);
    processes.push(serve);
    const workers = Array.from({ length: shape.workers }, (_, index) =>
      spawnScript(`convoy worker ${index + 1} (Cluster)`, 'convoy-cluster-node.ts', [
        'worker',
        cluster!.seeds,
      ]),
    );
    processes.push(...workers);
    const [base] = await Promise.all([
      waitForOutput(serve, serveBanner),
      ...workers.map((worker) => waitForOutput(worker, workerBanner)),
    ]);
    admins.push(...cluster.nodes.map((node) => new Redis(node.url, { maxRetriesPerRequest: 1 })));
    const redisCpu = async (): Promise<number> =>
      (await Promise.all(admins.map((admin) => serverCpuSeconds(admin)))).reduce((sum, cpu) => sum + cpu, 0);
    system = convoySystem(name, base, [serve], workers, redisCpu);
    return await sweep(session, system, shape, 'k');
  } finally {
    system?.client.close();
    for (const admin of admins) admin.disconnect();
    await stopAll(processes);
    await cluster?.stop();
  }
}

/** groupmq no-op: the Fastify node and the workers, and the same workers fed by the bench directly. */
async function groupmqSystems(
  session: BenchSession,
  shape: TopologyShape,
  names: { readonly http: string; readonly direct: string },
): Promise<{ readonly http: RepResult[]; readonly direct: RepResult[] }> {
  const url = session.redis!.url;
  const namespace = 'topology';
  const collector = new NoteCollector();
  const node = spawnScript('groupmq Fastify node', 'groupmq-http-node.ts', [url, namespace]);
  const workers = Array.from({ length: shape.workers }, (_, index) =>
    spawnScript(
      `groupmq worker ${index + 1}`,
      'groupmq-worker.ts',
      [url, namespace, String(shape.concurrency)],
      collector.receive,
    ),
  );
  const { redis, queue } = benchGroupQueue<TopologyJob>(url, namespace);
  let client: JsonClient | undefined;
  try {
    const [base] = await Promise.all([
      waitForOutput(node, /listening on (http:\/\/\S+)/),
      ...workers.map((worker) => waitForOutput(worker, /groupmq worker \d+ processing/)),
    ]);
    const http = jsonClient(base);
    client = http;
    const admin = session.admin!;
    const common = {
      workers,
      redisCpuSeconds: () => serverCpuSeconds(admin),
      async collect(plan: RunPlan, timeoutMs: number): Promise<Collected> {
        const collected = await collector.collect(plan, timeoutMs);
        collector.reset();
        return collected;
      },
    };
    const viaHttp: System = {
      ...common,
      name: names.http,
      httpNode: [node],
      async send(item) {
        const answer = await http.post(
          `/convoys/${convoyType}/${encodeURIComponent(item.convoyId)}/events`,
          item.event,
        );
        if (answer.status !== 202) throw new Error(`POST answered ${answer.status}`);
      },
    };
    const direct: System = {
      ...common,
      name: names.direct,
      httpNode: [],
      async send(item) {
        await queue.add({ groupId: item.convoyId, data: { convoyId: item.convoyId, event: item.event } });
      },
    };
    const reset = (): void => collector.reset();
    // Per rate, the HTTP row and then the direct row, so both see the box in the same state.
    const httpResults: RepResult[] = [];
    const directResults: RepResult[] = [];
    let stuck: string | null = null;
    for (const [system, tag] of [
      [viaHttp, 'gs'],
      [direct, 'ds'],
    ] as const) {
      stuck ??= await warmUp(system, startupWarmup.rate, startupWarmup.seconds, tag, shape.convoys, 60_000);
      collector.reset();
    }
    if (stuck !== null) session.log(`  groupmq: start-up ${stuck}`);
    for (const [index, rate] of shape.rates.entries()) {
      if (stuck !== null) {
        httpResults.push(skipped(`skipped: ${stuck}`));
        directResults.push(skipped(`skipped: ${stuck}`));
        continue;
      }
      for (const [system, tag, results] of [
        [viaHttp, 'g', httpResults],
        [direct, 'd', directResults],
      ] as const) {
        const result = await runRate(session, system, rate, `${tag}${index}r${rate}`, shape, reset);
        results.push(result);
        if (didNotFinish(result)) stuck = `the run at ${rate}/s did not finish`;
      }
    }
    return { http: httpResults, direct: directResults };
  } finally {
    client?.close();
    await queue.close().catch(() => undefined);
    redis.disconnect();
    await stopAll([node, ...workers]);
    await session.admin?.flushdb();
  }
}

/**
 * The highest swept rate a system kept up with: its run passed, applied ≥ 0.97 × offered and p50 < 10 ms
 * (the steady probe's rule). NaN when it kept up with none.
 */
export function sweptCapacity(rates: readonly number[], results: readonly RepResult[]): number {
  let capacity = Number.NaN;
  for (const [index, rate] of rates.entries()) {
    const result = results[index];
    if (result === undefined || !result.passed) continue;
    const applied = result.metrics['applied'] ?? 0;
    const p50 = result.metrics['p50'] ?? Number.POSITIVE_INFINITY;
    if (applied >= 0.97 * rate && p50 < 10 && !(rate <= capacity)) capacity = rate;
  }
  return capacity;
}

/** Names of the topology's systems. */
function systemNames(shape: TopologyShape) {
  const workers = `${shape.workers} worker processes`;
  return {
    workers,
    convoy: `Convoy: serve --no-worker + ${workers}`,
    http: `groupmq no-op: Fastify node + ${workers}`,
    direct: `groupmq no-op: direct add + ${workers}`,
    cluster: `Convoy on 3-primary Cluster: HTTP node + ${workers}`,
  };
}

/**
 * Both topologies (Convoy, groupmq behind Fastify) at half the lower of their swept capacities, `reps`
 * times each on fresh processes: the p99 target is judged per repetition.
 */
async function topologyHalfCapacity(
  session: BenchSession,
  shape: TopologyShape,
  capacities: { readonly convoy: number; readonly groupmq: number },
  reps: number,
): Promise<ScenarioResult> {
  const names = systemNames(shape);
  const lower = Math.min(capacities.convoy, capacities.groupmq);
  const fallback = Math.min(...shape.rates);
  const rate = Math.max(50, Math.round((Number.isNaN(lower) ? fallback : lower) / 2 / 50) * 50);
  const repeated: TopologyShape = {
    ...shape,
    rates: Array.from({ length: reps }, () => rate),
    cluster: false,
  };
  session.log(`Topology at half capacity: ${rate} events/s, ${reps} repetitions per system`);
  const convoy = await convoySingle(session, repeated, names.convoy);
  const groupmq = await groupmqSystems(session, repeated, names);
  const met = convoy.filter(
    (result, index) =>
      result.passed && groupmq.http[index]?.passed === true && result.value <= groupmq.http[index].value,
  ).length;
  const ratio = capacities.convoy / capacities.groupmq;
  return {
    id: 'topology-half',
    title: `Topology at half capacity (${rate} events/s offered, ${reps} repetitions on fresh processes, ${shape.seconds} s each after ${shape.warmupSeconds} s warm-up)`,
    unit: 'p99 ms',
    higherIsBetter: false,
    baselines: [names.http],
    columns: {
      p50: 'p50 ms',
      max: 'max ms',
      applied: 'applied ev/s',
      acceptP50: 'accept p50 ms',
      httpUs: 'HTTP node CPU µs/ev',
      workersUs: 'workers CPU µs/ev',
      redisUs: 'Redis CPU µs/ev',
    },
    notes: [
      `Capacity from the sweep (highest swept rate kept up with: applied ≥ 0.97 × offered, p50 < 10 ms): Convoy ${Number.isNaN(capacities.convoy) ? 'none' : capacities.convoy.toLocaleString('en-US')}, groupmq behind Fastify ${Number.isNaN(capacities.groupmq) ? 'none' : capacities.groupmq.toLocaleString('en-US')} events/s (Convoy × groupmq: ${Number.isFinite(ratio) ? ratio.toFixed(2) : '–'}; the sweep's steps bound it). Offered: half the lower, rounded to 50.`,
      `Convoy's p99 ≤ groupmq behind Fastify's in ${met} of ${reps} repetitions (the target: at least 4 of 5).`,
      'Ratios: per repetition, Convoy p99 / groupmq-behind-Fastify p99 of the same repetition.',
    ],
    rows: [
      { contender: names.convoy, ordered: true, reps: convoy },
      { contender: names.http, ordered: true, reps: groupmq.http },
      { contender: names.direct, ordered: true, reps: groupmq.direct },
    ],
  };
}

/**
 * The topology scenarios: every system through the sweep (one table with a row per rate and system), then
 * both topologies at half the lower swept capacity, `halfReps` times (skipped when 0).
 */
export async function topologyScenarios(
  session: BenchSession,
  shape: TopologyShape,
  halfReps: number,
): Promise<ScenarioResult[]> {
  const sweepResult = await topologyScenario(session, shape);
  if (halfReps <= 0) return [sweepResult.result];
  const half = await topologyHalfCapacity(session, shape, sweepResult.capacities, halfReps);
  return [sweepResult.result, half];
}

/** The topology scenario: every system through the sweep, one table with a row per rate and system. */
export async function topologyScenario(
  session: BenchSession,
  shape: TopologyShape,
): Promise<{
  readonly result: ScenarioResult;
  readonly capacities: { readonly convoy: number; readonly groupmq: number };
}> {
  const names = systemNames(shape);
  const { workers } = names;
  const bySystem = new Map<string, RepResult[]>();
  session.log(`Topology: ${names.convoy}, rates ${shape.rates.join(', ')} events/s`);
  bySystem.set(names.convoy, await convoySingle(session, shape, names.convoy));
  session.log(`Topology: groupmq no-op behind Fastify and by direct add, ${workers}`);
  const groupmq = await groupmqSystems(session, shape, names);
  bySystem.set(names.http, groupmq.http);
  bySystem.set(names.direct, groupmq.direct);
  if (shape.cluster) {
    session.log(`Topology: ${names.cluster}`);
    bySystem.set(names.cluster, await convoyCluster(session, shape, names.cluster));
  }
  const label = (rate: number, system: string): string => `${rate.toLocaleString('en-US')}/s · ${system}`;
  const rows: ScenarioRow[] = [];
  const rateOf = new Map<string, number>();
  for (const [index, rate] of shape.rates.entries()) {
    for (const [system, results] of bySystem) {
      const result = results[index];
      if (result === undefined) continue;
      rows.push({ contender: label(rate, system), ordered: true, reps: [result] });
      rateOf.set(label(rate, system), rate);
    }
  }
  const sameRate = (system: string) => (row: string) => {
    const rate = rateOf.get(row);
    return rate === undefined || row === label(rate, system) ? undefined : label(rate, system);
  };
  const { convoys } = shape;
  const capacities = {
    convoy: sweptCapacity(shape.rates, bySystem.get(names.convoy) ?? []),
    groupmq: sweptCapacity(shape.rates, bySystem.get(names.http) ?? []),
  };
  const result: ScenarioResult = {
    id: 'topology',
    title: `Topology: separate processes over HTTP, fixed offered rates (${shape.seconds} s each after ${shape.warmupSeconds} s warm-up, ${convoys} convoys round-robin, worker concurrency ${shape.concurrency})`,
    unit: 'p99 ms',
    higherIsBetter: false,
    baselines: [],
    ratioColumns: [
      { label: 'groupmq behind Fastify, same rate', baselineOf: sameRate(names.http) },
      ...(shape.cluster
        ? [
            {
              label: 'Convoy single node, same rate',
              baselineOf: (row: string) =>
                row.includes('Cluster') ? sameRate(names.convoy)(row) : undefined,
            },
          ]
        : []),
    ],
    columns: {
      p50: 'p50 ms',
      max: 'max ms',
      applied: 'applied ev/s',
      acceptP50: 'accept p50 ms',
      acceptP99: 'accept p99 ms',
      sendLagP99: 'send lag p99 ms',
      httpUs: 'HTTP node CPU µs/ev',
      workersUs: 'workers CPU µs/ev',
      redisUs: 'Redis CPU µs/ev',
      httpPct: 'HTTP node % CPU',
      workersPct: 'workers % CPU',
      redisPct: 'Redis % CPU',
    },
    notes: [
      `Convoy: \`convoy serve <order module> --redis <url> --no-worker\` and ${shape.workers} × \`convoy worker <order module> --redis <url>\` (concurrency ${shape.concurrency}${shape.concurrency === convoyWorkerConcurrency ? ', the CLI default' : ''}), the CLI run from source as separate OS processes; the bench POSTs over keep-alive HTTP.`,
      `groupmq no-op: a plain Fastify node adding one groupmq job per POST (answer 202) and ${shape.workers} worker processes (one group per convoy, concurrency ${shape.concurrency}); "direct add": the same workers, the bench adding the jobs itself.`,
      ...(shape.cluster
        ? [
            'Cluster: three primaries on this box; the CLI takes one Redis URL, so the Cluster processes are bench scripts wiring the same store, scheduler, engine defaults and HTTP API over an ioredis Cluster client.',
          ]
        : []),
      'Latency from the SCHEDULED send time to applied (Convoy: the history entry’s `at`; groupmq: the worker’s clock when it ran the job): coordinated-omission-safe. Each convoy’s sends are chained (acceptance order = schedule order); every event must be applied once, in order.',
      '_accept_: from the actual send to the 202 (or, direct add, to the add resolving); _send lag_: from the scheduled to the actual send (a convoy’s next send waits for its previous answer). Both are included in the latency.',
      'CPU from /proc (utime + stime) of each process group and INFO cpu of Redis over the offered window; µs/ev per event sent (HTTP node) or applied in the window (workers, Redis); % CPU of one core.',
    ],
    rows,
  };
  return { result, capacities };
}
