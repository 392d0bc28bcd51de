import { isConvoyError } from '@convoy/core';
import type { ConvoyError } from '@convoy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConvoyClient } from '../src/index.ts';
import type { ConvoyClient } from '../src/index.ts';
import type { TestConvoys } from './support/convoys.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
let guarded: TestServer;
let convoy: ConvoyClient<TestConvoys>;

beforeAll(async () => {
  server = await startTestServer({ console: false });
  guarded = await startTestServer({ console: false, auth: { operate: { tokens: ['ops-token'] } } });
  convoy = createConvoyClient<TestConvoys>({ baseUrl: server.url });
});
afterAll(async () => {
  await server.close();
  await guarded.close();
});

async function convoyError(promise: Promise<unknown>): Promise<ConvoyError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!isConvoyError(error)) throw error;
  return error;
}

describe('the operator API through the client', () => {
  it('dead letters are listed, redriven in place of a new seq, and discarded', async () => {
    await convoy.send('order', 'o-dl', { type: 'OrderPlaced', amount: 5 });
    await convoy.send('order', 'o-dl', { type: 'Refund' });
    await convoy.send('order', 'o-dl', { type: 'Refund' });
    await convoy.send('order', 'o-dl', { type: 'PaymentConfirmed' }, { wait: 2000 });
    const letters = await convoy.deadLetters('order', 'o-dl');
    expect(letters.map((l) => [l.type, l.id, l.seq, l.event.type, typeof l.at])).toEqual([
      ['order', 'o-dl', 2, 'Refund', 'string'],
      ['order', 'o-dl', 3, 'Refund', 'string'],
    ]);
    const page = await convoy.listDeadLetters('order', { limit: 10 });
    expect(page.items.filter((l) => l.id === 'o-dl').map((l) => l.seq)).toEqual([2, 3]);

    const receipt = await convoy.redrive('order', 'o-dl', { seq: 2 });
    expect(receipt.redriven).toEqual([{ seq: 2, newSeq: 5 }]);
    await convoy.wait('order', 'o-dl', 5, 2000);
    expect(await convoy.get('order', 'o-dl')).toMatchObject({ status: 'done', value: 'Refunded' });

    await convoy.discard('order', 'o-dl', 3);
    expect(await convoy.deadLetters('order', 'o-dl')).toEqual([]);
    const operator = (await convoy.history('order', 'o-dl')).filter((h) => h.outcome === 'operator');
    expect(operator.map((h) => [h.seq, h.operator?.action])).toEqual([
      [2, 'redrive'],
      [3, 'discard'],
    ]);
    expect((await convoyError(convoy.discard('order', 'o-dl', 3))).code).toBe('dead_letter_not_found');
  });

  it('bulk redrive and discard over a type, and the fleet overview', async () => {
    for (const id of ['o-b1', 'o-b2']) {
      await convoy.send('order', id, { type: 'OrderPlaced', amount: 5 });
      await convoy.send('order', id, { type: 'Refund' });
      await convoy.send('order', id, { type: 'Refund' }, { wait: 2000 });
    }
    const fleetBefore = await convoy.fleet();
    const orders = fleetBefore.items.find((item) => item.type === 'order');
    expect(orders?.deadLetterConvoys).toBeGreaterThanOrEqual(2);
    expect(Object.keys(orders?.counts ?? {}).sort()).toEqual([
      'active',
      'blocked',
      'done',
      'paused',
      'stalled',
    ]);

    const discarded = await convoy.discardMany('order', [
      { id: 'o-b1', seq: 3 },
      { id: 'o-b2', seq: 3 },
    ]);
    expect(discarded).toEqual([
      { id: 'o-b1', seq: 3, discarded: true },
      { id: 'o-b2', seq: 3, discarded: true },
    ]);
    const redriven = await convoy.redriveMany('order', ['o-b1', 'o-b2']);
    expect(redriven).toEqual([
      { id: 'o-b1', redriven: [{ seq: 2, newSeq: 4 }] },
      { id: 'o-b2', redriven: [{ seq: 2, newSeq: 4 }] },
    ]);
    expect(await convoy.deadLetters('order', 'o-b2')).toEqual([]);
    // Nothing left to redrive is not a refusal; a convoy never seen is, in its own row.
    expect(await convoy.redriveMany('order', ['o-b2', 'o-none'])).toEqual([
      { id: 'o-b2', redriven: [] },
      { id: 'o-none', error: { code: 'convoy_not_found', message: expect.any(String) } },
    ]);
  });

  it('a paused convoy keeps its events in the inbox until resumed; list filters by status', async () => {
    await convoy.send('ticket', 't-p', { type: 'Opened', title: 'p' }, { wait: 2000 });
    expect(await convoy.pause('ticket', 't-p')).toMatchObject({ status: 'paused' });
    const { seq } = await convoy.send('ticket', 't-p', { type: 'Closed' }, { wait: 100 });
    expect((await convoy.inbox('ticket', 't-p')).map((e) => [e.seq, e.event.type])).toEqual([
      [seq, 'Closed'],
    ]);
    expect((await convoy.list('ticket', { status: 'paused' })).items.map((v) => v.id)).toContain('t-p');
    expect((await convoyError(convoy.pause('ticket', 't-p'))).code).toBe('operation_not_allowed');

    expect(await convoy.resume('ticket', 't-p')).toMatchObject({ status: 'active' });
    await convoy.wait('ticket', 't-p', seq, 2000);
    expect(await convoy.get('ticket', 't-p')).toMatchObject({ status: 'done', value: 'Closed' });
    const done = await convoy.list('ticket', { status: 'done', limit: 50 });
    expect(done.items.map((v) => v.id)).toContain('t-p');
    expect(await convoy.inbox('ticket', 't-p')).toEqual([]);
  });

  it('deferred events and timers are readable', async () => {
    await convoy.send('order', 'o-def', { type: 'PaymentConfirmed' }, { wait: 2000 });
    const deferred = await convoy.deferred('order', 'o-def');
    expect(deferred.map((d) => [d.seq, d.event.type, typeof d.deferredAt])).toEqual([
      [1, 'PaymentConfirmed', 'string'],
    ]);
    expect(await convoy.timers('order', 'o-def')).toEqual([]);
  });

  it('a list pages with its cursor', async () => {
    for (const id of ['t-l1', 't-l2', 't-l3']) await convoy.send('ticket', id, { type: 'Opened', title: id });
    const first = await convoy.list('ticket', { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.cursor).not.toBeNull();
    const second = await convoy.list('ticket', { limit: 50, cursor: first.cursor ?? '' });
    const ids = [...first.items, ...second.items].map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['t-l1', 't-l2', 't-l3']));
  });

  it('auth refusals come back as unauthorized; the token passes', async () => {
    const anonymous = createConvoyClient<TestConvoys>({ baseUrl: guarded.url });
    await anonymous.send('ticket', 't-auth', { type: 'Opened', title: 'a' }, { wait: 2000 });
    const refused = await convoyError(anonymous.pause('ticket', 't-auth'));
    expect([refused.code, refused.statusCode]).toEqual(['unauthorized', 401]);
    const operator = createConvoyClient<TestConvoys>({ baseUrl: guarded.url, token: 'ops-token' });
    expect(await operator.pause('ticket', 't-auth')).toMatchObject({ status: 'paused' });
  });
});
