/**
 * What a topology run measured, from the applied notes read back after it: the check (every event
 * applied exactly once, in order, per convoy) and latencies from each event's SCHEDULED send time to
 * the time it was applied — both epoch milliseconds — so a system that falls behind pays for the queue
 * it built (no coordinated omission).
 */
import { OrderLedger, type CheckResult } from '../order-ledger.ts';
import { percentile } from '../stats.ts';

/** One applied event as the system under test recorded it. */
export interface AppliedNote {
  readonly convoyId: string;
  readonly n: number;
  /** Epoch ms when it was applied (Convoy: the history entry's `at`; groupmq: the worker's clock). */
  readonly appliedAt: number;
}

/** Key of the scheduled-time map: `<convoyId>#<n>`. */
export const scheduleKey = (convoyId: string, n: number): string => `${convoyId}#${n}`;

/** The check and the latency figures of one run. */
export interface AppliedSummary {
  readonly check: CheckResult;
  /** Latency samples (ms) of the notes that match a scheduled event. */
  readonly latencies: readonly number[];
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Latest applied time (epoch ms), NaN without notes. */
  readonly lastAppliedAt: number;
}

/**
 * Summarise `notes` against the `scheduled` send times (by {@link scheduleKey}) and the `expected`
 * event count per convoy. Notes are taken per convoy in applied-time order (ties by `n`: two events of
 * one convoy applied in the same millisecond cannot be told apart by their clocks), so a convoy whose
 * events were applied out of order shows as such. `problems` are further findings (stored state).
 */
export function summariseApplied(
  notes: readonly AppliedNote[],
  scheduled: ReadonlyMap<string, number>,
  expected: ReadonlyMap<string, number>,
  problems: readonly string[] = [],
): AppliedSummary {
  const ordered = [...notes].sort(
    (a, b) => a.convoyId.localeCompare(b.convoyId) || a.appliedAt - b.appliedAt || a.n - b.n,
  );
  const ledger = new OrderLedger();
  const latencies: number[] = [];
  let lastAppliedAt = Number.NaN;
  for (const note of ordered) {
    ledger.applied(note.convoyId, note.n);
    const at = scheduled.get(scheduleKey(note.convoyId, note.n));
    if (at !== undefined) latencies.push(note.appliedAt - at);
    if (!(note.appliedAt <= lastAppliedAt)) lastAppliedAt = note.appliedAt;
  }
  return {
    check: ledger.verify(expected, problems),
    latencies,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    lastAppliedAt,
  };
}
