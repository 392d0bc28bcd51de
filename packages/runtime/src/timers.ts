/**
 * Durable time: due timers become inbox events like any other, deduplicated by their arming token.
 */
import type { Clock, ConvoyMetricsSink } from '@convoy/core';
import type { WorkListStore } from '@convoy/core/store';
import type { AcceptPath } from './accept-path.ts';
import { errorMessage, type ConvoyLogger } from './logger.ts';

/** What the timer poller needs. */
export interface TimerDeps {
  /** Where the previous poll stopped; without it every poll reads from the head. */
  readonly scan?: TimerScan;
  readonly store: Pick<WorkListStore, 'dueTimers'>;
  /** Where firings enter their convoys' inboxes (and wake them). */
  readonly acceptPath: AcceptPath;
  readonly clock: Clock;
  readonly logger: ConvoyLogger;
  /** Receives timer lag (how late a firing entered the inbox). */
  readonly metrics?: ConvoyMetricsSink;
}

/** Timers fired per poll; the rest wait for the next poll. */
export const timersPerPoll = 500;

/**
 * Where the timer poller's next page starts: after the last timer of its previous page, back at the
 * head once a pass reached the end. Timers that stay listed without their convoy moving (its turn runs
 * long, a poison head holds it) therefore cannot fill every page: the pass goes on past them.
 */
export class TimerScan {
  #next: string | undefined;

  /** The position to read after (undefined: from the head). */
  get after(): string | undefined {
    return this.#next;
  }

  /** Record where the page just read ended (null: the pass is complete). */
  ended(next: string | null): void {
    this.#next = next ?? undefined;
  }
}

/**
 * Accept a firing for every timer due now, with its arming token as idempotency key (in the stores'
 * timer namespace, apart from client keys) so a timer polled twice (two pollers, or a poll before the
 * firing was processed) enters the inbox once. The store accepts a firing only while the convoy holds
 * that very arming and it is due (checked atomically with the accept): a timer cancelled or re-armed
 * after it was read is not fired (`stale` receipt). A firing that still meets a replaced arming is
 * dropped by the step (`stale_timer`). One page of at most {@link timersPerPoll} per call, continuing
 * where the previous call of the same `scan` stopped.
 */
export async function fireDueTimers(deps: TimerDeps): Promise<number> {
  const page = await deps.store.dueTimers(deps.clock.now(), timersPerPoll, deps.scan?.after);
  deps.scan?.ended(page.next);
  let fired = 0;
  for (const { key, timer } of page.items) {
    try {
      const receipt = await deps.acceptPath.accept({
        key,
        event: timer.event,
        source: { kind: 'timer', timerId: timer.timerId, token: timer.token },
        idempotencyKey: timer.token,
        fingerprint: `timer:${timer.token}`,
        now: deps.clock.now(),
        // Time is not client load: a full backlog must not make a deadline disappear.
        maxBacklog: Number.MAX_SAFE_INTEGER,
      });
      if (receipt.stale === true) continue;
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
