/**
 * HTTP ingest with autocannon: `connections` keep-alive clients POST order events, in one harness and
 * one run, to four servers in this process:
 *
 * - the floor: a bare Fastify app whose one route runs one EVALSHA per request (a small accept-like
 *   script: next seq, XADD to the convoy's inbox stream, mark it dirty) and answers 202 — what any
 *   Redis-backed HTTP ingest costs at least on this machine;
 * - Convoy accepting only: the Convoy API (Fastify, Redis store) over an engine with processing off, as
 *   `convoy serve --redis --no-worker` runs it (every accept still schedules its turn's BullMQ job);
 * - Convoy with processing on in the same process: every turn through BullMQ, and with local turns (the
 *   `convoy serve` default).
 *
 * Each connection owns its convoys and sends their events in order, one request at a time, so every
 * convoy can be checked afterwards. The rate runs from the first request to the last response.
 */
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildConvoyApp } from '@convoy/http';
import { convoyInstance, orderConvoy, type ConvoyInstance } from '../contenders/convoy-engine.ts';
import { openConvoyRedisParts } from '../contenders/convoy-redis.ts';
import { formatCheck, OrderLedger, type CheckResult } from '../order-ledger.ts';
import { orderEvents, type OrderEvent } from '../order-machine.ts';
import type { RepResult, ScenarioResult } from '../results.ts';
import type { BenchSession } from '../session.ts';
import { judge } from './outcome.ts';

/** The ingest rows' identity: `BENCH_CONTENDERS=convoy-http` selects the scenario; order is promised. */
export const httpIngestContender = {
  id: 'convoy-http',
  name: 'Convoy on Redis (HTTP)',
  ordered: true,
} as const;

/** Row name of the floor, the scenario's baseline. */
const floorName = 'Fastify + one EVALSHA (floor)';

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

/** What one autocannon run did. */
interface Drive {
  readonly result: autocannon.Result;
  /** Seconds from the first request set up to the last response received. */
  readonly elapsedS: number;
  /** Events sent per convoy. */
  readonly sent: Map<string, number>;
}

/**
 * POST every connection's convoys' events to `base`; `onSend` sees each event as it is set up.
 * autocannon resolves on its one-second tick, so its own duration is quantised to whole seconds: the
 * elapsed time is taken from the first request to the last response instead.
 */
async function drive(
  base: string,
  shape: IngestShape,
  idPrefix: string,
  onSend: (convoyId: string, event: OrderEvent) => void,
): Promise<Drive> {
  const events = orderEvents(shape.eventsPerConvoy);
  const sent = new Map<string, number>();
  let connections = 0;
  let firstRequestAt = Number.NaN;
  let lastResponseAt = Number.NaN;
  const perConnection = shape.convoysPerConnection * shape.eventsPerConvoy;
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
          if (Number.isNaN(firstRequestAt)) firstRequestAt = performance.now();
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
          const id = `${idPrefix}${context.connection}-${convoy}`;
          sent.set(id, n);
          onSend(id, events[n - 1]!);
          return {
            ...request,
            path: `/convoys/${orderConvoy.type}/${id}/events`,
            body: JSON.stringify(events[n - 1]),
          };
        },
        onResponse() {
          lastResponseAt = performance.now();
        },
      },
    ],
  });
  return { result, elapsedS: (lastResponseAt - firstRequestAt) / 1000, sent };
}

/** Failed or non-2xx requests, as a failure text (null: none). */
function answerProblem(result: autocannon.Result): string | null {
  return result.errors > 0 || result.non2xx > 0
    ? `${result.errors} errors, ${result.non2xx} non-2xx answers`
    : null;
}

/**
 * The unmeasured warm-up before each measured run: a quarter of the run's convoys (at least one per
 * connection), so every server is measured JIT-compiled with its connections open, not in its first
 * second — and the first server of a repetition is not the one that warms up autocannon and Fastify.
 */
function warmupShape(shape: IngestShape): IngestShape {
  return { ...shape, convoysPerConnection: Math.max(1, Math.ceil(shape.convoysPerConnection / 4)) };
}

/** Events sent per convoy over two runs on disjoint convoys. */
function allSent(...runs: readonly Drive[]): Map<string, number> {
  return new Map(runs.flatMap((run) => [...run.sent]));
}

