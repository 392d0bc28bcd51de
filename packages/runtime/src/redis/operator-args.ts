/**
 * Argument lists of the operator scripts (`commitOperator-13`, `redriveDeadLetters-9`,
 * `discardDeadLetter-5`): keys first, then arguments, in the order each script's header documents. Each
 * takes the change feed target (`RedisChangeFeed.scriptTarget`): the script appends the change there.
 */
import { randomUUID } from 'node:crypto';
import type { ConvoyKey, DeadLetter } from '@convoy/core';
import type { OperatorCommit, RedriveInput } from '@convoy/core/store';
import { deadLetterEntry } from '../operator-entries.ts';
import type { FeedTarget } from './change-feed.ts';
import { timerMemberPrefix, type ConvoyKeySet } from './keys.ts';

/** A dead letter as stored (the scripts match a letter by its exact stored JSON) and parsed. */
export interface StoredDeadLetter {
  readonly raw: string;
  readonly letter: DeadLetter;
}

/** Stands in for the new seq of a redriven letter while its history entry is serialised. */
const newSeqMarker = 987_654_321_012_345;

/** `commitOperator-13.lua`: a fresh operation token makes a re-sent call recognise its own write. */
export function commitOperatorArgs(
  key: ConvoyKey,
  k: ConvoyKeySet,
  feed: FeedTarget,
  commit: OperatorCommit,
  historyCap: number,
): Array<string | number> {
  const { record } = commit;
  return [
    k.meta, k.state, k.history, k.dirty, ...k.statusIndexes, k.timers, k.due, k.outbox, feed.key,
    record.updatedAt, commit.expectedRevision, record.revision, JSON.stringify(record), record.status,
    JSON.stringify(commit.entry), k.member, historyCap, randomUUID(), timerMemberPrefix(key),
    feed.maxLen, key.id,
  ]; // prettier-ignore
}

/**
 * `redriveDeadLetters-9.lua`. The new seq is only known inside the script, so each history entry is
 * sent as the JSON before and after it. The operator note is the entry's last field and a quote inside
 * `by` is escaped, so the last `"newSeq":<marker>` is the placeholder.
 */
export function redriveArgs(
  key: ConvoyKey,
  k: ConvoyKeySet,
  feed: FeedTarget,
  letters: readonly StoredDeadLetter[],
  input: RedriveInput,
  historyCap: number,
): Array<string | number> {
  const args: Array<string | number> = [
    k.meta, k.inbox, k.dlq, k.history, k.dirty, k.deadLetterIndex, k.outbox, k.waitingIndex, feed.key,
    input.now, k.member, historyCap, letters.length, feed.maxLen, key.id,
  ]; // prettier-ignore
  const placeholder = `"newSeq":${newSeqMarker}`;
  for (const { raw, letter } of letters) {
    if (letter.effect !== undefined) {
      // An effect's letter: the effect goes back into the outbox; the entry names no new seq.
      const entry = JSON.stringify(deadLetterEntry('redrive', letter, input.now, input.by));
      args.push(raw, JSON.stringify(letter.effect), '', entry, '', letter.effect.id);
      continue;
    }
    const entry = JSON.stringify(deadLetterEntry('redrive', letter, input.now, input.by, newSeqMarker));
    const at = entry.lastIndexOf(placeholder) + '"newSeq":'.length;
    args.push(
      raw,
      JSON.stringify(letter.event),
      JSON.stringify({ kind: 'redrive', deadLetterSeq: letter.seq }),
      entry.slice(0, at),
      entry.slice(at + String(newSeqMarker).length),
      '',
    );
  }
  return args;
}

/** `discardDeadLetter-5.lua`. */
export function discardArgs(
  key: ConvoyKey,
  k: ConvoyKeySet,
  feed: FeedTarget,
  found: StoredDeadLetter,
  now: number,
  by: string | undefined,
  historyCap: number,
): Array<string | number> {
  const entry = JSON.stringify(deadLetterEntry('discard', found.letter, now, by));
  return [
    k.meta, k.dlq, k.history, k.deadLetterIndex, feed.key,
    k.member, historyCap, found.raw, entry, feed.maxLen, key.id,
  ]; // prettier-ignore
}
