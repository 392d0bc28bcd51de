/**
 * Turning a stored persisted snapshot back into a live (inert) xstate snapshot, safely.
 */
import { createActor } from 'xstate';
import type { AnyMachineSnapshot, AnyStateMachine, Snapshot } from 'xstate';
import type { JsonValue } from './model.ts';
import type { TransitionScope } from './transition-scope.ts';

/** Result of {@link hydrateSnapshot}: the snapshot, or why it does not fit the machine. */
export type HydrateResult =
  | { readonly ok: true; readonly snapshot: AnyMachineSnapshot }
  | { readonly ok: false; readonly reason: string };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Restore a persisted snapshot (JSON) for `machine` without starting anything.
 *
 * xstate restores a snapshot whose state no longer exists with `status: 'error'` instead of throwing,
 * and a started actor on such a snapshot throws asynchronously. So the actor is never started: we only
 * read its snapshot and report a mismatch as a value, which the step turns into a `blocked` convoy.
 *
 * With a `scope` (the turn's {@link TransitionScope}, as `stepConvoy` passes) the snapshot is restored
 * through that scope instead of through a new actor of the machine, with the same result.
 *
 * @example
 * ```ts
 * const hydrated = hydrateSnapshot(definition.machine, record.snapshot);
 * if (!hydrated.ok) return blockedTurn(record, hydrated.reason, now);
 * ```
 */
export function hydrateSnapshot(
  machine: AnyStateMachine,
  persisted: JsonValue,
  scope?: TransitionScope,
): HydrateResult {
  if (typeof persisted !== 'object' || persisted === null || Array.isArray(persisted)) {
    return { ok: false, reason: 'snapshot_invalid: stored snapshot is not an object' };
  }
  let snapshot: AnyMachineSnapshot;
  if (scope !== undefined) {
    try {
      snapshot = scope.restore(persisted as unknown as Snapshot<unknown>);
    } catch (error) {
      // The actor reports a throwing restoreSnapshot() as an error snapshot: a mismatch, as below.
      return { ok: false, reason: `snapshot_mismatch: ${messageOf(error)}` };
    }
  } else {
    try {
      // The actor is only a vehicle for restoreSnapshot(); it is never started, so nothing runs.
      snapshot = createActor(machine, {
        snapshot: persisted as unknown as Snapshot<unknown>,
      }).getSnapshot() as AnyMachineSnapshot;
    } catch (error) {
      return { ok: false, reason: `snapshot_invalid: ${messageOf(error)}` };
    }
  }
  if (snapshot.status === 'error') {
    return { ok: false, reason: `snapshot_mismatch: ${messageOf(snapshot.error)}` };
  }
  return { ok: true, snapshot };
}

/** The JSON to store for a snapshot (a deep, JSON-safe copy of `machine.getPersistedSnapshot`). */
export function persistSnapshot(machine: AnyStateMachine, snapshot: AnyMachineSnapshot): JsonValue {
  return toJson(machine.getPersistedSnapshot(snapshot)) ?? null;
}

/**
 * A JSON-safe deep copy (functions and `undefined` dropped, like `JSON.stringify`). Values stored or
 * handed to effects must survive Redis and HTTP unchanged, and must not alias xstate's objects.
 */
export function toJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
}
