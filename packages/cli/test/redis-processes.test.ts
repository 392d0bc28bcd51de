/**
 * Two `convoy serve --redis --no-worker` HTTP nodes plus three `convoy worker` processes on one private
 * Redis behave as one system: a client alternating between the HTTP nodes gets one sequence per convoy,
 * every convoy applies its events in acceptance order, a retry on the other node is answered from the
 * original receipt, and every process exits 0 on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis } from './support/redis-server.ts';
import type { TestRedis } from './support/redis-server.ts';
import {
  getJson,
  postEvent,
  spawnConvoy,
  waitForOutput,
  waitForUrl,
  waitProcessed,
} from './support/convoy-process.ts';
import type { ConvoyProcess } from './support/convoy-process.ts';

const module = 'test/fixtures/support-ticket.ts';

describe('convoy serve --no-worker ×2 + convoy worker ×3 on one Redis', () => {
  let redis: TestRedis;
  let apis: ConvoyProcess[] = [];
  let workers: ConvoyProcess[] = [];
  let urls: string[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    apis = [1, 2].map(() =>
      spawnConvoy(['serve', module, '--port', '0', '--redis', redis.url, '--no-worker']),
    );
    workers = [1, 2, 3].map(() =>
      spawnConvoy(['worker', module, '--redis', redis.url, '--concurrency', '4']),
    );
    urls = await Promise.all(apis.map(waitForUrl));
    await Promise.all(workers.map((worker) => waitForOutput(worker, /Convoy worker \S+ processing/)));
  }, 90_000);

  afterAll(async () => {
    for (const process of [...apis, ...workers]) process.kill();
    await redis?.stop();
  });

  it('the API nodes say they only serve HTTP', () => {
    for (const api of apis)
      expect(api.stdout()).toMatch(
        /Redis store at redis:\/\/127\.0\.0\.1:\d+ \(durable, shared\), HTTP only/,
      );
  });

  const nodeUrl = (n: number): string => urls[n % urls.length] ?? '';

  it('processes 12 convoys in parallel, each in acceptance order, whichever node accepted each event', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `r-${i + 1}`);
    await Promise.all(
      ids.map(async (id) => {
        const path = `/convoys/support-ticket/${id}/events`;
        const events = [
          { type: 'TicketOpened' },
          { type: 'AgentAssigned', agent: id },
          { type: 'CustomerReplied' },
          { type: 'CustomerReplied' },
          { type: 'TicketClosed' }, // early: deferred until resolved
          { type: 'TicketResolved' },
        ];
        for (const [index, event] of events.entries()) {
          // Alternate nodes: each 202 arrives before the next POST, so this is the acceptance order.
          const answer = await postEvent(nodeUrl(index), path, event, `${id}-${index}`);
          expect(answer).toMatchObject({ status: 202, body: { seq: index + 1, duplicate: false } });
        }
        const retry = await postEvent(nodeUrl(1), path, events[0] ?? {}, `${id}-0`);
        expect(retry).toMatchObject({ status: 202, body: { seq: 1, duplicate: true } });
      }),
    );
    for (const id of ids) {
      const convoy = await waitProcessed(nodeUrl(0), `/convoys/support-ticket/${id}`, 6);
      expect(convoy.body).toMatchObject({ status: 'done', value: 'Closed', accepted: 6 });
      expect(convoy.body['context']).toEqual({ assignee: id, replies: 2 });
      const history = await getJson(nodeUrl(1), `/convoys/support-ticket/${id}/history`);
      const items = history.body['items'] as Array<{ seq: number; outcome: string }>;
      expect(items.map((item) => `${item.seq}:${item.outcome}`)).toEqual([
        '1:applied',
        '2:applied',
        '3:applied',
        '4:applied',
        '5:deferred',
        '6:applied',
        '5:applied',
      ]);
    }
  }, 60_000);

  it('a worker stopped with SIGTERM mid-stream exits 0 and the others finish every convoy in order', async () => {
    const stopped = workers[0];
    if (!stopped) throw new Error('no worker');
    const ids = Array.from({ length: 8 }, (_, i) => `s-${i + 1}`);
    const replies = 12;
    let sent = 0;
    const producers = ids.map(async (id) => {
      const path = `/convoys/support-ticket/${id}/events`;
      const events = [
        { type: 'TicketOpened' },
        { type: 'AgentAssigned', agent: id },
        ...Array.from({ length: replies }, () => ({ type: 'CustomerReplied' })),
        { type: 'TicketResolved' },
        { type: 'TicketClosed' },
      ];
      for (const [index, event] of events.entries()) {
        const answer = await postEvent(nodeUrl(index), path, event, `${id}-${index}`);
        expect(answer.status).toBe(202);
        sent += 1;
      }
      return events.length;
    });
    // Stop one worker while the producers are still sending.
    while (sent < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    stopped.child.kill('SIGTERM');
    const counts = await Promise.all(producers);
    expect(await stopped.exited).toEqual({ code: 0, signal: null });
    for (const [i, id] of ids.entries()) {
      const total = counts[i] ?? 0;
      const convoy = await waitProcessed(nodeUrl(i), `/convoys/support-ticket/${id}`, total, 30_000);
      expect(convoy.body).toMatchObject({ status: 'done', value: 'Closed', accepted: total });
      expect(convoy.body['context']).toEqual({ assignee: id, replies });
      const history = await getJson(nodeUrl(i + 1), `/convoys/support-ticket/${id}/history`);
      const items = history.body['items'] as Array<{ seq: number; outcome: string }>;
      expect(items.map((item) => `${item.seq}:${item.outcome}`)).toEqual(
        Array.from({ length: total }, (_, k) => `${k + 1}:applied`),
      );
    }
  }, 90_000);

  it('every process exits 0 on SIGTERM', async () => {
    const all = [...apis, ...workers];
    for (const process of all) process.child.kill('SIGTERM');
    const exits = await Promise.all(all.map((process) => process.exited));
    expect(exits).toEqual(all.map(() => ({ code: 0, signal: null })));
  }, 30_000);

  it('refuses to start on a Redis that may evict keys', async () => {
    expect(await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru')).toBe('+OK');
    const refused = spawnConvoy(['worker', module, '--redis', redis.url]);
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr()).toMatch(/maxmemory-policy is "allkeys-lru"/);
  }, 30_000);
});
