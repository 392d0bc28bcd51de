/**
 * `inject()` tests of the console's operator routes over the real engine: the convoy list from the status
 * index, a convoy's pending work, the actions (each recorded in the history as an operator entry) and
 * their error bodies, and the `auth` guards.
 */
import type { ConvoyListPage, ConvoyView, HistoryEntry } from '@convoy/core';
import { ConvoyError } from '@convoy/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleConvoyState } from '../src/convoy-state.ts';
import type { ConsoleConvoyWork } from '../src/operator-routes.ts';
import { consoleApp, expectError } from './support/app.ts';
import type { ConsoleApp } from './support/app.ts';
import { sendAndWait } from './support/shop.ts';

let current: ConsoleApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});
const start = async (...args: Parameters<typeof consoleApp>): Promise<ConsoleApp> => {
  current = await consoleApp(...args);
  return current;
};

const history = async (app: ConsoleApp['app'], id: string): Promise<readonly HistoryEntry[]> =>
  (await app.inject({ url: `/console/api/convoys/order/${id}` })).json<ConsoleConvoyState>().history.entries;

describe('console convoy list', () => {
  it('lists convoys of a type by status, state and update time, following the cursor page by page', async () => {
    const { app, engine } = await start();
    for (const id of ['a-1', 'a-2', 'a-3'])
      await sendAndWait(engine, 'order', id, { type: 'PaymentReceived', amount: 1 });
    await sendAndWait(engine, 'order', 'a-3', { type: 'Cancel' });
    await sendAndWait(engine, 'order', 'a-3', { type: 'Refund' });
    const list = async (query: string): Promise<ConvoyListPage> => {
      const response = await app.inject({ url: `/console/api/types/order/convoys${query}` });
      expect(response.statusCode, query).toBe(200);
      return response.json<ConvoyListPage>();
    };
    const ids = (page: ConvoyListPage): string[] => page.items.map((c) => c.id).sort();
    expect(ids(await list('?status=done'))).toEqual(['a-3']);
    expect(ids(await list('?status=active'))).toEqual(['a-1', 'a-2']);
    expect(ids(await list('?state=Shipping.Packing'))).toEqual(['a-1', 'a-2']);
    expect(ids(await list(`?updatedAfter=${new Date(Date.now() + 60_000).toISOString()}`))).toEqual([]);
    expect(ids(await list('?status=active&updatedAfter=0'))).toEqual(['a-1', 'a-2']);

    const first = await list('?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.cursor).not.toBeNull();
    const second = await list(`?limit=2&cursor=${encodeURIComponent(first.cursor ?? '')}`);
    expect([...ids(first), ...ids(second)].sort()).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('refuses a bad filter with 400 invalid_request and an unknown type with 404', async () => {
    const { app } = await start();
    for (const query of [
      '?status=sleeping',
      '?updatedAfter=yesterday',
      '?limit=0',
      '?limit=501',
      '?cursor=%3F%3F',
    ])
      expectError(await app.inject({ url: `/console/api/types/order/convoys${query}` }), 'invalid_request');
    expectError(await app.inject({ url: '/console/api/types/nope/convoys' }), 'unknown_convoy_type');
  });
});

describe('console operator actions', () => {
  it('shows a dead letter, redrives it into the inbox (operator entry) and the event gets a new outcome', async () => {
    const { app, engine } = await start();
    await sendAndWait(engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 5 });
    await sendAndWait(engine, 'order', 'o-1', { type: 'Refund' });
    await sendAndWait(engine, 'order', 'o-1', { type: 'Cancel' });
    const work = (await app.inject({ url: '/console/api/convoys/order/o-1/work' })).json<ConsoleConvoyWork>();
    expect(work.deadLetters.map((d) => [d.seq, d.event.type])).toEqual([[2, 'Refund']]);
    expect(work).toMatchObject({ inbox: [], deferred: [], timers: [] });

    const redrive = await app.inject({
      method: 'POST',
      url: '/console/api/convoys/order/o-1/dead-letters/redrive',
      payload: { seq: 2 },
    });
    expect(redrive.statusCode).toBe(200);
    expect(redrive.json()).toEqual({ redriven: [{ seq: 2, newSeq: 4 }] });
    await engine.waitForSeq({ type: 'order', id: 'o-1' }, 4, 5000);
    const entries = await history(app, 'o-1');
    expect(entries.find((e) => e.outcome === 'operator')).toMatchObject({
      seq: 2,
      operator: { action: 'redrive', newSeq: 4, by: 'console' },
    });
    expect(entries.at(-1)).toMatchObject({ seq: 4, outcome: 'applied', to: 'Refunded' });
    const after = (
      await app.inject({ url: '/console/api/convoys/order/o-1/work' })
    ).json<ConsoleConvoyWork>();
    expect(after.deadLetters).toEqual([]);
  });

  it('discards a dead letter (204, recorded) and answers a seq that is not one with 404 dead_letter_not_found', async () => {
    const { app, engine } = await start();
    await sendAndWait(engine, 'order', 'o-2', { type: 'Refund' });
    const url = '/console/api/convoys/order/o-2/dead-letters/1';
    expect((await app.inject({ method: 'DELETE', url })).statusCode).toBe(204);
    expect((await history(app, 'o-2')).at(-1)).toMatchObject({
      outcome: 'operator',
      operator: { action: 'discard' },
    });
    expectError(await app.inject({ method: 'DELETE', url }), 'dead_letter_not_found');
    expectError(
      await app.inject({ method: 'DELETE', url: '/console/api/convoys/order/o-2/dead-letters/x' }),
      'invalid_request',
    );
  });

  it('pauses (events wait in the inbox), resumes (they are applied) and refuses an action the status does not allow', async () => {
    const { app, engine } = await start();
    await sendAndWait(engine, 'order', 'o-3', { type: 'PaymentReceived', amount: 5 });
    const post = (action: string): Promise<LightMyRequestResponse> =>
      app.inject({ method: 'POST', url: `/console/api/convoys/order/o-3/${action}`, payload: {} });
    const paused = await post('pause');
    expect(paused.statusCode).toBe(200);
    expect(paused.json<ConvoyView>().status).toBe('paused');
    expectError(await post('pause'), 'operation_not_allowed');
    expectError(await post('retry'), 'operation_not_allowed');

    await engine.accept({ type: 'order', id: 'o-3', event: { type: 'Packed' } });
    const work = (await app.inject({ url: '/console/api/convoys/order/o-3/work' })).json<ConsoleConvoyWork>();
    expect(work.inbox.map((e) => [e.seq, e.event.type])).toEqual([[2, 'Packed']]);

    expect((await post('resume')).json<ConvoyView>().status).toBe('active');
    expect(await engine.waitForSeq({ type: 'order', id: 'o-3' }, 2, 5000)).toBe(true);
    const state = (await app.inject({ url: '/console/api/convoys/order/o-3' })).json<ConsoleConvoyState>();
    expect(state.convoy.value).toEqual({ Shipping: 'InTransit' });
    expect(
      state.history.entries.filter((e) => e.outcome === 'operator').map((e) => e.operator?.action),
    ).toEqual(['pause', 'resume']);
    expectError(await post('resume'), 'operation_not_allowed');
  });

  it('answers an unknown type 404, a convoy never seen 404, an unknown action 404 and a bad seq 400', async () => {
    const { app } = await start();
    for (const [method, url] of [
      ['POST', '/console/api/convoys/nope/o-1/pause'],
      ['POST', '/console/api/convoys/nope/o-1/dead-letters/redrive'],
      ['DELETE', '/console/api/convoys/nope/o-1/dead-letters/1'],
      ['GET', '/console/api/convoys/nope/o-1/work'],
    ] as const) {
      expectError(
        await app.inject({ method, url, payload: method === 'POST' ? {} : undefined }),
        'unknown_convoy_type',
      );
    }
    expectError(await app.inject({ url: '/console/api/convoys/order/never/work' }), 'convoy_not_found');
    expectError(
      await app.inject({ method: 'POST', url: '/console/api/convoys/order/never/pause', payload: {} }),
      'convoy_not_found',
    );
    expectError(
      await app.inject({ method: 'POST', url: '/console/api/convoys/order/o-1/explode', payload: {} }),
      'route_not_found',
    );
    expectError(
      await app.inject({
        method: 'POST',
        url: '/console/api/convoys/order/o-1/dead-letters/redrive',
        payload: { seq: 'x' },
      }),
      'invalid_request',
    );
  });
});

describe('console auth', () => {
  it('runs the read guard on every GET and the operate guard on the actions', async () => {
    const deny =
      (token: string) =>
      async (request: { headers: Record<string, unknown> }): Promise<void> => {
        if (request.headers['authorization'] !== `Bearer ${token}`)
          throw new ConvoyError('unauthorized', 'A valid bearer token is required');
      };
    const { app, engine } = await start({ auth: { read: deny('reader'), operate: deny('operator') } });
    await sendAndWait(engine, 'order', 'o-4', { type: 'PaymentReceived', amount: 1 });
    for (const url of [
      '/console',
      '/console/api/types',
      '/console/api/convoys/order/o-4/work',
      '/console/assets/console.js',
    ])
      expectError(await app.inject({ url }), 'unauthorized');
    const reader = { authorization: 'Bearer reader' };
    expect((await app.inject({ url: '/console/api/types/order/convoys', headers: reader })).statusCode).toBe(
      200,
    );
    const pause = { method: 'POST' as const, url: '/console/api/convoys/order/o-4/pause', payload: {} };
    expectError(await app.inject({ ...pause, headers: reader }), 'unauthorized');
    const ok = await app.inject({ ...pause, headers: { authorization: 'Bearer operator' } });
    expect(ok.json<ConvoyView>().status).toBe('paused');
  });
});
