/**
 * The OpenAPI document lists every route the plugin serves, and the Prometheus metrics move when the
 * engine processes events.
 */
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { convoyPlugin, createConvoyMetrics, buildConvoyApp } from '../src/index.ts';
import { ledger, memoryEngine, parcel } from './support/convoys.ts';

describe('OpenAPI', () => {
  it('/openapi.json lists every route the plugin registers (except the 405 guards), with its method', async () => {
    const engine = await memoryEngine();
    const metrics = createConvoyMetrics();
    const host = Fastify({ routerOptions: { maxParamLength: 1024 } });
    const served: string[] = [];
    host.addHook('onRoute', (route) => {
      if (route.schema?.hide === true) return;
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') served.push(`${method} ${route.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
      }
    });
    await host.register(convoyPlugin, { gateway: engine, metrics, prefix: '/api' });
    await host.ready();
    const response = await host.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThanOrEqual(21);
    expect(documented.sort()).toEqual(served.sort());
    // Spot checks: the operator routes are there, with their parameters.
    expect(documented).toContain('POST /api/convoys/{type}/{id}/dead-letters/redrive');
    expect(documented).toContain('DELETE /api/convoys/{type}/{id}/dead-letters/{seq}');
    expect(documented).toContain('GET /api/metrics');
    await host.close();
    await engine.close();
  });

  it('schemas document only: the plugin still answers its own 400 codes, not AJV messages', async () => {
    const engine = await memoryEngine();
    const app = buildConvoyApp({ gateway: engine });
    const response = await app.inject({ method: 'GET', url: '/convoys/parcel?limit=abc' });
    expect(response.json()).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('limit'),
    });
    await app.close();
    await engine.close();
  });
});

describe('Prometheus metrics', () => {
  it('counters, histograms and the status gauge change after events are processed', async () => {
    const metrics = createConvoyMetrics();
    const engine = createConvoyEngine({
      definitions: [parcel, ledger],
      store: new MemoryConvoyStore(),
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
      waitPollMs: 10,
      metrics: metrics.sink,
    });
    await engine.start();
    const app = buildConvoyApp({ gateway: engine, metrics });
    const scrape = async (): Promise<string> => {
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      return response.body;
    };
    const before = await scrape();
    expect(before).not.toMatch(/convoy_events_processed_total\{/);

    for (const type of ['OrderPlaced', 'PaymentConfirmed', 'OrderCanceled']) {
      await app.inject({
        method: 'POST',
        url: '/convoys/parcel/m-1/events?wait=5000',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ type, amount: 1 }),
      });
    }
    const after = await scrape();
    expect(after).toContain('convoy_events_received_total{type="parcel",source="client"} 3');
    expect(after).toContain('convoy_events_processed_total{type="parcel",outcome="applied"} 3');
    expect(after).toMatch(/convoy_event_latency_seconds_count\{type="parcel"\} 3/);
    expect(after).toMatch(/convoy_turn_duration_seconds_count\{type="parcel"\} [1-3]/);
    expect(after).toMatch(/convoy_queue_wait_seconds_count\{type="parcel"\} 3/);
    expect(after).toContain('convoy_convoys{type="parcel",status="done"} 1');
    expect(after).toContain('convoy_convoys{type="parcel",status="active"} 0');
    // Ids never become labels.
    expect(after).not.toContain('m-1');
    await app.close();
    await engine.close();
  });
});
