/**
 * The whole bench: every scenario over every contender on the bench's own redis-server, then the
 * backlog once more on a Redis that fsyncs every write. Returns the rendered report.
 */
import type { BenchConfig } from './config.ts';
import {
  bullmqNoop,
  bullmqSerial,
  convoyMemory,
  convoyRedis,
  convoyRedisLocal,
  groupmqNoop,
  groupmqXstate,
  type Contender,
} from './contenders/index.ts';
import { machineInfo } from './machine-info.ts';
import { installClientCommandCounter } from './redis-cost.ts';
import type { ScenarioResult } from './results.ts';
import { backlogScenario } from './scenarios/backlog.ts';
import { httpIngestContender, httpIngestScenario } from './scenarios/http-ingest.ts';
import { scaleScenario } from './scenarios/scale.ts';
import { capacityResult, steadyCapacities, steadyScenario } from './scenarios/steady.ts';
import { topologyScenarios } from './scenarios/topology.ts';
import { openSession, type BenchSession } from './session.ts';
import { renderHeader, renderScenario } from './table.ts';

const backlogBaselines = [bullmqNoop.name, groupmqXstate.name];

/** Scenarios of the default run; `scale` runs only when named in `BENCH_ONLY` (it takes minutes). */
function wants(config: BenchConfig, scenario: string): boolean {
  return config.only.length === 0 ? scenario !== 'scale' : config.only.includes(scenario);
}

/** The contenders `BENCH_CONTENDERS` selects (all when unset). */
function selected(config: BenchConfig, contenders: readonly Contender[]): Contender[] {
  return contenders.filter(
    (contender) => config.contenders.length === 0 || config.contenders.includes(contender.id),
  );
}

/**
 * Offered rate of the steady scenario: configured, or half the steady capacity of the systems the
 * target compares (groupmq no-op and Convoy on Redis with every turn through BullMQ), whichever is
 * lower. Capacity is probed (see `probeCapacity`): the highest offered rate a contender keeps up with
 * (applied ≥ 0.97 × offered, p50 < 10 ms). Convoy with local turns and "groupmq + own XState
 * persistence" are probed too, for the capacity ratios; they do not set the rate.
 */
async function steadyRate(
  session: BenchSession,
  config: BenchConfig,
): Promise<{ readonly rate: number; readonly note: string; readonly capacity: ScenarioResult | null }> {
  if (config.steadyRate > 0)
    return { rate: config.steadyRate, note: 'Offered rate: set by BENCH_STEADY_RATE.', capacity: null };
  const shape = {
    startRate: 1000,
    stepSeconds: config.quick ? 1.5 : 2.5,
    warmupSeconds: Math.min(config.steadyWarmupSeconds, config.steadySeconds),
    concurrency: config.concurrency,
    resolution: config.quick ? 1.15 : 1.08,
    budgetSeconds: config.quick ? 20 : 40,
  };
  const probed = await steadyCapacities(
    session,
    selected(config, [groupmqNoop, convoyRedis, convoyRedisLocal, groupmqXstate]),
    shape,
  );
  const setters = probed.filter(
    (entry) => entry.contender === groupmqNoop || entry.contender === convoyRedis,
  );
  const capacity = Math.min(...setters.map((entry) => entry.capacity).filter((value) => value > 0));
  const rate = Number.isFinite(capacity) ? Math.max(50, Math.round(capacity / 2 / 50) * 50) : 500;
  const measured = setters.map(
    (entry) => `${entry.contender.name} ${entry.capacity.toLocaleString('en-US')}`,
  );
  return {
    rate,
    note: Number.isFinite(capacity)
      ? `Offered rate: half the lower probed steady capacity of groupmq no-op and Convoy on Redis through BullMQ (${measured.join(', ')} events/s; see the capacity table).`
      : 'Offered rate: 500 events/s (no capacity of groupmq no-op or Convoy on Redis through BullMQ was probed).',
    capacity: capacityResult(probed, shape, [groupmqNoop.name, groupmqXstate.name]),
  };
}

