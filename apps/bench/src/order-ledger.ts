/**
 * Records, per convoy, the `n` of every event as a contender reports it applied, and checks the record:
 * every expected event applied exactly once and in order. Also the completion signal of a run (all
 * expected events reported) and the source of latencies (applied time minus scheduled send time).
 */

/** What a check found; a row is FAILED unless every count is 0. */
export interface CheckResult {
  readonly applied: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  /** Problems found in the stored state (e.g. a convoy's final context), one line each. */
  readonly problems: readonly string[];
}

/** True when a check found nothing wrong. */
export function checkPassed(result: CheckResult): boolean {
  return (
    result.lost === 0 && result.duplicated === 0 && result.outOfOrder === 0 && result.problems.length === 0
  );
}

/** One line for logs: `applied=… lost=0 duplicated=0 out_of_order=0 problems=0`. */
export function formatCheck(result: CheckResult): string {
  const head = `applied=${result.applied} lost=${result.lost} duplicated=${result.duplicated} out_of_order=${result.outOfOrder} problems=${result.problems.length}`;
  return result.problems.length === 0 ? head : `${head} first_problem="${result.problems[0]}"`;
}

/** The applied-event record of one run. */
export class OrderLedger {
  private readonly sequences = new Map<string, number[]>();
  private readonly latencies: number[] = [];
  private reported = 0;
  private waiter: { readonly target: number; readonly resolve: () => void } | null = null;

  /** A contender applied event `n` of `convoyId`; `scheduledAt` (epoch ms) adds a latency sample. */
  applied(convoyId: string, n: number, scheduledAt?: number): void {
    let sequence = this.sequences.get(convoyId);
    if (sequence === undefined) {
      sequence = [];
      this.sequences.set(convoyId, sequence);
    }
    sequence.push(n);
    if (scheduledAt !== undefined)
      this.latencies.push(performance.timeOrigin + performance.now() - scheduledAt);
    this.reported += 1;
    if (this.waiter !== null && this.reported >= this.waiter.target) {
      this.waiter.resolve();
      this.waiter = null;
    }
  }

  /** Forget everything reported so far (after a warm-up phase). Only while no `waitFor` is pending. */
  reset(): void {
    this.sequences.clear();
    this.latencies.length = 0;
    this.reported = 0;
  }

  /** Number of applied reports so far. */
  get count(): number {
    return this.reported;
  }

  /** Latency samples in ms (applied minus scheduled send time). */
  get latencyMs(): readonly number[] {
    return this.latencies;
  }

  /** Resolves once `target` events were reported; rejects after `timeoutMs`. */
  async waitFor(target: number, timeoutMs: number): Promise<void> {
    if (this.reported >= target) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiter = { target, resolve };
        timer = setTimeout(
          () =>
            reject(new Error(`timed out after ${timeoutMs} ms: ${this.reported}/${target} events applied`)),
          timeoutMs,
        );
      });
    } finally {
      clearTimeout(timer);
      this.waiter = null;
    }
  }

  /**
   * Check every convoy against its expected event count: each `n` in 1..count exactly once, in
   * increasing order. Reorders are counted for every contender; a baseline that promises no order
   * (plain BullMQ) reports them without failing.
   */
  verify(expected: ReadonlyMap<string, number>, problems: readonly string[] = []): CheckResult {
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    let applied = 0;
    for (const [convoyId, count] of expected) {
      const sequence = this.sequences.get(convoyId) ?? [];
      applied += sequence.length;
      const seen = new Uint8Array(count + 1);
      let previous = 0;
      for (const n of sequence) {
        if (n < 1 || n > count) duplicated += 1;
        else if (seen[n] === 1) duplicated += 1;
        else seen[n] = 1;
        if (n < previous) outOfOrder += 1;
        previous = Math.max(previous, n);
      }
      for (let n = 1; n <= count; n += 1) if (seen[n] === 0) lost += 1;
    }
    for (const convoyId of this.sequences.keys()) {
      if (!expected.has(convoyId)) duplicated += this.sequences.get(convoyId)?.length ?? 0;
    }
    return { applied, lost, duplicated, outOfOrder, problems };
  }
}
