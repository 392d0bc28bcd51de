/**
 * The engine's options: one defaults object, one validation. Every tunable number of the engine has its
 * default here (and only here); `convoy serve` and `convoy worker` take theirs from the same object.
 */
import { ConvoyError } from '@convoy/core';
import type { Clock, ConvoyDefinition, ConvoyMetricsSink } from '@convoy/core';
import type { ConvoyStore, TurnScheduler } from '@convoy/core/store';
import type { EffectRetryOptions } from './effects.ts';
import type { ConvoyLogger } from './logger.ts';
import type { ConvoyStall } from './stall-watch.ts';

/**
 * The engine's numeric defaults. Read them (e.g. to print them, or to derive a CLI default); pass
 * overrides through {@link ConvoyEngineOptions}.
 */
export const engineDefaults = {
  /**
   * How long a claim is exclusive; a worker that stops for longer loses the convoy (its commit is
   * fenced off).
   * @defaultValue 30000
   */
  leaseMs: 30_000,
  /**
   * Inbox events stepped per commit.
   * @defaultValue 100
   */
  batchSize: 100,
  /**
   * Batches one turn may process before it yields and reschedules the convoy.
   * @defaultValue 10
   */
  maxBatchesPerTurn: 10,
  /**
   * Local turns run at once (see {@link ConvoyEngineOptions.localTurns}). Off by default: an engine
   * embedded in an application or a test hands every wake-up to its scheduler, whose concurrency
   * bounds the work; `convoy serve`, where ingestion and turns share a process by design, turns it
   * on (its `--concurrency`) and `--no-local-turns` turns it off again.
   * @defaultValue 0
   */
  localTurns: 0,
  /**
   * How often due timers are fired; 0 disables the poller (another process fires them).
   * @defaultValue 1000
   */
  timerPollMs: 1000,
  /**
   * How often the sweeper reschedules dirty convoys; 0 disables it.
   * @defaultValue 5000
   */
  sweepMs: 5000,
  /**
   * How often `waitForSeq` and `waitFor` re-read the store.
   * @defaultValue 100
   */
  waitPollMs: 100,
  /**
   * Waiting events without progress for this long are reported as a stall; 0 disables the check.
   * @defaultValue 60000
   */
  stallAfterMs: 60_000,
} as const satisfies Readonly<Record<string, number>>;

/** The engine's numeric options. */
export type EngineTunables = { readonly [K in keyof typeof engineDefaults]: number };

/** Options of `createConvoyEngine`. Every number defaults to {@link engineDefaults}. */
export interface ConvoyEngineOptions {
  /** The convoy definitions this engine accepts and runs (several versions of a type allowed). */
  readonly definitions: readonly ConvoyDefinition[];
  readonly store: ConvoyStore;
  readonly scheduler: TurnScheduler;
  /**
   * Time source for leases, timers and history.
   * @defaultValue systemClock
   */
  readonly clock?: Clock;
  /**
   * Names this engine's claims in the store.
   * @defaultValue `worker-<random uuid>`
   */
  readonly workerId?: string;
  /**
   * How long a claim is exclusive; a worker that stops for longer loses the convoy (its commit is
   * fenced off). A whole number of milliseconds, at least 1.
   * @defaultValue 30000
   */
  readonly leaseMs?: number;
  /**
   * Inbox events stepped per commit (at least 1).
   * @defaultValue 100
   */
  readonly batchSize?: number;
  /**
   * Batches one turn may process before it yields and reschedules the convoy (at least 1).
   * @defaultValue 10
   */
  readonly maxBatchesPerTurn?: number;
  /**
   * Local turns: when this engine's own `accept` wakes a convoy (it was idle) and the engine processes
   * (`processing` and started), run that convoy's turn right here, without a round trip through the
   * scheduler, while fewer than this many such turns are running; beyond that, and for every other
   * wake-up, the scheduler is used as usual. 0 disables it.
   *
   * Safe for the same reasons as any turn: the claim is exclusive and fenced, so a local turn and a
   * scheduler turn of the same convoy never both commit. If the process dies mid-turn the convoy stays
   * dirty and its lease expires, and the sweeper wakes it through the scheduler (the lost wake-up
   * repair). A local turn that fails hands the convoy to the scheduler at once.
   *
   * Worth it where ingestion and turns share a process (`convoy serve`, embedded): it saves the
   * scheduler's round trips (on BullMQ: the job's add, fetch and completion) for a convoy's first
   * event after it went idle, which is most events under steady, light per-convoy traffic.
   * @defaultValue 0
   */
  readonly localTurns?: number;
  /**
   * How often due timers are fired; 0 disables the poller (another process fires them).
   * @defaultValue 1000
   */
  readonly timerPollMs?: number;
  /**
   * How often the sweeper reschedules dirty convoys (repairs lost wake-ups, retries failed effects);
   * 0 disables it (e.g. when the scheduler runs its own sweeper job).
   * @defaultValue 5000
   */
  readonly sweepMs?: number;
  /**
   * How often `waitForSeq` re-reads the store (the processing worker may be another process); at least 1.
   * @defaultValue 100
   */
  readonly waitPollMs?: number;
  /**
   * A convoy whose waiting events see no progress for this long is reported (logged, `onStall`) by the
   * sweeper, once per stall; 0 disables the check.
   * @defaultValue 60000
   */
  readonly stallAfterMs?: number;
  /** Called for each convoy the sweeper finds stalled (e.g. to alert, or to page an operator). */
  readonly onStall?: (stall: ConvoyStall) => void;
  /** Retries of a failing effect within one turn. */
  readonly effectRetry?: EffectRetryOptions;
  /**
   * When false, the engine only accepts and reads (an HTTP-only node): `start` takes no turns and runs
   * no timers or sweeper; workers elsewhere process.
   * @defaultValue true
   */
  readonly processing?: boolean;
  /** @defaultValue console warnings and errors */
  readonly logger?: ConvoyLogger;
  /**
   * Receives counts and timings (events, outcomes, turns, lease losses, timer lag), e.g. the Prometheus
   * sink of `@convoy/http`.
   * @defaultValue no metrics
   */
  readonly metrics?: ConvoyMetricsSink;
}

/** The smallest value each tunable takes (0: the feature can be switched off). */
const minimumOf: { readonly [K in keyof EngineTunables]: number } = {
  leaseMs: 1,
  batchSize: 1,
  maxBatchesPerTurn: 1,
  localTurns: 0,
  timerPollMs: 0,
  sweepMs: 0,
  waitPollMs: 1,
  stallAfterMs: 0,
};

/**
 * The engine's tunables with defaults filled in. Throws `ConvoyError` `invalid_options` naming the
 * option when one is not a whole number at or above its minimum (a typo'd `'5000'`, `NaN`, `-1`).
 */
export function resolveTunables(options: Partial<Record<keyof EngineTunables, unknown>>): EngineTunables {
  const resolved: Record<string, number> = {};
  for (const name of Object.keys(engineDefaults) as Array<keyof EngineTunables>) {
    const value = options[name] ?? engineDefaults[name];
    const minimum = minimumOf[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
      throw new ConvoyError(
        'invalid_options',
        `Engine option "${name}" must be a whole number >= ${minimum}, got ${describeValue(value)}`,
        { option: name },
      );
    }
    resolved[name] = value;
  }
  return resolved as EngineTunables;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
