/**
 * One bench session: the bench's own redis-server, an admin connection to it, and a way to run a
 * contender instance in isolation (fresh ledger and key prefix; the database flushed afterwards so the
 * next contender starts from an empty server).
 */
import { Redis } from 'ioredis';
import type { BenchConfig } from './config.ts';
import type { Contender, ContenderInstance } from './contenders/contender.ts';
import { OrderLedger } from './order-ledger.ts';
import { startRedis, type BenchRedis, type RedisPersistence } from './redis-server.ts';

/** A running session. */
export interface BenchSession {
  readonly config: BenchConfig;
  /** The bench's own server; null for a session that runs only in-process contenders (tests). */
  readonly redis: BenchRedis | null;
  /** For INFO, MEMORY, SCAN and FLUSHDB; never used by contenders. Null without a server. */
  readonly admin: Redis | null;
  /** Write a progress line (stderr, so the table on stdout stays clean). */
  log(message: string): void;
  close(): Promise<void>;
}

/** Start a session on a fresh redis-server. */
export async function openSession(
  config: BenchConfig,
  persistence: RedisPersistence,
  log: (message: string) => void,
): Promise<BenchSession> {
  const redis = await startRedis(persistence);
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  return {
    config,
    redis,
    admin,
    log,
    async close() {
      admin.disconnect();
      await redis.stop();
    },
  };
}

/** A session without Redis: only contenders with `usesRedis: false` can run in it. */
export function inProcessSession(config: BenchConfig, log: (message: string) => void): BenchSession {
  return { config, redis: null, admin: null, log, close: async () => undefined };
}

let instanceCounter = 0;

/** A contender instance with its own ledger, for one repetition. */
export interface Running {
  readonly instance: ContenderInstance;
  readonly ledger: OrderLedger;
  readonly prefix: string;
}

/**
 * Open `contender`, run `body`, then close it and flush the database whatever happened, so a failed
 * repetition cannot leak keys (or workers) into the next one.
 */
export async function withContender<T>(
  session: BenchSession,
  contender: Contender,
  options: { readonly concurrency: number },
  body: (running: Running) => Promise<T>,
): Promise<T> {
  if (contender.usesRedis && session.redis === null) {
    throw new Error(`${contender.name} needs Redis, but this session has no server`);
  }
  instanceCounter += 1;
  const prefix = `bench${instanceCounter}`;
  const ledger = new OrderLedger();
  const instance = await contender.open({
    redisUrl: session.redis?.url ?? '',
    prefix,
    ledger,
    concurrency: options.concurrency,
  });
  try {
    return await body({ instance, ledger, prefix });
  } finally {
    await instance.close();
    if (contender.usesRedis) await session.admin?.flushdb();
  }
}
