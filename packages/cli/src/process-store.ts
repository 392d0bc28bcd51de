/**
 * Which store a `convoy` process runs on: the embedded memory store by default, Redis with `--redis`.
 */
import type { ConvoyStore, TurnScheduler } from '@convoy/core/store';
import { MemoryConvoyStore, MemoryTurnScheduler } from '@convoy/runtime';

/** Options shared by `serve` and `worker` for the store. */
export interface StoreOptions {
  /** Redis URL (`redis://host:port/db`); without it the embedded memory store is used. */
  readonly redis?: string | undefined;
  /**
   * Convoys processed at the same time by this process.
   * @defaultValue 16
   */
  readonly concurrency?: number | undefined;
  /** Receives store warnings such as "AOF is off". @defaultValue console.warn */
  readonly warn?: (message: string) => void;
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
  if (options.redis !== undefined) {
    return openRedisStore(
      options.redis,
      options.concurrency,
      options.warn ?? ((message) => console.warn(message)),
    );
  }
  return {
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(
      options.concurrency === undefined ? {} : { concurrency: options.concurrency },
    ),
    description: 'embedded memory store (one process, not durable)',
    durable: false,
  };
}

async function openRedisStore(
  url: string,
  concurrency: number | undefined,
  warn: (message: string) => void,
): Promise<ProcessStore> {
  // Loaded only when asked for, so the embedded mode never pays for BullMQ and ioredis.
  const { RedisConvoyStore, BullmqTurnScheduler, assertDurableRedis } = await import('@convoy/runtime/redis');
  const store = new RedisConvoyStore({ connection: url });
  try {
    // Durable mode refuses an evicting Redis: it would silently drop accepted events.
    await assertDurableRedis(store.client, { warn });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const scheduler = new BullmqTurnScheduler({
    connection: url,
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  return {
    store,
    scheduler,
    description: `Redis store at ${redactUrl(url)} (durable, shared)`,
    durable: true,
  };
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'redis (unparsable URL)';
  }
}
