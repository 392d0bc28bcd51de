/**
 * The route table is the contract: every answer the API sends, success or refusal, parses with the
 * zod schema the OpenAPI document is generated from (strict objects, so an undocumented field fails),
 * and every status sent is one the table documents for its route.
 */
import { defineConvoy } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { z } from 'zod';
import { apiRoutes, buildConvoyApp } from '../src/index.ts';
import type { DocumentedRoute } from '../src/index.ts';
import { errorItem } from '../src/contract/responses.ts';

/** Dead-letters early events, arms a timer while it waits for pickup, defers nothing. */
const shipmentMachine = setup({
  types: { events: {} as { type: 'Booked' } | { type: 'PickedUp' } | { type: 'Delivered' } },
}).createMachine({
  id: 'shipment',
  initial: 'New',
  states: {
    New: { on: { Booked: 'AwaitingPickup' } },
    AwaitingPickup: { after: { 60_000: 'Lost' }, on: { PickedUp: 'InTransit' } },
    InTransit: { tags: ['moving'], on: { Delivered: 'Delivered' } },
    Delivered: { type: 'final' },
    Lost: { type: 'final' },
  },
});
const shipment = defineConvoy({ type: 'shipment', machine: shipmentMachine, unexpected: 'deadLetter' });
const parcel = defineConvoy({ type: 'parcel', machine: shipmentMachine });

const routes = apiRoutes(30_000);
let engine: ConvoyEngine;
let app: FastifyInstance;
const checked = new Set<DocumentedRoute>();

beforeAll(async () => {
  engine = createConvoyEngine({
    definitions: [shipment, parcel],
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
    waitPollMs: 10,
  });
  await engine.start();
  app = buildConvoyApp({ gateway: engine });
});
afterAll(async () => {
  await app.close();
  await engine.close();
});

