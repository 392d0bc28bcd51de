/**
 * The metrics port: counts and timings the runtime reports (e.g. to Prometheus).
 */
import type { EffectKind, EventOutcome, EventSource } from '../model.ts';

/**
 * Where the runtime reports what it does, for metrics. Every hook is optional and must not throw or
 * block; labels are low-cardinality (the convoy type, an outcome), never ids.
 */
export interface ConvoyMetricsSink {
  /** An event entered an inbox (`source`: client, timer, effect, redrive). */
  eventAccepted?(type: string, source: EventSource['kind']): void;
  /** An event's outcome was committed; `latencyMs` is from acceptance to that commit. */
  eventProcessed?(type: string, outcome: EventOutcome, latencyMs: number): void;
  /** A turn picked an event up `waitMs` after it was accepted (queue wait, before its outcome is decided). */
  eventDequeued?(type: string, waitMs: number): void;
  /** A turn's batch was stepped and committed. */
  turnCompleted?(type: string, durationMs: number, events: number): void;
  /** A commit or ack was fenced off (`stale_claim`): another worker took the convoy. */
  claimLost?(type: string): void;
  /**
   * An effect or invoke failed for good (every attempt): `deadLettered` when it left a dead letter (an
   * effect), false for an invoke whose error went back into its machine.
   */
  effectFailed?(type: string, kind: EffectKind, deadLettered: boolean): void;
  /** A due timer was fired `lagMs` after its deadline. */
  timerFired?(type: string, lagMs: number): void;
}
