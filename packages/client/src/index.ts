/**
 * `@convoy/client`: a typed HTTP client of the Convoy API. Event types are inferred from the convoy
 * definitions; errors come back as `ConvoyError` with the server's code. Uses the global `fetch`.
 */
export { createConvoyClient } from './client.ts';
export type { ConvoyClient, ConvoyClientOptions, FollowOptions } from './client.ts';
export { errorFromResponse } from './transport.ts';
export type * from './types.ts';
export type {
  BulkDiscardResult,
  BulkFailure,
  BulkRedriveResult,
  FleetItem,
  FleetTypeItem,
} from '@convoy/core/wire';
