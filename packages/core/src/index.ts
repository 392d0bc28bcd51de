/**
 * `@convoy/core`: what a convoy author (and an edge such as the HTTP layer) needs: defining convoys,
 * the model, the error catalogue, the gateway port, the clock, the metrics sink and the machine
 * exports (diagrams, descriptions). No runtime dependency besides the `xstate` peer.
 *
 * Two more entry points serve other roles: `@convoy/core/store` (the store and scheduler ports, for
 * whoever implements a store) and `@convoy/core/engine` (the pure step and its helpers, for the
 * runtime that executes convoys). Everything else in this package is internal.
 */
export { ConvoyError, errorStatusByCode, isConvoyError } from './errors.ts';
export type { ConvoyErrorCode, ConvoyErrorDetails } from './errors.ts';
export { defineConvoy, isConvoyDefinition } from './definition.ts';
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
export { systemClock } from './ports/clock.ts';
export type * from './ports/clock.ts';
export type * from './ports/gateway.ts';
export type * from './ports/metrics.ts';
export type { StandardSchemaIssue, StandardSchemaResult, StandardSchemaV1 } from './standard-schema.ts';
export { maxEventDepth, validateConvoyId, validateIdempotencyKey } from './validate.ts';
export { toMermaid } from './export/mermaid.ts';
export { toDot } from './export/dot.ts';
export type { DotOptions } from './export/dot.ts';
export { toGraph } from './export/graph.ts';
export { toStatelyCode } from './export/stately.ts';
export { describeDefinition, summarizeDefinition } from './export/description.ts';
export {
  convoyStatuses,
  effectKinds,
  eventDecisions,
  eventOutcomes,
  isConvoyStatus,
  isEventDecision,
  operatorActions,
  statusTransitions,
  toDeadLetterItem,
  toDeferredItem,
  toHistoryItem,
  toInboxItem,
  toTimerItem,
} from './wire/index.ts';
export type {
  AcceptedItem,
  ConvoyItem,
  DeadLetterItem,
  DeferredItem,
  ErrorReplyBody,
  HistoryItem,
  InboxItem,
  ItemList,
  ItemPage,
  ReceiptItem,
  RedriveItem,
  StatusAction,
  StatusCounts,
  TimerItem,
  WaitItem,
} from './wire/index.ts';
