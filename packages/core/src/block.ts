/**
 * Parking a convoy as `blocked`: the escalation for a convoy that cannot proceed without an operator
 * (its snapshot no longer fits the machine, its version has no registered definition, its initial
 * transition throws). Nothing is processed; its inbox stays as is for a later redrive.
 */
import type { ConvoyKey, ConvoyRecord } from './model.ts';
import type { TurnCommit } from './ports/store.ts';

/**
 * The record of `record` parked as `blocked` (a new object: the input is not mutated). Processed seq,
 * snapshot, deferred events and timers are kept unchanged; the revision is bumped like any commit.
 *
 * @example
 * ```ts
 * // In the runtime, for a record whose version has no registered definition:
 * await store.commit(claim, blockedTurn(claim.record, `version_unknown: ${claim.record.definitionVersion}`, clock.now()));
 * ```
 */
export function blockRecord(record: ConvoyRecord, reason: string, now: number): ConvoyRecord {
  return {
    ...record,
    status: 'blocked',
    blockedReason: reason,
    updatedAt: now,
    revision: record.revision + 1,
  };
}

/** A {@link TurnCommit} that only parks the convoy as `blocked` (no history, effects or timer changes). */
export function blockedTurn(record: ConvoyRecord, reason: string, now: number): TurnCommit {
  return {
    record: blockRecord(record, reason, now),
    history: [],
    deadLetters: [],
    effects: [],
    timers: { arm: [], cancel: [] },
  };
}

/**
 * A blocked record for a convoy that has no usable snapshot at all (its initial transition failed).
 * The snapshot is `null` and the value empty until an operator fixes the definition. Its revision is 0:
 * pass it through {@link blockedTurn} (which bumps it) to commit it.
 */
export function blockedNewRecord(
  key: ConvoyKey,
  definitionVersion: number,
  reason: string,
  now: number,
): ConvoyRecord {
  return {
    key,
    status: 'blocked',
    definitionVersion,
    snapshot: null,
    value: '',
    context: null,
    processedSeq: 0,
    deferred: [],
    timers: {},
    blockedReason: reason,
    createdAt: now,
    updatedAt: now,
    revision: 0,
  };
}
