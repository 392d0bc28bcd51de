/**
 * `convoy worker`: processing only (no HTTP), against a shared Redis store.
 */
import type { ConvoyDefinition } from '@convoy/core';
import { createConvoyEngine } from '@convoy/runtime';
import type { ConvoyEngine, ConvoyLogger } from '@convoy/runtime';
import { openProcessStore } from './process-store.ts';
import { checkRedisUrl } from './redis-connection.ts';
import { engineLogger, resolveDefinitions } from './serve.ts';
import type { DefinitionSource } from './serve.ts';

/** Options of {@link startWorker}. */
export type WorkerOptions = DefinitionSource & {
  /** The Redis URL shared with the HTTP nodes (a worker on the memory store would see no events). */
  readonly redis: string;
  /**
   * Convoys processed at the same time.
   * @defaultValue the store's default
   */
  readonly concurrency?: number;
  /** Most convoys one BullMQ "wake" job carries (`--wake-batch`; 1: one "turn" job each). @defaultValue 64 */
  readonly wakeBatch?: number | undefined;
  /** The engine's logger. @defaultValue pino JSON lines at `logLevel` when set, else console warnings */
  readonly logger?: ConvoyLogger;
  /** JSON logs (pino, on stderr) at this level. @defaultValue unset: console warnings and errors only */
  readonly logLevel?: string;
  /** Deadline of every Redis store call in ms (`--store-timeout`). @defaultValue 5000 */
  readonly storeTimeoutMs?: number | undefined;
};

/** A running worker. */
export interface RunningWorker {
  readonly definitions: readonly ConvoyDefinition[];
  readonly storeDescription: string;
  readonly engine: ConvoyEngine;
  /** Finish or hand back running turns and close connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Start a worker: load the definitions, open the Redis store, take turns until closed. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  checkRedisUrl(options.redis);
  const definitions = await resolveDefinitions(options);
  const logger = options.logger ?? engineLogger(options.logLevel);
  const { store, scheduler, description } = await openProcessStore({ ...options, log: logger });
  const engine = createConvoyEngine({ definitions, store, scheduler, ...(logger ? { logger } : {}) });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await engine.close();
      await store.close();
    })();
    return closing;
  };
  try {
    await engine.start();
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { definitions, storeDescription: description, engine, close };
}
