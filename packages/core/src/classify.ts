/**
 * Classifying one event against the convoy's current snapshot: can it be taken now, is it refused by
 * guards, or does the current state not handle it at all?
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { ConvoyEvent } from './model.ts';

/**
 * - `accepted`: `snapshot.can(event)` — a transition is enabled.
 * - `guardRejected`: an active state node handles the type, but every guard refused it.
 * - `notNow`: no active state node handles the type (early or late event).
 * - `error`: evaluating a guard threw.
 */
export type EventClass =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'guardRejected' }
  | { readonly kind: 'notNow' }
  | { readonly kind: 'error'; readonly message: string };

/** True when an xstate event descriptor (`X`, `*`, `feedback.*`) matches `eventType`. */
export function descriptorMatches(descriptor: string, eventType: string): boolean {
  if (descriptor === eventType || descriptor === '*') return true;
  if (!descriptor.endsWith('.*')) return false;
  const prefix = descriptor.slice(0, -2);
  return eventType === prefix || eventType.startsWith(`${prefix}.`);
}

/** True when some active state node (atomic or ancestor) declares a transition for `eventType`. */
export function stateHandles(snapshot: AnyMachineSnapshot, eventType: string): boolean {
  return snapshot._nodes.some((node) => Object.keys(node.on).some((d) => descriptorMatches(d, eventType)));
}

/**
 * Classify `event` for `snapshot`. Never throws: a throwing guard is reported as `error`.
 *
 * @example
 * ```ts
 * const c = classifyEvent(snapshot, { type: 'PaymentReceived' });
 * if (c.kind === 'notNow') // apply the unexpected-event policy
 * ```
 */
export function classifyEvent(snapshot: AnyMachineSnapshot, event: ConvoyEvent): EventClass {
  try {
    if (snapshot.can(event)) return { kind: 'accepted' };
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  return stateHandles(snapshot, event.type) ? { kind: 'guardRejected' } : { kind: 'notNow' };
}
