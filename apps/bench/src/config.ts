/** Bench settings from the environment: the default run, `BENCH_QUICK=1` for a smoke run, and sizes. */

/** Every knob of a run. */
export interface BenchConfig {
  readonly quick: boolean;
  /** Repetitions per contender and scenario (the table shows their median and min–max). */
  readonly reps: number;
  /**
   * Repetitions of the steady scenario: its p99 swings most from run to run (a garbage collection or a
   * scheduling hiccup of the 2 cores lands in one run's tail), so it gets more.
   */
  readonly steadyReps: number;
  /** Backlog scenario: convoys × events per convoy. */
  readonly convoys: number;
  readonly eventsPerConvoy: number;
  /** Hot-convoy scenario: events on the one convoy. */
  readonly hotEvents: number;
  /** Steady scenario: seconds of arrivals, and the offered rate (0: half of Convoy-on-Redis capacity). */
  readonly steadySeconds: number;
  /** Seconds of unmeasured warm-up arrivals before each steady run (at most `steadySeconds`). */
  readonly steadyWarmupSeconds: number;
  readonly steadyRate: number;
  /** Scale scenario (opt-in): convoys of the large run, compared with 1,000. */
  readonly scaleConvoys: number;
  /** Topology scenario: offered rates of the sweep (events/s). */
  readonly topologyRates: readonly number[];
  /** Topology scenario: measured seconds per rate, and unmeasured warm-up seconds before each. */
  readonly topologySeconds: number;
  readonly topologyWarmupSeconds: number;
  /** Topology scenario: concurrency of every worker process (16: `convoy worker`'s default). */
  readonly topologyConcurrency: number;
  /** Topology scenario: also run the Convoy processes on a three-primary Redis Cluster. */
  readonly topologyCluster: boolean;
  /** HTTP ingest scenario: events POSTed through autocannon. */
  readonly httpEvents: number;
  /** Worker concurrency (BullMQ, groupmq, Convoy turns). */
  readonly concurrency: number;
  /** Run the backlog scenario once more on a Redis with `appendfsync always`. */
  readonly durable: boolean;
  /**
   * Scenario names to run (empty: all but scale): backlog, hot, steady, scale, http-ingest, topology,
   * backlog-aof.
   */
  readonly only: readonly string[];
  /**
   * Contender ids to run (empty: all), e.g. `convoy-redis,bullmq`. Baselines left out get no ratio.
   * `convoy-http` selects the HTTP ingest scenario, `topology` the topology scenario.
   */
  readonly contenders: readonly string[];
}

function listFromEnv(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return Math.floor(value);
}

function ratesFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: readonly number[]): number[] {
  const items = listFromEnv(env, name);
  if (items.length === 0) return [...fallback];
  return items.map((item) => {
    const rate = Number(item);
    if (!Number.isFinite(rate) || rate <= 0)
      throw new Error(`${name} must list positive rates, got "${item}"`);
    return Math.round(rate);
  });
}

/** Read the configuration; unknown values fail loudly rather than silently benchmarking something else. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env['BENCH_QUICK'] === '1' || env['BENCH_QUICK'] === 'true';
  return {
    quick,
    reps: Math.max(1, intFromEnv(env, 'BENCH_REPS', quick ? 1 : 3)),
    steadyReps: Math.max(
      1,
      intFromEnv(env, 'BENCH_STEADY_REPS', intFromEnv(env, 'BENCH_REPS', quick ? 1 : 5)),
    ),
    convoys: Math.max(1, intFromEnv(env, 'BENCH_CONVOYS', quick ? 100 : 1000)),
    eventsPerConvoy: Math.max(4, intFromEnv(env, 'BENCH_EVENTS', 20)),
    hotEvents: Math.max(4, intFromEnv(env, 'BENCH_HOT_EVENTS', quick ? 1000 : 10_000)),
    steadySeconds: Math.max(1, intFromEnv(env, 'BENCH_STEADY_SECONDS', quick ? 3 : 5)),
    steadyWarmupSeconds: Math.max(0, intFromEnv(env, 'BENCH_STEADY_WARMUP', 1)),
    steadyRate: intFromEnv(env, 'BENCH_STEADY_RATE', 0),
    scaleConvoys: Math.max(1000, intFromEnv(env, 'BENCH_SCALE_CONVOYS', quick ? 10_000 : 100_000)),
    topologyRates: ratesFromEnv(
      env,
      'BENCH_TOPOLOGY_RATES',
      quick ? [100, 500, 1000] : [100, 500, 800, 1000, 1500, 2000, 3000],
    ),
    topologySeconds: Math.max(1, intFromEnv(env, 'BENCH_TOPOLOGY_SECONDS', quick ? 2 : 4)),
    topologyWarmupSeconds: intFromEnv(env, 'BENCH_TOPOLOGY_WARMUP', 1),
    topologyConcurrency: Math.max(1, intFromEnv(env, 'BENCH_TOPOLOGY_CONCURRENCY', 16)),
    topologyCluster: env['BENCH_TOPOLOGY_CLUSTER'] !== '0',
    httpEvents: Math.max(4, intFromEnv(env, 'BENCH_HTTP_EVENTS', quick ? 1280 : 12_800)),
    concurrency: Math.max(1, intFromEnv(env, 'BENCH_CONCURRENCY', 50)),
    durable: env['BENCH_DURABLE'] !== '0',
    only: listFromEnv(env, 'BENCH_ONLY'),
    contenders: listFromEnv(env, 'BENCH_CONTENDERS'),
  };
}
