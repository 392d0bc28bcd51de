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
import { steadyCapacities, steadyScenario } from './scenarios/steady.ts';
import { topologyScenario } from './scenarios/topology.ts';
import { openSession, type BenchSession } from './session.ts';
import { spread } from './stats.ts';
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

/** Convoy-on-Redis's end-to-end rate in the backlog (accept and process in one process), or NaN. */
function backlogCapacity(backlog: ScenarioResult | undefined): number {
  const row = backlog?.rows.find((candidate) => candidate.contender === convoyRedis.name);
  return spread(
    row?.reps.filter((rep) => rep.passed).map((rep) => rep.metrics['endToEnd'] ?? Number.NaN) ?? [],
  ).median;
}

/**
 * Offered rate of the steady scenario: configured, or half the steady capacity of the systems the
 * target compares (groupmq no-op and Convoy on Redis with every turn through BullMQ), whichever is
 * lower, each probed with the steady pattern offered at Convoy's backlog end-to-end rate.
 */
async function steadyRate(
  session: BenchSession,
  config: BenchConfig,
  backlog: ScenarioResult | undefined,
): Promise<{ readonly rate: number; readonly note: string }> {
  if (config.steadyRate > 0)
    return { rate: config.steadyRate, note: 'Offered rate: set by BENCH_STEADY_RATE.' };
  const estimate = backlogCapacity(backlog);
  const probeRate = Number.isFinite(estimate) ? Math.max(100, Math.round(estimate / 50) * 50) : 1000;
  const probed = await steadyCapacities(session, selected(config, [groupmqNoop, convoyRedis]), {
    rate: probeRate,
    seconds: Math.min(3, config.steadySeconds),
    warmupSeconds: Math.min(config.steadyWarmupSeconds, config.steadySeconds),
    concurrency: config.concurrency,
  });
  const capacity = Math.min(...probed.map((entry) => entry.capacity).filter(Number.isFinite));
  const rate = Number.isFinite(capacity) ? Math.max(50, Math.round(capacity / 2 / 50) * 50) : 500;
  const measured = probed.map(
    (entry) => `${entry.contender.name} ${Math.round(entry.capacity).toLocaleString('en-US')}`,
  );
  return {
    rate,
    note: `Offered rate: half the lower steady capacity (events/s applied while the same pattern was offered at ${probeRate.toLocaleString('en-US')}/s: ${measured.join(', ')}).`,
  };
}

async function throughputRuns(session: BenchSession, config: BenchConfig): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const all = selected(config, [bullmqNoop, groupmqNoop, groupmqXstate, convoyRedis, convoyMemory]);
  let backlog: ScenarioResult | undefined;
  // The steady scenario's default rate comes from the backlog's capacity, so it needs the backlog.
  if (wants(config, 'backlog') || (wants(config, 'steady') && config.steadyRate === 0)) {
    backlog = await backlogScenario(
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
    const { rate, note } = await steadyRate(session, config, backlog);
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
      await topologyScenario(session, {
        rates: config.topologyRates,
        seconds: config.topologySeconds,
        warmupSeconds: config.topologyWarmupSeconds,
        convoys: 200,
        workers: 2,
        cluster: config.topologyCluster,
        concurrency: config.topologyConcurrency,
      }),
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
