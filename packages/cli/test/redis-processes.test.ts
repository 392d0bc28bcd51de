/**
 * `convoy serve --redis --no-worker` plus two `convoy worker` processes on one private Redis behave as one
 * system: every convoy applies its events in acceptance order, duplicates are answered from the original
 * receipt, and every process exits 0 on SIGTERM.
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

describe('convoy serve --no-worker + convoy worker ×2 on one Redis', () => {
  let redis: TestRedis;
  let api: ConvoyProcess;
  let workers: ConvoyProcess[] = [];
  let url: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    api = spawnConvoy(['serve', module, '--port', '0', '--redis', redis.url, '--no-worker']);
    workers = [1, 2].map(() => spawnConvoy(['worker', module, '--redis', redis.url, '--concurrency', '4']));
    url = await waitForUrl(api);
    await Promise.all(workers.map((worker) => waitForOutput(worker, /Convoy worker \S+ processing/)));
  }, 60_000);

  afterAll(async () => {
    for (const process of [api, ...workers]) process?.kill();
    await redis?.stop();
  });

  it('the API node says it only serves HTTP', () => {
    expect(api.stdout()).toMatch(/Redis store at redis:\/\/127\.0\.0\.1:\d+ \(durable, shared\), HTTP only/);
  });

  it('processes 12 convoys in parallel, each in acceptance order, through the worker processes', async () => {
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
          const answer = await postEvent(url, path, event, `${id}-${index}`);
          expect(answer).toMatchObject({ status: 202, body: { seq: index + 1, duplicate: false } });
        }
        const retry = await postEvent(url, path, events[0] ?? {}, `${id}-0`);
        expect(retry).toMatchObject({ status: 202, body: { seq: 1, duplicate: true } });
      }),
    );
    for (const id of ids) {
      const convoy = await waitProcessed(url, `/convoys/support-ticket/${id}`, 6);
      expect(convoy.body).toMatchObject({ status: 'done', value: 'Closed', accepted: 6 });
      expect(convoy.body['context']).toEqual({ assignee: id, replies: 2 });
      const history = await getJson(url, `/convoys/support-ticket/${id}/history`);
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

  it('every process exits 0 on SIGTERM', async () => {
    for (const process of [api, ...workers]) process.child.kill('SIGTERM');
    const exits = await Promise.all([api, ...workers].map((process) => process.exited));
    expect(exits).toEqual([0, 0, 0].map((code) => ({ code, signal: null })));
  }, 30_000);

  it('refuses to start on a Redis that may evict keys', async () => {
    expect(await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru')).toBe('+OK');
    const refused = spawnConvoy(['worker', module, '--redis', redis.url]);
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr()).toMatch(/maxmemory-policy is "allkeys-lru"/);
  }, 30_000);
});
