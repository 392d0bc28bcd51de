/**
 * Access control per route group (bearer tokens and a host hook), health and readiness.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyEngine } from '@convoy/runtime';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConvoyApp } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';
import { expectError } from './support/expect-error.ts';

let engine: ConvoyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await memoryEngine();
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

const tokens = {
  read: { tokens: ['reader-token', { name: 'ops-alice', token: 'operator-token' }] },
  write: { tokens: ['writer-token'] },
  operate: { tokens: [{ name: 'ops-alice', token: 'operator-token' }] },
};

function call(
  method: 'GET' | 'POST',
  url: string,
  token?: string,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      // A body-less POST shows it is no form with X-Convoy-Request, as the typed client does.
      ...(body === undefined ? { 'x-convoy-request': '1' } : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

describe('bearer tokens per route group', () => {
  beforeEach(() => {
    app = buildConvoyApp({ gateway: engine, auth: tokens });
  });

  it('refuses a request without a token with 401 and WWW-Authenticate, before reading the body', async () => {
    const response = await call('POST', '/convoys/parcel/a-1/events', undefined, { type: 'OrderPlaced' });
    expectError(response, 'unauthorized');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    // Not even a body problem is reported to an unauthenticated caller.
    const garbage = await app.inject({
      method: 'POST',
      url: '/convoys/parcel/a-1/events',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    expectError(garbage, 'unauthorized');
    expectError(await call('GET', '/convoys/parcel/a-1', 'made-up'), 'unauthorized');
    expectError(await call('GET', '/convoys/parcel/a-1', ''), 'unauthorized');
    expect(await engine.getConvoy({ type: 'parcel', id: 'a-1' })).toBeNull();
  });

  it('a token of another group is 403 forbidden; the right one passes', async () => {
    expectError(
      await call('POST', '/convoys/parcel/a-2/events', 'reader-token', { type: 'OrderPlaced' }),
      'forbidden',
    );
    const accepted = await call('POST', '/convoys/parcel/a-2/events?wait=5000', 'writer-token', {
      type: 'OrderPlaced',
    });
    expect(accepted.statusCode).toBe(202);
    expectError(await call('GET', '/convoys/parcel/a-2', 'writer-token'), 'forbidden');
    expect((await call('GET', '/convoys/parcel/a-2', 'reader-token')).statusCode).toBe(200);
    expect((await call('GET', '/convoys/parcel', 'reader-token')).statusCode).toBe(200);
    expect((await call('GET', '/convoy-types', 'reader-token')).statusCode).toBe(200);
  });

  it('every operator route refuses read and write tokens; an operator token acts and is named in the history', async () => {
    await call('POST', '/convoys/parcel/a-3/events?wait=5000', 'writer-token', { type: 'OrderPlaced' });
    const operatorCalls: Array<[method: 'POST' | 'DELETE', url: string]> = [
      ['POST', '/convoys/parcel/a-3/pause'],
      ['POST', '/convoys/parcel/a-3/resume'],
      ['POST', '/convoys/parcel/a-3/retry'],
      ['POST', '/convoys/parcel/a-3/dead-letters/redrive'],
      ['DELETE', '/convoys/parcel/a-3/dead-letters/1'],
    ];
    for (const [method, url] of operatorCalls) {
      for (const token of ['reader-token', 'writer-token']) {
        const response = await app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token}`, 'x-convoy-request': '1' },
        });
        expectError(response, 'forbidden');
      }
      expectError(await app.inject({ method, url }), 'unauthorized');
    }
    expect((await call('POST', '/convoys/parcel/a-3/pause', 'operator-token')).statusCode).toBe(200);
    const history = await call('GET', '/convoys/parcel/a-3/history', 'operator-token');
    expect(history.json<{ items: unknown[] }>().items.at(-1)).toMatchObject({
      outcome: 'operator',
      operator: { action: 'pause', by: 'ops-alice' },
    });
  });

  it('every read route refuses a missing token', async () => {
    for (const url of [
      '/convoys/parcel',
      '/convoys/parcel/a-4',
      '/convoys/parcel/a-4/history',
      '/convoys/parcel/a-4/wait?seq=1',
      '/convoys/parcel/a-4/dead-letters',
      '/convoys/parcel/a-4/inbox',
      '/convoys/parcel/a-4/deferred',
      '/convoys/parcel/a-4/timers',
      '/dead-letters/parcel',
      '/convoy-types',
      '/convoy-types/parcel',
    ]) {
      expectError(await call('GET', url), 'unauthorized');
    }
  });

  it('health, readiness and the OpenAPI document stay open', async () => {
    expect((await call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await call('GET', '/readyz')).json()).toEqual({ status: 'ready' });
    expect((await call('GET', '/openapi.json')).statusCode).toBe(200);
  });
});

describe('a host hook as guard', () => {
  it('runs as preHandler: its ConvoyError is the answer, and its principal is recorded', async () => {
    app = buildConvoyApp({
      gateway: engine,
      auth: {
        operate: async (request) => {
          const user = request.headers['x-user'];
          if (user !== 'root') throw new ConvoyError('forbidden', 'Only root may operate');
          request.convoyPrincipal = 'root';
        },
      },
    });
    await call('POST', '/convoys/parcel/h-1/events?wait=5000', undefined, { type: 'OrderPlaced' });
    expectError(await call('POST', '/convoys/parcel/h-1/pause'), 'forbidden');
    const paused = await app.inject({
      method: 'POST',
      url: '/convoys/parcel/h-1/pause',
      headers: { 'x-user': 'root', 'x-convoy-request': '1' },
    });
    expect(paused.statusCode).toBe(200);
    const history = await call('GET', '/convoys/parcel/h-1/history');
    expect(history.json<{ items: unknown[] }>().items.at(-1)).toMatchObject({ operator: { by: 'root' } });
  });
});

describe('health', () => {
  it('readyz is 503 store_unavailable once the store is gone; healthz stays 200', async () => {
    const { MemoryConvoyStore, MemoryTurnScheduler, createConvoyEngine, silentLogger } =
      await import('@convoy/runtime');
    const store = new MemoryConvoyStore();
    const local = createConvoyEngine({
      definitions: [],
      store,
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
    });
    app = buildConvoyApp({ gateway: local });
    expect((await call('GET', '/readyz')).statusCode).toBe(200);
    await store.close();
    expectError(await call('GET', '/readyz'), 'store_unavailable');
    expect((await call('GET', '/healthz')).statusCode).toBe(200);
    expectError(await call('POST', '/healthz'), 'method_not_allowed');
    await local.close();
  });
});
