/**
 * `waitFor`: wait until a convoy reaches a state, carries a tag, or is done — woken by this process's
 * commits and by polling the store (the processing worker may be another process).
 */
import { hydrateSnapshot } from '@convoy/core/engine';
import type { ConvoyDefinition, ConvoyKey, ConvoyRecord, WaitCondition } from '@convoy/core';
import { matchesState } from 'xstate';

/** Where a convoy stands against a condition. */
export type ConditionState = 'met' | 'unreachable' | 'pending';

/**
 * Judge a stored record against a condition. Tags are not persisted by xstate, so a tag condition
 * hydrates the snapshot through the convoy's own definition version (undefined: version not registered,
 * the tag cannot be known and the wait stays pending).
 */
export function judgeCondition(
  condition: WaitCondition,
  record: ConvoyRecord | null,
  definition: ConvoyDefinition | undefined,
): ConditionState {
  if (record === null) return 'pending';
  if (conditionHolds(condition, record, definition)) return 'met';
  // A done convoy never changes again: whatever it lacks now, it lacks forever.
  return record.status === 'done' ? 'unreachable' : 'pending';
}

function conditionHolds(
  condition: WaitCondition,
  record: ConvoyRecord,
  definition: ConvoyDefinition | undefined,
): boolean {
  switch (condition.kind) {
    case 'done':
      return record.status === 'done';
    case 'state':
      return record.value !== null && matchesState(condition.state, record.value);
    case 'tag': {
      if (definition === undefined) return false;
      const hydrated = hydrateSnapshot(definition.machine, record.snapshot);
      return hydrated.ok && hydrated.snapshot.hasTag(condition.tag);
    }
  }
}

/** What {@link waitUntil} needs. */
export interface WaitUntilOptions {
  readonly key: ConvoyKey;
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Read the convoy and judge it; 'pending' keeps waiting. */
  readonly check: () => Promise<ConditionState>;
  /** Commit notifications of this process (returns the unsubscribe function). */
  readonly subscribe: (listener: (key: ConvoyKey) => void) => () => void;
  /** Registers a cancel hook run when the engine closes (resolves as a timeout). */
  readonly onClose: (cancel: () => void) => () => void;
}

/**
 * Resolve with the first non-pending judgement, or 'timeout'. One check at a time; a commit arriving
 * during a check triggers exactly one more, so no commit is missed between a read and a notification.
 */
export async function waitUntil(options: WaitUntilOptions): Promise<ConditionState | 'timeout'> {
  const first = await options.check();
  if (first !== 'pending' || options.timeoutMs <= 0) return first === 'pending' ? 'timeout' : first;
  return new Promise((resolve) => {
    let settled = false;
    let running = false;
    let again = false;
    const finish = (result: ConditionState | 'timeout'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearInterval(poll);
      unsubscribe();
      removeCloseHook();
      resolve(result);
    };
    const trigger = (): void => {
      if (settled) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      options
        .check()
        .then((state) => {
          if (state !== 'pending') finish(state);
        })
        // A failing read (store hiccup) is retried by the next poll; the timeout bounds the wait.
        .catch(() => undefined)
        .finally(() => {
          running = false;
          if (again) {
            again = false;
            trigger();
          }
        });
    };
    const timeout = setTimeout(() => finish('timeout'), options.timeoutMs);
    const poll = setInterval(trigger, options.pollMs);
    const unsubscribe = options.subscribe((changed) => {
      if (changed.type === options.key.type && changed.id === options.key.id) trigger();
    });
    const removeCloseHook = options.onClose(() => finish('timeout'));
  });
}
