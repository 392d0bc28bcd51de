import { isConvoyError } from '@convoy/core';
import type { ConvoyError } from '@convoy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConvoyClient } from '../src/index.ts';
import type { ConvoyClient, EventDecision, HistoryItem, WaitResult } from '../src/index.ts';
import type { TestConvoys } from './support/convoys.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
let bare: TestServer;
let convoy: ConvoyClient<TestConvoys>;

beforeAll(async () => {
  server = await startTestServer();
  bare = await startTestServer({ console: false });
  convoy = createConvoyClient<TestConvoys>({ baseUrl: server.url });
});
afterAll(async () => {
  await server.close();
  await bare.close();
});

/** The ConvoyError a promise rejects with (fails the test if it resolves or throws something else). */
async function convoyError(promise: Promise<unknown>): Promise<ConvoyError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!isConvoyError(error)) throw error;
  return error;
}

describe('a typed client against a real server', () => {
  it('sends, waits and reads back what the convoy did', async () => {
    const placed = await convoy.send('order', 'o-1', { type: 'OrderPlaced', amount: 42 });
    expect(placed).toEqual({ type: 'order', id: 'o-1', seq: 1, duplicate: false });
    await expect(convoy.wait('order', 'o-1', 1, 2000)).resolves.toMatchObject({ seq: 1, processed: true });
    const paid = await convoy.send('order', 'o-1', { type: 'PaymentConfirmed' }, { wait: 2000 });
    expect(paid).toMatchObject({ seq: 2, processed: true });

    const view = await convoy.get('order', 'o-1');
    expect(view).toMatchObject({
      status: 'active',
      value: 'Paid',
      context: { amount: 42 },
      seq: 2,
      accepted: 2,
    });
    const history = await convoy.history('order', 'o-1');
    expect(history.map((h) => [h.seq, h.event.type, h.outcome, h.to])).toEqual([
      [1, 'OrderPlaced', 'applied', 'AwaitingPayment'],
      [2, 'PaymentConfirmed', 'applied', 'Paid'],
    ]);
    expect(typeof history[0]?.at).toBe('string');
  });

  it('a waited send returns the outcome typed: dead-lettered, deferred then applied with final, done', async () => {
    const refund = await convoy.send('order', 'o-w', { type: 'Refund' }, { wait: 5000 });
    // `processed` narrows the receipt: only a processed one has an outcome.
    if (!refund.processed) throw new Error('not processed in time');
    const outcome: EventDecision | undefined = refund.outcome;
    expect(outcome).toBe('deadLettered');
    expect(refund).toMatchObject({
      reason: 'not_accepted_in_state',
      final: true,
      status: 'active',
      value: 'New',
    });

    const early = await convoy.send('order', 'o-w', { type: 'PaymentConfirmed' }, { wait: 5000 });
    expect(early).toMatchObject({ seq: 2, processed: true, outcome: 'deferred', final: false });
    const final = convoy.wait('order', 'o-w', 2, 10_000, { final: true });
    await convoy.send('order', 'o-w', { type: 'OrderPlaced', amount: 1 });
    const result: WaitResult = await final;
    expect(result).toMatchObject({
      seq: 2,
      outcome: 'applied',
      final: true,
      status: 'active',
      value: 'Paid',
    });

    await convoy.send('order', 'o-w', { type: 'Shipped', carrier: 'dhl' }, { wait: 5000 });
    expect(await convoy.send('order', 'o-w', { type: 'Refund' }, { wait: 5000, final: true })).toMatchObject({
      outcome: 'rejected',
      reason: 'convoy_done',
      status: 'done',
      value: 'Shipped',
    });
  });

  it('an idempotency key sent twice gets the original receipt', async () => {
    const first = await convoy.send(
      'ticket',
      't-1',
      { type: 'Opened', title: 'a' },
      { idempotencyKey: 'k-1' },
    );
    const again = await convoy.send(
      'ticket',
      't-1',
      { type: 'Opened', title: 'a' },
      { idempotencyKey: 'k-1' },
    );
    expect(again).toEqual({ ...first, duplicate: true });
    const conflict = await convoyError(
      convoy.send('ticket', 't-1', { type: 'Opened', title: 'b' }, { idempotencyKey: 'k-1' }),
    );
    expect([conflict.code, conflict.statusCode]).toEqual(['idempotency_conflict', 409]);
  });

  it("errors carry the server's code and status", async () => {
    const missing = await convoyError(convoy.get('order', 'never-seen'));
    expect(missing).toMatchObject({ code: 'convoy_not_found', statusCode: 404 });
    expect(missing.details?.['status']).toBe(404);

    const untyped = createConvoyClient({ baseUrl: server.url });
    expect((await convoyError(untyped.get('nope', 'x'))).code).toBe('unknown_convoy_type');
    expect((await convoyError(untyped.send('order', 'o-9', { type: 'Teleport' }))).code).toBe(
      'unknown_event_type',
    );
    expect((await convoyError(untyped.get('order', 'bad id!'))).code).toBe('invalid_convoy_id');

    await convoy.send('ticket', 't-wait', { type: 'Opened', title: 'w' }, { wait: 2000 });
    const timeout = await convoyError(convoy.wait('ticket', 't-wait', 5, 50));
    expect([timeout.code, timeout.statusCode, timeout.retryable]).toEqual(['wait_timeout', 408, true]);
  });

  it('an unreachable server is a clear error naming the URL', async () => {
    const nowhere = createConvoyClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(nowhere.types()).rejects.toThrow(/Cannot reach Convoy at http:\/\/127\.0\.0\.1:1/);
  });

  it('sends the bearer token and extra headers on every request; a trailing slash is harmless', async () => {
    const seen: Array<string | null> = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return fetch(input, init);
    };
    const client = createConvoyClient<TestConvoys>({
      baseUrl: `${server.url}/`,
      token: 's3cret',
      fetch: recording,
    });
    expect(client.baseUrl).toBe(server.url);
    await client.types();
    await client.send('ticket', 't-auth', { type: 'Opened', title: 'x' });
    expect(seen).toEqual(['Bearer s3cret', 'Bearer s3cret']);
  });

  it('lists types, describes one and renders its diagram in every format', async () => {
    expect((await convoy.types()).map((t) => t.type).sort()).toEqual(['order', 'ticket']);
    const order = await convoy.describe('order');
    expect(order.events).toEqual(['OrderPlaced', 'PaymentConfirmed', 'Shipped', 'Refund']);
    expect(await convoy.diagram('order', 'mermaid')).toMatch(/^stateDiagram-v2/);
    expect(await convoy.diagram('order', 'stately')).toContain('createMachine(');
    expect(await convoy.diagram('order', 'dot')).toMatch(/^digraph/);
    expect(await convoy.diagram('order', 'svg')).toContain('<svg');
  });

  it('dot and svg come from the API itself: a server without the console serves them too', async () => {
    const client = createConvoyClient<TestConvoys>({ baseUrl: bare.url });
    expect(await client.diagram('order')).toMatch(/^stateDiagram-v2/);
    expect(await client.diagram('order', 'dot')).toMatch(/^digraph/);
    expect(await client.diagram('order', 'svg')).toContain('<svg');
    const error = await convoyError(client.diagram('nope' as 'order', 'svg'));
    expect(error.code).toBe('unknown_convoy_type');
  });

  it('follow yields each history entry once, as it is committed, until aborted', async () => {
    const abort = new AbortController();
    const seen: HistoryItem[] = [];
    const following = (async () => {
      for await (const item of convoy.follow('ticket', 't-follow', {
        signal: abort.signal,
        intervalMs: 20,
      })) {
        seen.push(item);
        if (seen.length === 2) abort.abort();
      }
    })();
    await convoy.send('ticket', 't-follow', { type: 'Opened', title: 'f' }, { wait: 2000 });
    await convoy.send('ticket', 't-follow', { type: 'Closed' }, { wait: 2000 });
    await following;
    expect(seen.map((h) => [h.seq, h.event.type])).toEqual([
      [1, 'Opened'],
      [2, 'Closed'],
    ]);
  });

  it('follow with untilDone ends by itself once the convoy is done, after its last entry', async () => {
    const seen: HistoryItem[] = [];
    const following = (async () => {
      for await (const item of convoy.follow('ticket', 't-done', { intervalMs: 20, untilDone: true })) {
        seen.push(item);
      }
    })();
    await convoy.send('ticket', 't-done', { type: 'Opened', title: 'd' }, { wait: 2000 });
    await convoy.send('ticket', 't-done', { type: 'Closed' }, { wait: 2000 });
    await following; // no abort: the generator returned because the convoy is done
    expect(seen.map((h) => [h.seq, h.event.type, h.to])).toEqual([
      [1, 'Opened', 'Open'],
      [2, 'Closed', 'Closed'],
    ]);
  });
});