/** One repetition's numbers, logged and returned. */
function ingestResult(
  session: BenchSession,
  label: string,
  run: Drive,
  check: CheckResult,
  timeout: string | null,
): RepResult {
  const { result, elapsedS } = run;
  const verdict = judge(httpIngestContender, check, timeout);
  const metrics = {
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result['2xx'],
    elapsedS,
  };
  const rate = result['2xx'] / elapsedS;
  session.log(
    `  ${label}: ${rate.toFixed(0)} 202/s over ${elapsedS.toFixed(2)} s, p50 ${metrics.p50} ms, p99 ${metrics.p99} ms, ${formatCheck(check)}${verdict.passed ? '' : ' FAILED'}`,
  );
  return { value: rate, check, ...verdict, metrics };
}

/**
 * The floor's script: about what an accept writes (next seq in the convoy's hash, the event appended to
 * its inbox stream under that seq, the convoy marked dirty), without Convoy's checks.
 * KEYS: meta, inbox, dirty. ARGV: now, event JSON, dirty member. Returns the seq.
 */
const floorScript = `
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[2], 't', ARGV[1])
redis.call('ZADD', KEYS[3], 'NX', ARGV[1], ARGV[3])
return seq
`;

const floorKeys = (prefix: string, id: string): [string, string, string] => [
  `${prefix}:{${id}}:meta`,
  `${prefix}:{${id}}:inbox`,
  `${prefix}:dirty`,
];

/** The floor: a bare Fastify app, one route, one EVALSHA per request, 202 with the seq. */
function floorApp(redis: Redis, sha: string, prefix: string): FastifyInstance {
  const app = Fastify();
  app.post<{ Params: { type: string; id: string }; Body: OrderEvent }>(
    '/convoys/:type/:id/events',
    async (request, reply) => {
      const { type, id } = request.params;
      const seq = await redis.evalsha(
        sha,
        3,
        ...floorKeys(prefix, id),
        Date.now(),
        JSON.stringify(request.body),
        `${type}:${id}`,
      );
      return reply.code(202).send({ type, id, seq, duplicate: false });
    },
  );
  return app;
}

async function floorRep(session: BenchSession, shape: IngestShape, rep: number): Promise<RepResult> {
  const prefix = `floor${rep}`;
  const redis = new Redis(session.redis?.url ?? '', { maxRetriesPerRequest: 3 });
  const app = floorApp(redis, String(await redis.script('LOAD', floorScript)), prefix);
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const warmup = await drive(base, warmupShape(shape), 'w', () => undefined);
    const run = await drive(base, shape, 'h', () => undefined);
    // The check reads every convoy's inbox back: each event stored once, in the order sent.
    const sent = allSent(warmup, run);
    const ledger = new OrderLedger();
    for (const id of sent.keys()) {
      const entries = await redis.xrange(floorKeys(prefix, id)[1], '-', '+');
      for (const [, fields] of entries) ledger.applied(id, (JSON.parse(fields[1] ?? '{}') as OrderEvent).n);
    }
    const problem = answerProblem(warmup.result) ?? answerProblem(run.result);
    return ingestResult(session, floorName, run, ledger.verify(sent), problem);
  } finally {
    await app.close();
    redis.disconnect();
    await session.admin?.flushdb();
  }
}

/** A Convoy engine over the Redis store on `prefix`, reporting commits to `ledger`. */
function convoyOn(
  session: BenchSession,
  prefix: string,
  ledger: OrderLedger,
  options: { readonly localTurns: number; readonly processing: boolean },
): ConvoyInstance {
  const target = { redisUrl: session.redis?.url ?? '', prefix, ledger, concurrency: 50 };
  const parts = openConvoyRedisParts(target);
  return convoyInstance(target, parts.store, parts.scheduler, parts.close, options);
}

/** A Convoy variant: processing on (local turns or not), or accept only. */
interface ConvoyVariant {
  readonly label: string;
  readonly localTurns: number;
  readonly processing: boolean;
}

