/**
 * `@convoy/core/store`: what a store implementer needs: the store port (by role: the turn path, reads,
 * work lists, operator changes) with its inputs and results, and the scheduler port. Every store
 * proves itself against the conformance suite in `@convoy/runtime/testing`.
 */
export type * from './ports/store.ts';
export type * from './ports/scheduler.ts';
