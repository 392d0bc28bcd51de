/**
 * The words of the wire contract: every convoy status, event outcome and operator action, each listed
 * once. The types are derived from the lists, so a value added here reaches the HTTP schemas, the
 * OpenAPI document, metrics labels, the CLI's choices and the console's filters without a second edit.
 * No imports: this module is safe to bundle into the browser page.
 */

/**
 * Every convoy status, in the order lists and metrics show them.
 * - `active`: running (or not yet processed).
 * - `done`: reached a final state; further events are recorded and refused.
 * - `blocked`: cannot proceed without an operator (e.g. its snapshot fits no registered version).
 * - `stalled`: pending work is not progressing (stall detection).
 * - `paused`: an operator paused processing; events are still accepted.
 */
export const convoyStatuses = ['active', 'done', 'blocked', 'stalled', 'paused'] as const;

/** Lifecycle of a convoy: one of {@link convoyStatuses}. */
export type ConvoyStatus = (typeof convoyStatuses)[number];

/**
 * Everything that can happen to one event when its convoy processes it (`operator`: an operator's entry;
 * `effectFailed`: an effect or invoke the event's transition planned failed for good, its own entry under
 * the planning seq).
 */
export const eventOutcomes = [
  'applied',
  'deferred',
  'rejected',
  'deadLettered',
  'ignored',
  'operator',
  'effectFailed',
] as const;

/** What happened to one event when its convoy processed it: one of {@link eventOutcomes}. */
export type EventOutcome = (typeof eventOutcomes)[number];

/**
 * What failed in an `effectFailed` history entry: an effect (a named action or durable effect handler)
 * or an invoke (invoked actor logic).
 */
export const effectKinds = ['effect', 'invoke'] as const;

/** One of {@link effectKinds}. */
export type EffectKind = (typeof effectKinds)[number];

/**
 * What processing decided for one event: an {@link EventOutcome} other than an entry written about it
 * afterwards (an operator's action, a later failure of one of its effects). A wait (`?wait=`,
 * `GET .../wait`) reports one of these.
 */
export type EventDecision = Exclude<EventOutcome, 'operator' | 'effectFailed'>;

// History entries about an event after its decision: never what a wait reports.
const afterDecision: ReadonlySet<string> = new Set(['operator', 'effectFailed']);

/** Every {@link EventDecision}, in the order of {@link eventOutcomes}. */
export const eventDecisions = eventOutcomes.filter(
  (outcome): outcome is EventDecision => !afterDecision.has(outcome),
);

/** Type guard: `outcome` is an {@link EventDecision}. */
export function isEventDecision(outcome: string): outcome is EventDecision {
  return (eventDecisions as readonly string[]).includes(outcome);
}

/** What an operator can do to a convoy (recorded in its history with outcome `operator`). */
export const operatorActions = ['pause', 'resume', 'retry', 'redrive', 'discard'] as const;

/** One of {@link operatorActions}. */
export type OperatorAction = (typeof operatorActions)[number];

/**
 * The operator actions that change a convoy's status: the statuses each one is allowed from (others are
 * refused with `operation_not_allowed`) and the status it leads to.
 */
export const statusTransitions = {
  pause: { from: ['active', 'stalled'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  retry: { from: ['blocked', 'stalled'], to: 'active' },
} as const satisfies Record<string, { from: readonly ConvoyStatus[]; to: ConvoyStatus }>;

/** `pause`, `resume` or `retry`: an action on a whole convoy. */
export type StatusAction = keyof typeof statusTransitions;

/** Type guard: `value` is one of {@link convoyStatuses}. */
export function isConvoyStatus(value: unknown): value is ConvoyStatus {
  return typeof value === 'string' && (convoyStatuses as readonly string[]).includes(value);
}
