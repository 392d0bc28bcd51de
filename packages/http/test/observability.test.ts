/**
 * Observability through HTTP: a POSTed event yields the accept, turn and effect spans (the turn linked to
 * the accept), and request logs never carry the Authorization or Idempotency-Key header values.
 */
import { Writable } from 'node:stream';
import { defineConvoy } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { buildConvoyApp } from '../src/index.ts';

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  // What an application's OpenTelemetry SDK registers (e.g. sdk-node): provider, context manager, W3C propagator.
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

/** Each `Ship` emits one `notify` effect. */
const shipment = defineConvoy({
  type: 'shipment',
  machine: setup({
    types: { context: {} as { shipped: number }, events: {} as { type: 'Ship' } },
    actions: { notify: () => undefined },
  }).createMachine({
    id: 'shipment',
    context: { shipped: 0 },
    on: { Ship: { actions: [assign({ shipped: ({ context }) => context.shipped + 1 }), 'notify'] } },
  }),
  effects: { notify: () => undefined },
});

const memoryEngine = () =>
  createConvoyEngine({
    definitions: [shipment],
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
  });

describe('spans of a POSTed event', () => {
  it('accept, then a turn linked to it, then the effect under the turn', async () => {
    const engine = memoryEngine();
    const app = buildConvoyApp({ gateway: engine });
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/shipment/s-1/events',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"Ship"}',
    });
    expect(response.statusCode).toBe(202);
    await engine.runTurn({ type: 'shipment', id: 's-1' });

    const spans = exporter.getFinishedSpans();
    const accept = spans.find((span) => span.name === 'convoy.accept');
    const turn = spans.find((span) => span.name === 'convoy.turn');
    const effect = spans.find((span) => span.name === 'convoy.effect');
    expect(accept?.attributes).toMatchObject({
      'convoy.type': 'shipment',
      'convoy.id': 's-1',
      'convoy.seq': 1,
      duplicate: false,
    });
    expect(turn?.links.map((link) => link.context.spanId)).toEqual([accept?.spanContext().spanId]);
    expect(turn?.attributes).toMatchObject({ 'convoy.outcome.applied': 1, 'convoy.events': 1 });
    expect(effect?.parentSpanContext?.spanId).toBe(turn?.spanContext().spanId);
    expect(effect?.attributes).toMatchObject({
      'convoy.action': 'notify',
      'convoy.effect_id': expect.stringMatching(/^shipment\|s-1\|1\|0\|\w+$/),
    });
    await app.close();
    await engine.close();
  });
});

describe('a caller with a traceparent header', () => {
  it("makes the accept span a child of the caller's span", async () => {
    exporter.reset();
    const engine = memoryEngine();
    const app = buildConvoyApp({ gateway: engine });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/shipment/s-3/events',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      payload: '{"type":"Ship"}',
    });
    expect(response.statusCode).toBe(202);
    const accept = exporter.getFinishedSpans().find((span) => span.name === 'convoy.accept');
    expect(accept?.spanContext().traceId).toBe(traceId);
    expect(accept?.parentSpanContext?.spanId).toBe(callerSpanId);
    await app.close();
    await engine.close();
  });
});

describe('request logs', () => {
  it('redact Authorization and Idempotency-Key even when a serializer logs every header', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const engine = memoryEngine();
    const app = buildConvoyApp({
      gateway: engine,
      logger: {
        level: 'info',
        stream,
        serializers: {
          req: (request: FastifyRequest) => ({ method: request.method, headers: request.headers }),
        },
      },
    });
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/shipment/s-2/events',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer very-secret-token',
        'idempotency-key': 'private-key-1',
      },
      payload: '{"type":"Ship"}',
    });
    expect(response.statusCode).toBe(202);
    await app.close();
    await engine.close();
    const logged = lines.join('');
    const incoming = lines
      .map((line) => JSON.parse(line) as { req?: { headers?: Record<string, string> } })
      .find((line) => line.req?.headers);
    expect(incoming?.req?.headers).toMatchObject({
      authorization: '[redacted]',
      'idempotency-key': '[redacted]',
      'content-type': 'application/json',
    });
    expect(logged).not.toContain('very-secret-token');
    expect(logged).not.toContain('private-key-1');
  });
});
