/**
 * Spans and logs of the engine: an accepted event's `convoy.accept` span, the `convoy.turn` that
 * processes it (linked to the accept through the traceparent stored with the event, on the memory and
 * the Redis store), its `convoy.effect` children, a lost claim as an error, and pino bindings per turn.
 */
import type { ConvoyKey } from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import {
  createConvoyEngine,
  MemoryConvoyStore,
  MemoryTurnScheduler,
  pinoLogger,
  silentLogger,
  type PinoLike,
} from '@convoy/runtime';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { ManualClock } from '@convoy/runtime/testing';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from './redis/redis-server.ts';
import { tallyConvoy } from './support/tally.ts';

const exporter = new InMemorySpanExporter();
let redis: TestRedisServer;
const stores: ConvoyStore[] = [];

beforeAll(async () => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const store of stores.splice(0)) await store.close();
  await redis.stop();
  trace.disable();
});
beforeEach(() => exporter.reset());

const spansNamed = (name: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.name === name);

const storeKinds: ReadonlyArray<readonly [string, () => ConvoyStore]> = [
  ['memory', () => new MemoryConvoyStore()],
  [
    'redis',
    () => new RedisConvoyStore({ connection: redis.url, prefix: `otel-${Math.random()}`, buckets: 4 }),
  ],
];

describe.each(storeKinds)('spans on the %s store', (_name, makeStore) => {
  it('links the turn to the accept of each event it processes, with effect spans as children', async () => {
    const store = makeStore();
    stores.push(store);
    const engine = createConvoyEngine({
      definitions: [tallyConvoy(() => undefined)],
      store,
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
      workerId: 'w-1',
    });
    const key: ConvoyKey = { type: 'tally', id: 't-1' };
    await engine.accept({ ...key, event: { type: 'Add', n: 1 } });
    await engine.accept({ ...key, event: { type: 'Add', n: 2 }, idempotencyKey: 'k-2' });
    await engine.accept({ ...key, event: { type: 'Add', n: 2 }, idempotencyKey: 'k-2' });
    await engine.runTurn(key);

    const accepts = spansNamed('convoy.accept');
    expect(accepts.map((span) => [span.attributes['convoy.seq'], span.attributes.duplicate])).toEqual([
      [1, false],
      [2, false],
      [2, true],
    ]);
    expect(accepts[0]!.attributes).toMatchObject({ 'convoy.type': 'tally', 'convoy.id': 't-1' });

    const [turn, ...more] = spansNamed('convoy.turn');
    expect(more).toEqual([]);
    expect(turn!.attributes).toMatchObject({
      'convoy.type': 'tally',
      'convoy.id': 't-1',
      'convoy.events': 2,
      'convoy.outcome.applied': 2,
      'convoy.seq': 2,
      'convoy.worker_id': 'w-1',
    });
    expect(typeof turn!.attributes['convoy.epoch']).toBe('number');
    // The duplicate accept stored nothing: the turn links to the two accepts that stored an event.
    expect(turn!.links.map((link) => [link.context.spanId, link.attributes?.['convoy.seq']])).toEqual([
      [accepts[0]!.spanContext().spanId, 1],
      [accepts[1]!.spanContext().spanId, 2],
    ]);

    const effects = spansNamed('convoy.effect');
    expect(effects).toHaveLength(2);
    for (const effect of effects) {
      expect(effect.parentSpanContext?.spanId).toBe(turn!.spanContext().spanId);
      expect(effect.attributes).toMatchObject({ 'convoy.action': 'recorded', 'convoy.attempt': 1 });
    }
    expect(effects.map((effect) => effect.attributes['convoy.effect_id'])).toEqual([
      'tally|t-1|1|0',
      'tally|t-1|2|0',
    ]);
    await engine.close();
  });
});

describe('spans and logs of failing work', () => {
  it('marks each failed effect attempt and a turn that lost its claim as errors', async () => {
    const clock = new ManualClock(1_000);
    const store = new MemoryConvoyStore();
    const key: ConvoyKey = { type: 'tally', id: 't-lost' };
    let attempts = 0;
    const definition = tallyConvoy(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('first attempt fails');
      // The lease runs out while the effect runs and another worker claims the convoy.
      clock.advance(60_000);
      await store.claim(key, { owner: 'other', leaseMs: 30_000, maxEvents: 10, now: clock.now() });
    });
    const engine = createConvoyEngine({
      definitions: [definition],
      store,
      scheduler: new MemoryTurnScheduler(),
      clock,
      logger: silentLogger,
      effectRetry: { attempts: 2, baseDelayMs: 0 },
    });
    await engine.accept({ ...key, event: { type: 'Add', n: 1 } });
    await engine.runTurn(key);

    const effects = spansNamed('convoy.effect');
    expect(effects.map((span) => [span.attributes['convoy.attempt'], span.status.code])).toEqual([
      [1, SpanStatusCode.ERROR],
      [2, SpanStatusCode.UNSET],
    ]);
    const [turn] = spansNamed('convoy.turn');
    expect(turn!.status.code).toBe(SpanStatusCode.ERROR);
    expect(turn!.attributes['convoy.stale_claim']).toBe(true);
    await engine.close();
  });

  it("logs a turn through pino with the convoy's bindings", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const fakePino = (bindings: Record<string, unknown>): PinoLike => {
      const write = (level: string) => (fields: object, msg: string) =>
        void lines.push({ level, ...bindings, ...fields, msg });
      return {
        child: (more) => fakePino({ ...bindings, ...more }),
        debug: write('debug'),
        info: write('info'),
        warn: write('warn'),
        error: write('error'),
      };
    };
    const engine = createConvoyEngine({
      definitions: [tallyConvoy(() => undefined)],
      store: new MemoryConvoyStore(),
      scheduler: new MemoryTurnScheduler(),
      logger: pinoLogger(fakePino({ service: 'test' })),
      workerId: 'w-7',
    });
    const key: ConvoyKey = { type: 'tally', id: 't-log' };
    await engine.accept({ ...key, event: { type: 'Add', n: 5 } });
    await engine.runTurn(key);
    const committed = lines.find((line) => line.msg === 'turn committed');
    expect(committed).toMatchObject({
      level: 'debug',
      service: 'test',
      convoyType: 'tally',
      convoyId: 't-log',
      workerId: 'w-7',
      seq: 1,
      outcomes: { applied: 1 },
    });
    expect(typeof committed?.epoch).toBe('number');
    await engine.close();
  });
});
