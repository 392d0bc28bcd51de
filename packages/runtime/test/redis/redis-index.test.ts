/**
 * The Redis status index: kept per bucket (one Cluster slot per script), merged on read, and repaired
 * on read when retention expired a convoy's keys behind its index entry.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

const accept = (store: RedisConvoyStore, id: string, now: number) =>
  store.accept({
    key: { type: 'order', id },
    event: { type: 'Go' },
    source: { kind: 'client' },
    fingerprint: 'fp',
    now,
    maxBacklog: 100,
  });

it('indexes each convoy under its own bucket tag and lists all buckets merged, newest first', async () => {
  const store = new RedisConvoyStore({
    connection: server.url,
    prefix: `ix-${randomUUID().slice(0, 8)}`,
    buckets: 16,
  });
  for (let i = 0; i < 12; i += 1) await accept(store, `o-${i}`, 1_000 + i);
  const page = await store.listConvoys({ type: 'order', status: 'active', limit: 20 });
  expect(page.items.map((item) => item.key.id)).toEqual(Array.from({ length: 12 }, (_, i) => `o-${11 - i}`));
  const buckets = new Set(page.items.map((item) => store.keys.bucketOf(item.key)));
  expect(buckets.size).toBeGreaterThan(1);
  for (const { key } of page.items) {
    const indexKey = store.keys.convoy(key).statusIndexes[0]!;
    expect(indexKey).toContain(store.keys.tagOf(store.keys.bucketOf(key)));
    expect(await store.client.zscore(indexKey, store.keys.convoy(key).member)).not.toBeNull();
  }
  expect((await store.countConvoys('order')).active).toBe(12);
  await store.close();
});

it('drops the index entry of a convoy whose keys expired (retention) when a listing meets it', async () => {
  const store = new RedisConvoyStore({
    connection: server.url,
    prefix: `ix-${randomUUID().slice(0, 8)}`,
    buckets: 4,
  });
  await accept(store, 'kept', 1);
  await accept(store, 'expired', 2);
  const gone = store.keys.convoy({ type: 'order', id: 'expired' });
  await store.client.del(gone.meta, gone.inbox);
  const page = await store.listConvoys({ type: 'order', limit: 10 });
  expect(page.items.map((item) => item.key.id)).toEqual(['kept']);
  expect(await store.client.zscore(gone.statusIndexes[0]!, gone.member)).toBeNull();
  expect((await store.countConvoys('order')).active).toBe(1);
  await store.close();
});
