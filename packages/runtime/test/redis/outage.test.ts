/**
 * Every Redis store call has a deadline: a redis-server that is frozen (SIGSTOP), killed or never there
 * makes calls fail with `store_unavailable` within the store's `callTimeoutMs` (pings within
 * `pingTimeoutMs`) instead of hanging, and the same store works again once Redis is back, with no
 * restart of the process.
 */
import { randomUUID } from 'node:crypto';
import { isConvoyError } from '@convoy/core';
import { RedisConvoyStore } from '@convoy/runtime/redis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type TestRedisServer } from './redis-server.ts';

let server: TestRedisServer | undefined;
let store: RedisConvoyStore | undefined;

afterEach(async () => {
  const pid = server?.pid();
  if (pid !== undefined && pid > 0) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  await store?.close().catch(() => undefined);
  await server?.stop();
  server = undefined;
  store = undefined;
});

const key = { type: 'order', id: 'o-1' };
const accept = (target: RedisConvoyStore, now: number) =>
  target.accept({
    key,
    event: { type: 'OrderPlaced' },
    source: { kind: 'client' },
    fingerprint: 'fp',
    now,
    maxBacklog: 100,
  });

/** How long `call` took to fail, and with which code. */
async function failure(
  call: () => Promise<unknown>,
): Promise<{ readonly ms: number; readonly code: string }> {
  const started = Date.now();
  try {
    await call();
  } catch (error) {
    return { ms: Date.now() - started, code: isConvoyError(error) ? error.code : String(error) };
  }
  throw new Error('the call succeeded');
}

async function eventually(check: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('Redis store deadlines', () => {
  it('a frozen redis-server: calls fail with store_unavailable at the deadline, then work again', async () => {
    server = await startRedisServer();
    store = new RedisConvoyStore({
      connection: server.url,
      prefix: `out-${randomUUID().slice(0, 8)}`,
      callTimeoutMs: 800,
      pingTimeoutMs: 300,
    });
    await store.waitUntilReady(5_000);
    expect((await accept(store, 1_000)).seq).toBe(1);

    process.kill(server.pid(), 'SIGSTOP');
    const ping = await failure(() => store!.ping());
    const write = await failure(() => accept(store!, 2_000));
    const read = await failure(() => store!.get(key));
    console.log(`frozen redis: ping failed in ${ping.ms} ms, accept in ${write.ms} ms, get in ${read.ms} ms`);
    expect(ping).toMatchObject({ code: 'store_unavailable' });
    expect(ping.ms).toBeLessThan(800);
    for (const outcome of [write, read]) {
      expect(outcome.code).toBe('store_unavailable');
      expect(outcome.ms).toBeLessThan(2_000);
    }

    process.kill(server.pid(), 'SIGCONT');
    await eventually(() => store!.ping(), 5_000);
    // The timed-out accept may still have reached Redis (its outcome was unknown): 2 or 3.
    expect([2, 3]).toContain((await accept(store, 3_000)).seq);
  }, 30_000);

  it('a killed redis-server: calls fail at once while it is down, the same store recovers on restart', async () => {
    server = await startRedisServer();
    store = new RedisConvoyStore({ connection: server.url, prefix: `out-${randomUUID().slice(0, 8)}` });
    await store.waitUntilReady(5_000);
    expect((await accept(store, 1_000)).seq).toBe(1);

    await server.kill9();
    const ping = await failure(() => store!.ping());
    const write = await failure(() => accept(store!, 2_000));
    console.log(`killed redis: ping failed in ${ping.ms} ms, accept in ${write.ms} ms`);
    expect(ping.code).toBe('store_unavailable');
    expect(write.code).toBe('store_unavailable');
    expect(ping.ms).toBeLessThan(2_000);

    await server.restart();
    await eventually(() => store!.ping(), 10_000);
    expect((await accept(store, 3_000)).seq).toBe(2);
  }, 30_000);

  it('waitUntilReady on a port nobody listens on fails with store_unavailable at its timeout', async () => {
    const port = await freePort();
    store = new RedisConvoyStore({ connection: `redis://127.0.0.1:${port}` });
    const started = Date.now();
    await expect(store.waitUntilReady(1_000)).rejects.toMatchObject({
      code: 'store_unavailable',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
