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
  PoisonOptions,
  PoisonPolicy,
  SnapshotMigration,
  StallOptions,
  UnexpectedPolicy,
  UnexpectedPolicyMap,
} from './definition.ts';
export type * from './model.ts';
export type * from './describe.ts';
export { assertMachineFromPeerXstate } from './xstate-peer.ts';
export { systemClock } from './ports.ts';
export type * from './ports.ts';
export { stepConvoy } from './step.ts';
export type { StepInput } from './step.ts';
export { blockRecord, blockedTurn, blockedNewRecord } from './block.ts';
export { classifyEvent, descriptorMatches, stateHandles } from './classify.ts';
export type { EventClass } from './classify.ts';
export { effectId, invokeEffectAction, isEffectAction, planActions, timerToken } from './actions.ts';
export type {
  ActionPlan,
  ActionSource,
  InvokeEffectParams,
  InvokeOp,
  ReturnedAction,
  TimerOp,
} from './actions.ts';
export { invokeResultActor, stallTimerIds } from './turn-state.ts';
export { checkEventSchema, eventJsonSchema, isStandardSchema, issuePath } from './standard-schema.ts';
export type { StandardSchemaIssue, StandardSchemaResult, StandardSchemaV1 } from './standard-schema.ts';
export { hydrateSnapshot, persistSnapshot, toJson } from './hydrate.ts';
export type { HydrateResult } from './hydrate.ts';
export {
  canonicalJson,
  eventFingerprint,
  fnv1a64,
  validateConvoyId,
  validateEvent,
  validateIdempotencyKey,
} from './validate.ts';
export { toMermaid } from './export/mermaid.ts';
export { toGraph } from './export/graph.ts';
export { toStatelyCode } from './export/stately.ts';
export { describeDefinition, summarizeDefinition } from './export/description.ts';
export { formatDelay, guardName, machineOf } from './export/walk.ts';
export type { MachineSource } from './export/walk.ts';