async function convoyRep(
  session: BenchSession,
  shape: IngestShape,
  rep: number,
  variant: ConvoyVariant,
): Promise<RepResult> {
  const ledger = new OrderLedger();
  const prefix = `ingest${rep}-${variant.processing ? variant.localTurns : 'accept'}`;
  const instance = convoyOn(session, prefix, ledger, variant);
  const app = buildConvoyApp({ gateway: instance.gateway });
  let drainer: ConvoyInstance | null = null;
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    await instance.start();
    const expect = (convoyId: string, event: OrderEvent): void =>
      instance.expect({ convoyId, event, scheduledAt: Date.now() });
    const warmup = await drive(base, warmupShape(shape), 'w', expect);
    const warmupTotal = [...warmup.sent.values()].reduce((sum, count) => sum + count, 0);
    // With processing on, the warm-up's turns finish before the measured run starts.
    if (variant.processing) await ledger.waitFor(warmupTotal, 60_000);
    const run = await drive(base, shape, 'h', expect);
    let timeout: string | null = null;
    const sent = allSent(warmup, run);
    const total = [...sent.values()].reduce((sum, count) => sum + count, 0);
    try {
      // Accept only: after the measured run, a processing engine on the same store takes the turns
      // the accepts scheduled (not measured), so the row is checked like the others.
      if (!variant.processing) {
        drainer = convoyOn(session, prefix, ledger, { localTurns: 0, processing: true });
        await drainer.start();
      }
      await ledger.waitFor(total, 60_000);
    } catch (error) {
      timeout = error instanceof Error ? error.message : String(error);
    }
    timeout = answerProblem(warmup.result) ?? answerProblem(run.result) ?? timeout;
    const complete = new Map([...sent].filter(([, count]) => count === shape.eventsPerConvoy));
    const check = ledger.verify(sent, await instance.verifyStored(complete));
    return ingestResult(session, variant.label, run, check, timeout);
  } finally {
    await app.close();
    await drainer?.close();
    await instance.close();
    await session.admin?.flushdb();
  }
}

/** HTTP ingest, `reps` times: the floor and the Convoy variants back to back in each repetition. */
export async function httpIngestScenario(
  session: BenchSession,
  shape: IngestShape,
  reps: number,
): Promise<ScenarioResult> {
  const convoyVariants: ConvoyVariant[] = [
    { label: `${httpIngestContender.name}, accept only (--no-worker)`, localTurns: 0, processing: false },
    { label: httpIngestContender.name, localTurns: 0, processing: true },
    { label: `${httpIngestContender.name}, local turns`, localTurns: 50, processing: true },
  ];
  const rows = [floorName, ...convoyVariants.map((variant) => variant.label)].map((contender) => ({
    contender,
    ordered: true,
    reps: [] as RepResult[],
  }));
  for (let rep = 0; rep < reps; rep += 1) {
    session.log(`HTTP ingest (autocannon): repetition ${rep + 1}/${reps}`);
    rows[0]!.reps.push(await floorRep(session, shape, rep));
    for (const [index, variant] of convoyVariants.entries())
      rows[index + 1]!.reps.push(await convoyRep(session, shape, rep, variant));
  }
  return {
    id: 'http-ingest',
    title: `HTTP ingest with autocannon (${shape.connections} connections, ${shape.connections * shape.convoysPerConnection} convoys × ${shape.eventsPerConvoy} events, Redis without persistence)`,
    unit: '202/s',
    higherIsBetter: true,
    baselines: [floorName],
    columns: { p50: 'p50 ms', p99: 'p99 ms', max: 'max ms', requests: 'requests' },
    notes: [
      'POST /convoys/order/:id/events; servers, Redis clients and autocannon in this one process (2 cores shared with redis-server).',
      `Floor: a bare Fastify route running one EVALSHA per request (HINCRBY seq, XADD to the convoy's inbox, ZADD NX dirty), answering 202. Ratios are to the floor (same repetition); targets: processing on ≥ 0.5×, accept only ≥ 0.8×.`,
      'Accept only: the Convoy API over an engine with processing off, as `convoy serve --redis --no-worker` runs it; afterwards a processing engine drains the turns (not measured) for the check.',
      'Rate: 202 answers / time from the first request to the last response. Latency is autocannon’s request latency, one request in flight per connection.',
      'Each server first gets an unmeasured warm-up (a quarter of the convoys, other ids); the check covers warm-up and measured events.',
    ],
    rows,
  };
}
