/**
 * The outcome of one event, read back for a wait: which history entry decided it, and the report the
 * edges answer with (outcome, reason, whether it can still change, the convoy's status and state).
 */
import { isEventDecision } from '@convoy/core';
import type { ConvoyKey, ConvoyRecord, EventDecision, EventOutcomeReport, HistoryEntry } from '@convoy/core';
import type { ConvoyReadStore } from '@convoy/core/store';

/** How many of the newest history entries are read first: the decision is almost always among them. */
const tailEntries = 256;
/** Page size of the full read when the tail does not hold the decision. */
const pageSize = 1000;

/** Whether `seq` is still held by the `defer` policy in this record. */
export function isDeferred(record: ConvoyRecord, seq: number): boolean {
  return record.deferred.some((event) => event.seq === seq);
}

/**
 * The entry that decided event `seq`: while it is deferred, its latest `deferred` entry; otherwise the
 * first decision after its last deferral (or its first decision when it was never deferred). Entries
 * written about it afterwards (an operator's redrive or discard, an effect's failure) are not
 * decisions and are passed over.
 */
export function decidingEntry(
  entries: readonly HistoryEntry[],
  seq: number,
  stillDeferred: boolean,
): HistoryEntry | undefined {
  const mine = entries.filter((entry) => entry.seq === seq && isEventDecision(entry.outcome));
  const lastDeferral = mine.findLastIndex((entry) => entry.outcome === 'deferred');
  if (stillDeferred) return lastDeferral < 0 ? undefined : mine[lastDeferral];
  return mine[lastDeferral + 1];
}

async function findDecision(
  store: ConvoyReadStore,
  key: ConvoyKey,
  seq: number,
  stillDeferred: boolean,
): Promise<HistoryEntry | undefined> {
  const tail = await store.history(key, { last: tailEntries });
  const found = decidingEntry(tail, seq, stillDeferred);
  if (found !== undefined || tail.length < tailEntries) return found;
  // An event decided long ago (many entries since): read the whole history, keeping only its entries.
  const mine: HistoryEntry[] = [];
  for (let read = 0; ; read += pageSize) {
    const page = await store.history(key, { afterIndex: read - 1, limit: pageSize });
    mine.push(...page.filter((entry) => entry.seq === seq));
    if (page.length < pageSize) return decidingEntry(mine, seq, stillDeferred);
  }
}

/**
 * The report of event `seq` of a record that has processed it: the deciding history entry's outcome,
 * reason and error, and the record's status and value.
 */
export async function reportOutcome(
  store: ConvoyReadStore,
  key: ConvoyKey,
  seq: number,
  record: ConvoyRecord,
): Promise<EventOutcomeReport> {
  const stillDeferred = isDeferred(record, seq);
  const entry = await findDecision(store, key, seq, stillDeferred);
  const convoy = { status: record.status, value: record.value };
  if (entry === undefined) {
    // The history cap dropped the entry: the outcome is unknown, whether it can still change is not.
    return { final: !stillDeferred, ...convoy };
  }
  return {
    outcome: entry.outcome as EventDecision,
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    ...(entry.error === undefined ? {} : { error: entry.error }),
    final: entry.outcome !== 'deferred',
    ...convoy,
  };
}
