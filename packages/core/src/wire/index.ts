/**
 * `@convoy/core/wire`: the HTTP wire contract, defined once. Statuses, outcomes and operator actions
 * (values and types), the error codes' statuses, and the JSON items the API answers with. Imports no
 * runtime code, so a browser bundle (the console page) can use it without pulling in xstate.
 */
export * from './vocabulary.ts';
export * from './items.ts';
export { errorStatusByCode } from '../errors.ts';
export type { ConvoyErrorCode } from '../errors.ts';
