/**
 * Simulated time for tests: leases, timers and history timestamps move only when the test says so.
 */
import type { Clock } from '@convoy/core';

/**
 * A {@link Clock} that stands still until `advance` or `set`.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * const engine = createConvoyEngine({ definitions, store, scheduler, clock });
 * clock.advance(5_000); // a 5 s `after` transition is now due
 * await engine.fireDueTimers();
 * ```
 */
export class ManualClock implements Clock {
  #now: number;

  /** @param start - initial time in epoch ms; defaults to the real current time. */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Move time forward by `ms` (never backwards). Returns the new time. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    this.#now += ms;
    return this.#now;
  }

  /** Jump to an absolute time, not before the current one. */
  set(ms: number): void {
    if (ms < this.#now)
      throw new RangeError(`ManualClock.set: time cannot go backwards (${ms} < ${this.#now})`);
    this.#now = ms;
  }
}
