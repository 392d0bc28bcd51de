/**
 * Durable time: due timers become inbox events like any other, deduplicated by their arming token.
 */
import type { Clock, ConvoyMetricsSink } from '@convoy/core';
import type { WorkListStore } from '@convoy/core/store';
import type { AcceptPath } from './accept-path.ts';
import { errorMessage, type ConvoyLogger } from './logger.ts';

/** What the timer poller needs. */
export interface TimerDeps {
  readonly store: Pick<WorkListStore, 'dueTimers'>;
  /** Where firings enter their convoys' inboxes (and wake them). */
  readonly acceptPath: AcceptPath;
  readonly clock: Clock;
  readonly logger: ConvoyLogger;
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
      const receipt = await deps.acceptPath.accept({
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
        deps.metrics?.timerFired?.(key.type, Math.max(0, deps.clock.now() - timer.dueAt));
      }
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
