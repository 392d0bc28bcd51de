/** What a scenario produces: one row per contender, one sample per repetition. */
import type { CheckResult } from './order-ledger.ts';

/** One repetition of one contender in one scenario. */
export interface RepResult {
  /** The scenario's headline number (events/s, or p99 latency in ms). */
  readonly value: number;
  readonly check: CheckResult;
  /** False when the check found a problem this contender promises not to have, or the run timed out. */
  readonly passed: boolean;
  /** Why the repetition failed, when it did. */
  readonly failure?: string;
  /** Further numbers (named, see each scenario), summarised by median in the table. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** All repetitions of one contender in one scenario. */
export interface ScenarioRow {
  readonly contender: string;
  readonly ordered: boolean;
  readonly reps: RepResult[];
}

/** A ratio column with a baseline per row (see {@link ScenarioResult.ratioColumns}). */
export interface RatioColumn {
  readonly label: string;
  readonly baselineOf: (contender: string) => string | undefined;
}

/** A scenario's rows plus how to read them. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  /** Unit of the headline, e.g. `events/s` or `p99 ms`. */
  readonly unit: string;
  /** True when bigger is better (throughput), false for latency. */
  readonly higherIsBetter: boolean;
  /** Contender names the ratios are computed against. */
  readonly baselines: readonly string[];
  /**
   * Ratio columns whose baseline depends on the row (e.g. the baseline at the same offered rate):
   * `baselineOf` names the row to divide by, or undefined for no ratio in that row.
   */
  readonly ratioColumns?: readonly RatioColumn[];
  /** Metric columns to show: metric name → column label. */
  readonly columns: Readonly<Record<string, string>>;
  /** Free text under the table (offered rate, sizes). */
  readonly notes: readonly string[];
  readonly rows: ScenarioRow[];
}
