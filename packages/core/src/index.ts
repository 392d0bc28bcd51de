/**
 * `@convoy/core`: pure convoy logic on XState v5 — definitions, the step, errors, ports, exports.
 * No runtime dependency besides the `xstate` peer.
 */
export { ConvoyError, errorStatusByCode, isConvoyError } from './errors.ts';
export type { ConvoyErrorCode, ConvoyErrorDetails } from './errors.ts';
export { defineConvoy, isConvoyDefinition, unexpectedPolicyFor } from './definition.ts';
export type {
  ConvoyDefinition,
  ConvoyDefinitionOptions,
  ConvoyEventType,
  EffectContext,
  EffectHandler,
  UnexpectedPolicy,
  UnexpectedPolicyMap,
} from './definition.ts';
export type * from './model.ts';
export type * from './describe.ts';
export { systemClock } from './ports.ts';
export type * from './ports.ts';
