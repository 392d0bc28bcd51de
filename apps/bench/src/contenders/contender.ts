/**
 * What every contender implements so the scenarios can drive them the same way: send events, start
 * processing, report each applied event to the ledger, and read back what it stored for the check.
 */
import type { OrderLedger } from '../order-ledger.ts';
import type { OrderEvent } from '../order-machine.ts';

/** Where and how one contender instance runs. */
export interface ContenderTarget {
  /** URL of the bench's own redis-server (unused by in-process contenders). */
  readonly redisUrl: string;
  /** Unique per instance, so runs on the same server never share keys. */
  readonly prefix: string;
  /** Receives one report per applied event. */
  readonly ledger: OrderLedger;
  /** Worker concurrency (jobs or convoys processed at once). */
  readonly concurrency: number;
}

/** One event to send, with the time it was scheduled to be sent (for latency). */
export interface SendItem {
  readonly convoyId: string;
  readonly event: OrderEvent;
  readonly scheduledAt: number;
}

/** A running contender. */
export interface ContenderInstance {
  /**
   * Send events. Events of one convoy within a call are in order and are accepted in that order; the
   * call resolves when all are accepted (durably, for the Redis contenders).
   */
  send(items: readonly SendItem[]): Promise<void>;
  /** Begin processing (workers start). Events sent before are a backlog. */
  start(): Promise<void>;
  /** Problems in the stored state of finished convoys (stateful contenders read their store back). */
  verifyStored(expected: ReadonlyMap<string, number>): Promise<string[]>;
  /** Stop workers and close connections. */
  close(): Promise<void>;
}

/** A contender in the comparison. */
export interface Contender {
  /** Short id for `BENCH_CONTENDERS`, e.g. `convoy-redis`. */
  readonly id: string;
  /** Row label in the table. */
  readonly name: string;
  /** Promises per-convoy order: a reorder fails its row. Plain BullMQ promises none. */
  readonly ordered: boolean;
  /** Runs an XState machine per convoy (vs. a no-op processor). */
  readonly stateful: boolean;
  /** Needs the Redis server (false for the in-memory Convoy). */
  readonly usesRedis: boolean;
  open(target: ContenderTarget): Promise<ContenderInstance>;
}

/** Job payload of the queue-based contenders: the convoy, the event and its scheduled send time. */
export interface QueuedEvent {
  readonly convoyId: string;
  readonly event: OrderEvent;
  readonly scheduledAt: number;
}
