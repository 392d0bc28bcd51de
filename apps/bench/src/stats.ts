/** Small statistics for bench results: medians over repetitions and latency percentiles. */

/** Median, minimum and maximum of repeated measurements. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

/** Summarise repetitions; NaN values (failed runs) are left out. */
export function spread(samples: readonly number[]): Spread {
  const valid = samples.filter((value) => Number.isFinite(value));
  if (valid.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples };
  const sorted = [...valid].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples };
}

/** The `p`-th percentile (0..100) by nearest rank of an unsorted sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
