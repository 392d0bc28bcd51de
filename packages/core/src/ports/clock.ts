/**
 * The clock port: the one time source of core and runtime.
 */
/** Time source. Core never calls `Date.now()`; tests inject a simulated clock. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
