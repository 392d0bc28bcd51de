/**
 * Which store a `convoy` process runs on: the embedded memory store by default, Redis with `--redis`.
 */
import type { ConvoyStore, TurnScheduler } from '@convoy/core';
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
  if (options.redis !== undefined) return openRedisStore(options.redis, options.concurrency);
  return {
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(
      options.concurrency === undefined ? {} : { concurrency: options.concurrency },
    ),
    description: 'embedded memory store (one process, not durable)',
    durable: false,
  };
}

async function openRedisStore(_url: string, _concurrency: number | undefined): Promise<ProcessStore> {
  throw new Error(
    '--redis is not available yet: the Redis store is not part of @convoy/runtime in this build',
  );
}
