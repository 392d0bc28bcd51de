/**
 * HTTP ingest with autocannon: `connections` keep-alive clients POST order events to the Convoy API
 * (Fastify, Redis store, processing on, as `convoy serve` runs it). Each connection owns its convoys
 * and sends their events in order, one request at a time, so every convoy can be checked afterwards.
 */
import autocannon from 'autocannon';
import { buildConvoyApp } from '@convoy/http';
import { convoyInstance, orderConvoy } from '../contenders/convoy-engine.ts';
import { openConvoyRedisParts } from '../contenders/convoy-redis.ts';
import { formatCheck, OrderLedger } from '../order-ledger.ts';
import { orderEvents } from '../order-machine.ts';
import type { RepResult, ScenarioResult } from '../results.ts';
import type { BenchSession } from '../session.ts';
import { judge } from './outcome.ts';

/** The ingest rows' identity: `BENCH_CONTENDERS=convoy-http` selects the scenario; order is promised. */
export const httpIngestContender = {
  id: 'convoy-http',
  name: 'Convoy on Redis (HTTP)',
  ordered: true,
} as const;

/** Parameters of the ingest run. */
export interface IngestShape {
  readonly connections: number;
  /** Convoys per connection (each gets `eventsPerConvoy` events). */
  readonly convoysPerConnection: number;
  readonly eventsPerConvoy: number;
}

/** What one autocannon connection is sending. */
interface ConnectionContext {
  connection?: number;
  convoy?: number;
  n?: number;
}

async function ingestRep(
  session: BenchSession,
  shape: IngestShape,
  rep: number,
  localTurns: number,
): Promise<RepResult> {
  const ledger = new OrderLedger();
  const prefix = `ingest${rep}-${localTurns}`;
  const parts = openConvoyRedisParts({ redisUrl: session.redis?.url ?? '', prefix, ledger, concurrency: 50 });
  const instance = convoyInstance(
    { redisUrl: '', prefix, ledger, concurrency: 50 },
    parts.store,
    parts.scheduler,
    parts.close,
    { localTurns },
  );
  const app = buildConvoyApp({ gateway: instance.gateway });
  const events = orderEvents(shape.eventsPerConvoy);
  const sent = new Map<string, number>();
  let connections = 0;
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    await instance.start();
    const perConnection = shape.convoysPerConnection * shape.eventsPerConvoy;
    const startedAt = performance.now();
    const result = await autocannon({
      url: base,
      connections: shape.connections,
      pipelining: 1,
      amount: shape.connections * perConnection,
      maxConnectionRequests: perConnection,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest(request, rawContext) {
            const context = rawContext as ConnectionContext;
            context.connection ??= connections++;
            // Next event of this connection's current convoy; a new convoy after the last event.
            let n = (context.n ?? 0) + 1;
            let convoy = context.convoy ?? 0;
            if (n > shape.eventsPerConvoy) {
              n = 1;
              convoy += 1;
            }
            context.n = n;
            context.convoy = convoy;
            const id = `h${context.connection}-${convoy}`;
            sent.set(id, n);
            instance.expect({ convoyId: id, event: events[n - 1]!, scheduledAt: Date.now() });
            return {
              ...request,
              path: `/convoys/${orderConvoy.type}/${id}/events`,
              body: JSON.stringify(events[n - 1]),
            };
          },
        },
      ],
    });
    // autocannon's own duration is in whole seconds: too coarse for a run of a few seconds.
    const elapsedS = (performance.now() - startedAt) / 1000;
    let timeout: string | null = null;
    const total = [...sent.values()].reduce((sum, count) => sum + count, 0);
    try {
      await ledger.waitFor(total, 60_000);
    } catch (error) {
      timeout = error instanceof Error ? error.message : String(error);
    }
    if (result.errors > 0 || result.non2xx > 0)
      timeout = `${result.errors} errors, ${result.non2xx} non-2xx answers`;
    const complete = new Map([...sent].filter(([, count]) => count === shape.eventsPerConvoy));
    const check = ledger.verify(sent, await instance.verifyStored(complete));
    const verdict = judge(httpIngestContender, check, timeout);
    const metrics = {
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      requests: result['2xx'],
    };
    session.log(
      `  HTTP ingest${localTurns > 0 ? ', local turns' : ''}: ${(result['2xx'] / elapsedS).toFixed(0)} 202/s, p50 ${metrics.p50} ms, p99 ${metrics.p99} ms, ${formatCheck(check)}${verdict.passed ? '' : ' FAILED'}`,
    );
    return { value: result['2xx'] / elapsedS, check, ...verdict, metrics };
  } finally {
    await app.close();
    await instance.close();
    await session.admin?.flushdb();
  }
}

/** HTTP ingest, `reps` times. */
export async function httpIngestScenario(
  session: BenchSession,
  shape: IngestShape,
  reps: number,
): Promise<ScenarioResult> {
  // Every turn through BullMQ, and with local turns (the `convoy serve` default).
  const variants = [
    { localTurns: 0, row: { contender: httpIngestContender.name, ordered: true, reps: [] as RepResult[] } },
    {
      localTurns: 50,
      row: { contender: `${httpIngestContender.name}, local turns`, ordered: true, reps: [] as RepResult[] },
    },
  ];
  for (let rep = 0; rep < reps; rep += 1) {
    session.log(`HTTP ingest (autocannon): repetition ${rep + 1}/${reps}`);
    for (const variant of variants)
      variant.row.reps.push(await ingestRep(session, shape, rep, variant.localTurns));
  }
  return {
    id: 'http-ingest',
    title: `HTTP ingest with autocannon (${shape.connections} connections, ${shape.connections * shape.convoysPerConnection} convoys × ${shape.eventsPerConvoy} events, processing on, Redis without persistence)`,
    unit: '202/s',
    higherIsBetter: true,
    baselines: [],
    columns: { p50: 'p50 ms', p99: 'p99 ms', max: 'max ms', requests: 'requests' },
    notes: [
      'POST /convoys/order/:id/events on a Fastify app (buildConvoyApp) over the Redis engine in this process; autocannon in the same process (2 cores shared).',
      'Latency is autocannon’s request latency (answer 202 = durably accepted), one request in flight per connection.',
    ],
    rows: variants.map((variant) => variant.row),
  };
}
