/**
 * Durable time: due timers become inbox events like any other, deduplicated by their arming token.
 */
import type { Clock, ConvoyKey, ConvoyMetricsSink } from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import { errorMessage, type ConvoyLogger } from './logger.ts';
import type { DefinitionRegistry } from './registry.ts';

/** What the timer poller needs. */
export interface TimerDeps {
  readonly store: ConvoyStore;
  readonly registry: DefinitionRegistry;
  readonly clock: Clock;
  readonly logger: ConvoyLogger;
  /** Wakes a convoy whose firing made it dirty (the engine's local turn or its scheduler). */
  readonly schedule: (key: ConvoyKey) => Promise<void>;
  /** Receives timer lag (how late a firing entered the inbox). */
  readonly metrics?: ConvoyMetricsSink;
}

/** Timers fired per poll; the rest wait for the next poll. */
const timersPerPoll = 500;

/**
 * Accept a firing for every timer due now, with idempotency key `timer:<token>` so a timer polled twice
 * (two pollers, or a poll before the firing was processed) enters the inbox once. A firing whose arming
 * was cancelled or replaced meanwhile is dropped by the step (`stale_timer`).
 */
export async function fireDueTimers(deps: TimerDeps): Promise<number> {
  const due = await deps.store.dueTimers(deps.clock.now(), timersPerPoll);
  let fired = 0;
  for (const { key, timer } of due) {
    const idempotencyKey = `timer:${timer.token}`;
    try {
      const receipt = await deps.store.accept({
        key,
        event: timer.event,
        source: { kind: 'timer', timerId: timer.timerId, token: timer.token },
        idempotencyKey,
        fingerprint: idempotencyKey,
        now: deps.clock.now(),
        // Time is not client load: a full backlog must not make a deadline disappear.
        maxBacklog: Number.MAX_SAFE_INTEGER,
      });
      if (!receipt.duplicate) {
        fired += 1;
        deps.metrics?.eventAccepted?.(key.type, 'timer');
        deps.metrics?.timerFired?.(key.type, Math.max(0, deps.clock.now() - timer.dueAt));
      }
      // As for client events: a convoy that was already dirty has a turn pending or running (AcceptReceipt).
      if (receipt.wake !== false) await deps.schedule(key);
    } catch (error) {
      deps.logger.error('firing a timer failed; retried on the next poll', {
        type: key.type,
        id: key.id,
        timerId: timer.timerId,
        error: errorMessage(error),
      });
    }
  }
  return fired;
}