async function throughputRuns(session: BenchSession, config: BenchConfig): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const all = selected(config, [bullmqNoop, groupmqNoop, groupmqXstate, convoyRedis, convoyMemory]);
  if (wants(config, 'backlog')) {
    const backlog = await backlogScenario(
      session,
      all,
      { convoys: config.convoys, eventsPerConvoy: config.eventsPerConvoy, concurrency: config.concurrency },
      config.reps,
      { id: 'backlog', title: 'Backlog drain', baselines: backlogBaselines, memory: true },
    );
    results.push(backlog);
  }
  if (wants(config, 'hot')) {
    results.push(
      await backlogScenario(
        session,
        selected(config, [bullmqSerial, groupmqNoop, groupmqXstate, convoyRedis, convoyMemory]),
        { convoys: 1, eventsPerConvoy: config.hotEvents, concurrency: config.concurrency },
        config.reps,
        { id: 'hot', title: 'Hot convoy', baselines: [bullmqSerial.name], memory: false },
      ),
    );
  }
  if (wants(config, 'steady')) {
    const { rate, note, capacity } = await steadyRate(session, config);
    if (capacity) results.push(capacity);
    results.push(
      await steadyScenario(
        session,
        selected(config, [
          groupmqNoop,
          groupmqXstate,
          convoyRedis,
          convoyRedisLocal,
          convoyMemory,
          bullmqNoop,
        ]),
        {
          rate,
          seconds: config.steadySeconds,
          warmupSeconds: Math.min(config.steadyWarmupSeconds, config.steadySeconds),
          concurrency: config.concurrency,
        },
        config.steadyReps,
        note,
      ),
    );
  }
  if (wants(config, 'scale')) {
    results.push(
      await scaleScenario(
        session,
        selected(config, [convoyRedis]),
        config.scaleConvoys,
        config.concurrency,
        config.reps,
      ),
    );
  }
  const httpSelected = config.contenders.length === 0 || config.contenders.includes(httpIngestContender.id);
  if (wants(config, 'http-ingest') && httpSelected) {
    const connections = 32;
    results.push(
      await httpIngestScenario(
        session,
        {
          connections,
          convoysPerConnection: Math.max(
            1,
            Math.round(config.httpEvents / connections / config.eventsPerConvoy),
          ),
          eventsPerConvoy: config.eventsPerConvoy,
        },
        config.reps,
      ),
    );
  }
  const topologySelected = config.contenders.length === 0 || config.contenders.includes('topology');
  if (wants(config, 'topology') && topologySelected) {
    results.push(
      ...(await topologyScenarios(
        session,
        {
          rates: config.topologyRates,
          seconds: config.topologySeconds,
          warmupSeconds: config.topologyWarmupSeconds,
          convoys: 200,
          workers: 2,
          cluster: config.topologyCluster,
          concurrency: config.topologyConcurrency,
        },
        config.steadyReps,
      )),
    );
  }
  return results;
}

async function durableRun(session: BenchSession, config: BenchConfig): Promise<ScenarioResult> {
  return backlogScenario(
    session,
    selected(config, [bullmqNoop, groupmqXstate, convoyRedis]),
    { convoys: config.convoys, eventsPerConvoy: config.eventsPerConvoy, concurrency: config.concurrency },
    1,
    { id: 'backlog-aof', title: 'Backlog drain, durable', baselines: backlogBaselines, memory: false },
  );
}

/** Run the bench; `log` receives progress lines. Returns the report (Markdown). */
export async function runBench(config: BenchConfig, log: (message: string) => void): Promise<string> {
  installClientCommandCounter();
  const startedAt = new Date();
  const sections: string[] = [];
  const session = await openSession(config, 'none', log);
  let header = '';
  try {
    log(`redis-server pid ${session.redis?.pid} on port ${session.redis?.port} (no persistence)`);
    const info = await machineInfo(session.admin!);
    const settings = `${config.quick ? 'QUICK, ' : ''}${config.reps} repetition(s), backlog ${config.convoys}×${config.eventsPerConvoy}, hot ${config.hotEvents}, steady ${config.steadyReps}× ${config.steadySeconds} s after ${Math.min(config.steadyWarmupSeconds, config.steadySeconds)} s warm-up, HTTP ${config.httpEvents} events, topology ${config.topologyRates.join('/')} events/s × ${config.topologySeconds} s, concurrency ${config.concurrency}`;
    header = renderHeader(info, settings, startedAt);
    for (const result of await throughputRuns(session, config)) sections.push(renderScenario(result));
  } finally {
    await session.close();
  }
  if (config.durable && wants(config, 'backlog-aof')) {
    const durable = await openSession(config, 'aof-always', log);
    try {
      log(`redis-server pid ${durable.redis?.pid} on port ${durable.redis?.port} (AOF, appendfsync always)`);
      sections.push(renderScenario(await durableRun(durable, config)));
    } finally {
      await durable.close();
    }
  }
  const elapsed = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0);
  return `${header}${sections.join('\n')}\nTotal bench time: ${elapsed} s.\n`;
}
