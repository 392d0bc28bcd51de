/**
 * The Redis status index: kept per bucket (one Cluster slot per script), merged on read, and repaired
 * on read when retention expired a convoy's keys behind its index entry; operator scripts re-sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConvoyRecord } from '@convoy/core';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { commitOperatorArgs, redriveArgs } from '../../src/redis/operator-args.ts';
import { registerScripts } from '../../src/redis/scripts.ts';
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

it('operator scripts are safe to run twice (ioredis may re-send after a reconnect)', async () => {
  const store = new RedisConvoyStore({
    connection: server.url,
    prefix: `ix-${randomUUID().slice(0, 8)}`,
    buckets: 4,
  });
  const scripts = registerScripts(store.client);
  const key = { type: 'order', id: 'twice' };
  const k = store.keys.convoy(key);
  await accept(store, 'twice', 1);
  const claim = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 10, now: 2 });
  const record: ConvoyRecord = {
    key, status: 'active', definitionVersion: 1, snapshot: null, value: 'Open', context: null,
    processedSeq: 1, deferred: [], timers: {}, createdAt: 2, updatedAt: 2, revision: 1,
  }; // prettier-ignore
  const letter = { key, seq: 1, event: { type: 'Go' }, reason: 'unknown_event_type' as const, at: 2 };
  await store.commit(claim!, {
    record,
    history: [],
    deadLetters: [letter],
    effects: [],
    timers: { arm: [], cancel: [] },
  });

  const paused = { ...record, status: 'paused' as const, updatedAt: 3, revision: 2 };
  const entry = {
    seq: 1,
    event: { type: 'operator.pause' },
    outcome: 'operator' as const,
    from: 'Open',
    to: 'Open',
    at: 3,
    operator: { action: 'pause' as const },
  };
  const feedKey = store.keys.changeFeed(key.type);
  const feed = { key: feedKey, maxLen: 100 };
  const pauseArgs = commitOperatorArgs(key, k, feed, { expectedRevision: 1, record: paused, entry }, 100);
  expect(await scripts.commitOperator(...pauseArgs)).toBe(2);
  expect(await scripts.commitOperator(...pauseArgs)).toBe(2);

  const [raw] = await store.client.lrange(k.dlq, 0, -1);
  const redrive = redriveArgs(key, k, feed, [{ raw: raw!, letter }], { key, now: 4 }, 100);
  expect(await scripts.redriveDeadLetters(...redrive)).toEqual([2]);
  expect(await scripts.redriveDeadLetters(...redrive)).toEqual([0]);
  // One change-feed entry per applied change (commit, pause, redrive): a re-run appends nothing.
  expect(await store.client.xlen(feedKey)).toBe(3);

  const history = await store.history(key);
  expect(history.map((e) => e.operator?.action)).toEqual(['pause', 'redrive']);
  expect(history[1]).toMatchObject({ seq: 1, operator: { action: 'redrive', newSeq: 2 } });
  expect((await store.get(key))?.accepted).toBe(2);
  expect(await store.listDeadLetterConvoys({ type: 'order', limit: 10 })).toEqual({
    items: [],
    cursor: null,
  });
  await store.close();
});
