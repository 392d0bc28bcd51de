/**
 * "Ran but the reply was lost": a TCP proxy between the store and Redis lets a script run on Redis, then
 * cuts the connection before the reply reaches the client. ioredis reconnects and re-sends the script
 * (its default), so the same script runs twice. Each script must make that harmless: one inbox entry
 * per accept, the same claim for a re-sent claim, one history entry per event for a re-sent commit.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvoyKey } from '@convoy/core';
import type { Claim, TurnCommit } from '@convoy/core/store';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type TestRedisServer } from './redis-server.ts';

/** A proxy that can swallow the next reply from Redis and drop the connection instead. */
interface ReplyDroppingProxy {
  readonly port: number;
  /** The next reply from Redis is not forwarded: both sockets are destroyed instead. */
  dropNextReply(): void;
  /** How many replies were dropped so far. */
  dropped(): number;
  close(): Promise<void>;
}

async function startProxy(upstreamPort: number): Promise<ReplyDroppingProxy> {
  const port = await freePort();
  let drop = false;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    const destroy = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (drop) {
        drop = false;
        dropped += 1;
        destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('error', destroy).on('close', destroy);
    upstream.on('error', destroy).on('close', destroy);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    dropNextReply: () => void (drop = true),
    dropped: () => dropped,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let server: TestRedisServer;
let proxy: ReplyDroppingProxy;

beforeAll(async () => {
  server = await startRedisServer();
  proxy = await startProxy(server.port);
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

const key: ConvoyKey = { type: 'order', id: 'lossy' };
let run = 0;

async function lossyStore(): Promise<RedisConvoyStore> {
  run += 1;
  // Connect through the proxy; a quick reconnect keeps the test short. Commands waiting for a reply
  // when the connection drops are re-sent after the reconnect (ioredis' default).
  const client = new Redis({ host: '127.0.0.1', port: proxy.port, retryStrategy: () => 20 });
  client.on('error', () => undefined);
  await client.ping();
  return new RedisConvoyStore({ connection: client, prefix: `loss${run}`, buckets: 4 });
}

function turnOf(claim: Claim, now: number): TurnCommit {
  const processedSeq = claim.events.at(-1)?.seq ?? 0;
  return {
    record: {
      key,
      status: 'active',
      definitionVersion: 1,
      snapshot: {},
      value: 'Open',
      context: { processedSeq },
      processedSeq,
      deferred: [],
      timers: {},
      createdAt: now,
      updatedAt: now,
      revision: (claim.record?.revision ?? 0) + 1,
    },
    history: claim.events.map((e) => ({
      seq: e.seq,
      event: e.event,
      outcome: 'applied',
      from: 'Open',
      to: 'Open',
      at: now,
    })),
    deadLetters: [],
    effects: [],
    timers: { arm: [], cancel: [] },
  };
}

const accept = (store: RedisConvoyStore, n: number, idempotencyKey?: string) =>
  store.accept({
    key,
    event: { type: 'Add', n },
    source: idempotencyKey === undefined ? { kind: 'client' } : { kind: 'client', idempotencyKey },
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    fingerprint: `fp-${n}`,
    now: n,
    maxBacklog: 100,
  });

describe('redis scripts when a reply is lost and ioredis re-sends', () => {
  it('an accept without idempotency key is appended once', async () => {
    const store = await lossyStore();
    proxy.dropNextReply();
    const before = proxy.dropped();
    // The re-sent run cannot tell whether the lost one made the convoy dirty: it asks for a wake-up.
    expect(await accept(store, 1)).toMatchObject({ seq: 1, duplicate: false, wake: true });
    expect(proxy.dropped()).toBe(before + 1);
    expect(await accept(store, 2)).toMatchObject({ seq: 2, duplicate: false });
    expect(await store.client.xlen(store.keys.convoy(key).inbox)).toBe(2);
    await store.client.quit();
  });

  it('an accept with an idempotency key is appended once and not reported as a duplicate', async () => {
    const store = await lossyStore();
    proxy.dropNextReply();
    // The first run was applied; the caller only sees the re-sent run, which finds its own record.
    expect(await accept(store, 1, 'k-1')).toMatchObject({ seq: 1, duplicate: false });
    // Another request with the same key is the duplicate.
    expect(await accept(store, 1, 'k-1')).toMatchObject({ seq: 1, duplicate: true });
    expect(await store.client.xlen(store.keys.convoy(key).inbox)).toBe(1);
    expect((await store.get(key))?.accepted).toBe(1);
    await store.client.quit();
  });

  it('a claim gets the same claim back, not "busy"', async () => {
    const store = await lossyStore();
    await accept(store, 1);
    proxy.dropNextReply();
    const claim = await store.claim(key, { owner: 'w', leaseMs: 10_000, maxEvents: 10, now: 10 });
    expect(claim).not.toBeNull();
    expect(claim?.epoch).toBe(1);
    expect(claim?.events.map((e) => e.seq)).toEqual([1]);
    await store.client.quit();
  });

  it('a commit is applied once and reported as a success', async () => {
    const store = await lossyStore();
    await accept(store, 1);
    await accept(store, 2);
    const claim = await store.claim(key, { owner: 'w', leaseMs: 10_000, maxEvents: 10, now: 10 });
    const before = proxy.dropped();
    proxy.dropNextReply();
    expect(await store.commit(claim!, turnOf(claim!, 11))).toEqual({ revision: 1, hasMore: false });
    expect(proxy.dropped()).toBe(before + 1);
    expect((await store.history(key)).map((e) => e.seq)).toEqual([1, 2]);
    expect((await store.get(key))?.record?.revision).toBe(1);
    await store.client.quit();
  });
});
