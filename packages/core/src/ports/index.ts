/**
 * The ports, by role: the clock, the store (turn path, reads, work lists, operator changes), the
 * scheduler, the gateway the edges call, and the metrics sink.
 */
export { systemClock } from './clock.ts';
export type * from './clock.ts';
export type * from './store.ts';
export type * from './scheduler.ts';
export type * from './gateway.ts';
export type * from './metrics.ts';