/** Call `route` and check the answer against its spec; returns the response. */
async function call(
  route: DocumentedRoute,
  url: string,
  options: { body?: object; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const spec = routes[route];
  const response = await app.inject({
    method: spec.method,
    url,
    ...(options.body === undefined
      ? {}
      : { payload: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  const status = response.statusCode;
  const documented = spec.responses[status];
  if (status >= 400) {
    const errors = [...(spec.errors ?? []), 500, 503];
    expect(errors, `${route} answered ${status}: ${response.body}`).toContain(status);
    errorItem.parse(response.json());
  } else {
    expect(documented, `${route} answered an undocumented ${status}`).toBeDefined();
    if (documented instanceof z.ZodType) {
      const parsed = documented.safeParse(response.json());
      expect(parsed.error?.issues ?? [], `${route} ${status}: ${response.body}`).toEqual([]);
    }
  }
  checked.add(route);
  return response;
}

describe('every answer matches the route table', () => {
  it('over a convoy with a dead letter, a timer, an operator history and every read route', async () => {
    const post = (type: string, id: string, event: string, query = '?wait=5000') =>
      call('POST /convoys/:type/:id/events', `/convoys/${type}/${id}/events${query}`, {
        body: { type: event },
      });
    await post('shipment', 's-1', 'PickedUp'); // dead-lettered: not accepted in New
    await post('shipment', 's-1', 'Booked'); // AwaitingPickup, a timer armed
    const receipt = (await post('shipment', 's-1', 'Booked', '')).json<{ seq: number }>();
    await post('parcel', 'p-1', 'Delivered'); // deferred
    await post('parcel', 'p-1', 'Nope'); // 422 unknown_event_type

    await call('GET /convoys/:type/:id/wait', `/convoys/shipment/s-1/wait?seq=${receipt.seq}&timeout=5000`);
    await call('GET /convoys/:type/:id/wait-for', '/convoys/shipment/s-1/wait-for?state=AwaitingPickup');
    await call('GET /convoys/:type/:id/wait-for', '/convoys/shipment/s-1/wait-for?tag=moving&timeout=0');
    await call('GET /convoys/:type/:id', '/convoys/shipment/s-1');
    await call('GET /convoys/:type/:id', '/convoys/shipment/never');
    await call('GET /convoys/:type/:id', '/convoys/nope/s-1');
    await call('GET /convoys/:type/:id/history', '/convoys/shipment/s-1/history');
    await call('GET /convoys/:type', '/convoys/shipment?status=active&limit=1');
    await call('GET /convoys/:type', '/convoys/shipment?status=zombie');
    await call('GET /convoys/:type/:id/dead-letters', '/convoys/shipment/s-1/dead-letters');
    await call('GET /dead-letters/:type', '/dead-letters/shipment');
    await call('GET /convoys/:type/:id/inbox', '/convoys/shipment/s-1/inbox');
    await call('GET /convoys/:type/:id/deferred', '/convoys/parcel/p-1/deferred');
    await call('GET /convoys/:type/:id/timers', '/convoys/shipment/s-1/timers');
    await call('POST /convoys/:type/:id/pause', '/convoys/shipment/s-1/pause', { body: {} });
    await call('POST /convoys/:type/:id/pause', '/convoys/shipment/s-1/pause', { body: {} }); // 409
    await call('POST /convoys/:type/:id/resume', '/convoys/shipment/s-1/resume', { body: {} });
    await call('POST /convoys/:type/:id/retry', '/convoys/shipment/s-1/retry', { body: {} }); // 409
    await call('POST /convoys/:type/:id/dead-letters/redrive', '/convoys/shipment/s-1/dead-letters/redrive', {
      body: { seq: 1 },
    });
    await post('shipment', 's-2', 'Delivered');
    await call('DELETE /convoys/:type/:id/dead-letters/:seq', '/convoys/shipment/s-2/dead-letters/1');
    await call('DELETE /convoys/:type/:id/dead-letters/:seq', '/convoys/shipment/s-2/dead-letters/1'); // 404
    await call('GET /convoys/:type/:id/history', '/convoys/shipment/s-1/history');
    await post('shipment', 's-3', 'PickedUp');
    await post('shipment', 's-4', 'PickedUp');
    await call('GET /fleet', '/fleet');
    await call('POST /dead-letters/:type/redrive', '/dead-letters/shipment/redrive', {
      body: { ids: ['s-3', 'never'] },
    });
    await call('POST /dead-letters/:type/redrive', '/dead-letters/shipment/redrive', { body: { ids: [] } });
    await call('POST /dead-letters/:type/discard', '/dead-letters/shipment/discard', {
      body: {
        letters: [
          { id: 's-4', seq: 1 },
          { id: 's-4', seq: 9 },
        ],
      },
    });
    await call('POST /dead-letters/:type/discard', '/dead-letters/nope/discard', {
      body: { letters: [{ id: 's-4', seq: 1 }] },
    });
    await call('GET /convoy-types', '/convoy-types');
    await call('GET /convoy-types/:type', '/convoy-types/shipment');
    const dot = await call('GET /convoy-types/:type/diagram.dot', '/convoy-types/shipment/diagram.dot');
    expect(dot.headers['content-type']).toBe('text/vnd.graphviz; charset=utf-8');
    const svg = await call('GET /convoy-types/:type/diagram.svg', '/convoy-types/shipment/diagram.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.body).toContain('<g id="shipment.AwaitingPickup" class="node');
    await call('GET /convoy-types/:type/diagram.svg', '/convoy-types/nope/diagram.svg');
    await call('GET /healthz', '/healthz');
    await call('GET /readyz', '/readyz');
    await call('GET /openapi.json', '/openapi.json');

    // Every route but the streams (SSE, covered by streams.test.ts) and /metrics (not mounted here).
    const unchecked = Object.keys(routes).filter((route) => !checked.has(route as DocumentedRoute));
    expect(unchecked.sort()).toEqual([
      'GET /convoys/:type/:id/stream',
      'GET /convoys/:type/stream',
      'GET /metrics',
    ]);
  });

  it('documents each route once in /openapi.json with its query parameters and error statuses', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string }[]; responses: object }>
      >;
    }>();
    const list = doc.paths['/convoys/{type}']?.['get'];
    expect(list?.parameters?.filter((p) => p.in === 'query').map((p) => p.name)).toEqual([
      'status',
      'state',
      'updatedAfter',
      'cursor',
      'limit',
    ]);
    expect(Object.keys(list?.responses ?? {})).toEqual(['200', '400', '401', '403', '404', '500', '503']);
    const status = (list?.parameters?.find((p) => p.name === 'status') as { schema?: { enum?: string[] } })
      ?.schema;
    expect(status?.enum).toEqual(['active', 'done', 'blocked', 'stalled', 'paused']);
    expect(doc.paths['/convoy-types/{type}/diagram.svg']?.['get']).toBeDefined();
  });
});
