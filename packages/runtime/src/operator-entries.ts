/**
 * The history entries that record operator actions (outcome `operator`), built the same way by every
 * store and by the engine so the history reads the same on any backend.
 */
import type { ConvoyEvent, ConvoyRecord, DeadLetter, HistoryEntry, OperatorAction } from '@convoy/core';

/** The event shown for an action that concerns no particular event (pause, resume, retry). */
export function operatorEvent(action: OperatorAction): ConvoyEvent {
  return { type: `operator.${action}` };
}

/** The entry of a pause, resume or retry: `seq` is the processed seq, `from`/`to` the state value. */
export function statusEntry(
  action: 'pause' | 'resume' | 'retry',
  record: ConvoyRecord,
  now: number,
  by: string | undefined,
): HistoryEntry {
  return {
    seq: record.processedSeq,
    event: operatorEvent(action),
    outcome: 'operator',
    from: record.value,
    to: record.value,
    at: now,
    operator: by === undefined ? { action } : { action, by },
  };
}

/**
 * The entry of a redrive or discard of one dead letter: `seq` is the letter's seq, `event` its event,
 * and `from`/`to` are null (the convoy's state is not touched).
 */
export function deadLetterEntry(
  action: 'redrive' | 'discard',
  letter: DeadLetter,
  now: number,
  by: string | undefined,
  newSeq?: number,
): HistoryEntry {
  return {
    seq: letter.seq,
    event: letter.event,
    outcome: 'operator',
    from: null,
    to: null,
    at: now,
    operator: {
      action,
      ...(newSeq === undefined ? {} : { newSeq }),
      ...(action === 'redrive' && letter.effect !== undefined ? { effectId: letter.effect.id } : {}),
      ...(by === undefined ? {} : { by }),
    },
  };
}
