/**
 * The change feed on a single Redis: the store's scripts append to the type's feed themselves, in the
 * same atomic step as the change, so a commit or an operator change costs no separate `XADD` round trip
 * and its notification cannot be lost to a crash in between. Counted with `MONITOR` on a private server:
 * a client-sent `XADD` shows with the client's address, a script's own commands with source `lua`.
 * With `inScripts: false` (what a Cluster client always does) the node still publishes with its own XADD.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { ConvoyKey } from '@convoy/core';
import { createConvoyEngine, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { RedisConvoyStore, type RedisConvoyStoreOptions } from '@convoy/runtime/redis';
import { crashLedger } from './fixtures/ledger.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

/** Counts the XADDs clients send (not the ones scripts run) while it is open. */
async function watchClientXadds(): Promise<{ count: () => number; stop: () => void }> {
  const client = server.client();
  const monitor: Redis = await client.monitor();
  let xadds = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === 'xadd' && !source.startsWith('lua')) xadds += 1;
  });
  return {
    count: () => xadds,
    stop: () => {
      monitor.disconnect();
      client.disconnect();
    },
  };
}

/** An engine over a fresh prefix, and a watcher on another store (as another process would be). */
async function setup(changeFeed?: RedisConvoyStoreOptions['changeFeed']) {
  const prefix = `feed-${randomUUID().slice(0, 8)}`;
  const store = new RedisConvoyStore({ connection: server.url, prefix, buckets: 4, changeFeed });
  const reader = new RedisConvoyStore({ connection: server.url, prefix, buckets: 4, changeFeed });
  const engine = createConvoyEngine({
    definitions: [crashLedger],
    store,
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
  });
  await engine.start();
  const seen: string[] = [];
  const stopWatching = reader.watchChanges('crash-ledger', {
    onChange: (key) => seen.push(key.id),
    onGap: () => undefined,
  });
  // The reader starts after the newest entry: let it reach its blocking read first.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const feedLength = () => store.client.xlen(store.keys.changeFeed('crash-ledger'));
  return {
    store,
    engine,
    seen,
    feedLength,
    close: async () => {
      stopWatching();
      await engine.close();
      await store.close();
      await reader.close();
    },
  };
}

/** MONITOR output trails the commands themselves a little. */
const monitorCaughtUp = () => new Promise((resolve) => setTimeout(resolve, 100));

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('redis change feed on a single Redis', () => {
  it('a commit appends exactly one feed entry from its script: no XADD of its own, watchers see it', async () => {
    const { store, engine, seen, feedLength, close } = await setup();
    const xadds = await watchClientXadds();
    try {
      expect(store.publishesChanges).toBe(true);
      const key: ConvoyKey = { type: 'crash-ledger', id: 'lone' };
      for (let n = 1; n <= 3; n += 1) {
        await engine.accept({ ...key, event: { type: 'Add', n } });
        expect(await engine.waitForSeq(key, n, 5_000)).toBe(true);
        await until(() => seen.length >= n);
      }
      // One entry per commit (each lone event is its own turn), none sent by the node.
      expect(await feedLength()).toBe(3);
      expect(seen).toEqual(['lone', 'lone', 'lone']);

      // Operator changes publish from their scripts too.
      await engine.pauseConvoy(key);
      await until(() => seen.length >= 4);
      await engine.resumeConvoy(key);
      await until(() => seen.length >= 5);
      expect(await feedLength()).toBe(5);
      await monitorCaughtUp();
      expect(xadds.count()).toBe(0);
    } finally {
      xadds.stop();
      await close();
    }
  });

  it('with inScripts off (as on Cluster) the node publishes each change with its own XADD', async () => {
    const { store, engine, seen, feedLength, close } = await setup({ inScripts: false });
    const xadds = await watchClientXadds();
    try {
      expect(store.publishesChanges).toBe(false);
      const key: ConvoyKey = { type: 'crash-ledger', id: 'node-published' };
      await engine.accept({ ...key, event: { type: 'Add', n: 1 } });
      expect(await engine.waitForSeq(key, 1, 5_000)).toBe(true);
      await until(() => seen.length >= 1);
      await engine.pauseConvoy(key);
      await until(() => seen.length >= 2);
      expect(await feedLength()).toBe(2);
      await monitorCaughtUp();
      expect(xadds.count()).toBe(2);
    } finally {
      xadds.stop();
      await close();
    }
  });
});
