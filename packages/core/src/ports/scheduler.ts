/**
 * The scheduler port: delivers turn wake-ups (memory scheduler, BullMQ).
 */
import type { ConvoyKey } from '../model.ts';

/** Delivers "turn" wake-ups: at most one pending wake-up per convoy, processed by `start`'s handler. */
export interface TurnScheduler {
  /** Ask for a turn of this convoy (deduplicated while one is already pending). */
  schedule(key: ConvoyKey, options?: { readonly delayMs?: number }): Promise<void>;
  /** Start delivering turns to `handler`; resolves once started. */
  start(handler: (key: ConvoyKey) => Promise<void>): Promise<void>;
  /** Stop delivering; resolves when running handlers have finished. */
  close(): Promise<void>;
}
