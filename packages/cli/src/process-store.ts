/**
 * Which store a `convoy` process runs on: the embedded memory store by default, Redis with `--redis`.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyStore, TurnScheduler } from '@convoy/core/store';
import { consoleLogger, MemoryConvoyStore, MemoryTurnScheduler } from '@convoy/runtime';
import type { ConvoyLogger } from '@convoy/runtime';
import { checkRedisUrl, redactUrl, watchRedisConnection } from './redis-connection.ts';

export { redactUrl } from './redis-connection.ts';

/** How long start-up waits for Redis before giving up with an error naming the URL. */
export const redisStartupTimeoutMs = 5_000;

/** Options shared by `serve` and `worker` for the store. */
export interface StoreOptions {
  /** Redis URL (`redis://host:port/db`); without it the embedded memory store is used. */
  readonly redis?: string | undefined;
  /**
   * Convoys processed at the same time by this process.
   * @defaultValue 16
   */
  readonly concurrency?: number | undefined;
  /**
   * With Redis: most convoys one BullMQ "wake" job carries when several wake-ups are asked for in one
   * event-loop turn (`--wake-batch`); 1 gives every convoy its own "turn" job, the only kind
   * workers of an earlier version take (set it while a rolling upgrade still runs such workers).
   * @defaultValue 64
   */
  readonly wakeBatch?: number | undefined;
  /** Receives store warnings such as "AOF is off". @defaultValue console.warn */
  readonly warn?: (message: string) => void;
  /**
   * Deadline of every Redis store call in milliseconds (`--store-timeout`): past it a request answers
   * `503 store_unavailable` with `Retry-After: 1` instead of hanging. Readiness pings use at most 1 s.
   * @defaultValue 5000
   */
  readonly storeTimeoutMs?: number | undefined;
  /**
   * Where Redis connection losses and recoveries are reported (once per change, with the redacted URL).
   * @defaultValue the runtime's console logger
   */
  readonly log?: ConvoyLogger | undefined;
}

/** A store and the scheduler that delivers its turns, plus how to name them to a user. */
export interface ProcessStore {
  readonly store: ConvoyStore;
  readonly scheduler: TurnScheduler;
  /** e.g. `embedded memory store (one process, not durable)`. */
  readonly description: string;
  readonly durable: boolean;
}

/** Open the store a process runs on (see {@link StoreOptions}). */
export async function openProcessStore(options: StoreOptions): Promise<ProcessStore> {
  if (options.redis !== undefined) return openRedisStore(options.redis, options);
  return {
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(
      options.concurrency === undefined ? {} : { concurrency: options.concurrency },
    ),
    description: 'embedded memory store (one process, not durable)',
    durable: false,
  };
}

async function openRedisStore(url: string, options: StoreOptions): Promise<ProcessStore> {
  // A malformed URL is refused before anything connects (ioredis would take `notaurl` as a host name).
  checkRedisUrl(url);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const log = options.log ?? consoleLogger;
  // Loaded only when asked for, so the embedded mode never pays for BullMQ and ioredis.
  const { RedisConvoyStore, BullmqTurnScheduler, assertDurableRedis } = await import('@convoy/runtime/redis');
  const store = new RedisConvoyStore({
    connection: url,
    ...(options.storeTimeoutMs === undefined ? {} : { callTimeoutMs: options.storeTimeoutMs }),
  });
  watchRedisConnection(store.client, log, url, 'store');
  try {
    await store.waitUntilReady(redisStartupTimeoutMs).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConvoyError(
        'store_unavailable',
        `Cannot reach Redis at ${redactUrl(url)}: ${reason}`,
        undefined,
        {
          cause: error,
        },
      );
    });
    // Durable mode refuses an evicting Redis: it would silently drop accepted events.
    await assertDurableRedis(store.client, { warn });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const scheduler = new BullmqTurnScheduler({
    connection: url,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.wakeBatch === undefined ? {} : { wakeBatch: options.wakeBatch }),
  });
  // The store's connection reports outages (above); the queue's own errors would only repeat them, and
  // without a listener ioredis prints each reconnection attempt raw on stderr.
  scheduler.queue.on('error', () => undefined);
  return {
    store,
    scheduler,
    description: `Redis store at ${redactUrl(url)} (durable, shared)`,
    durable: true,
  };
}
