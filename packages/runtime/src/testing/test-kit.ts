/**
 * A test kit for users' own convoys: the real engine on the memory store, driven turn by turn on a
 * simulated clock. Time moves only through `advance`, which fires due timers at their deadlines and runs
 * every turn that becomes possible; no background loop, no real waiting.
 */
import type {
  AcceptResponse,
  ConvoyDefinition,
  ConvoyEvent,
  ConvoyKey,
  ConvoyView,
  DeadLetter,
  HistoryEntry,
} from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import { createConvoyEngine, type ConvoyEngine } from '../engine.ts';
import type { EffectRetryOptions } from '../effects.ts';
import { silentLogger, type ConvoyLogger } from '../logger.ts';
import { MemoryConvoyStore } from '../memory/memory-store.ts';
import { MemoryTurnScheduler } from '../memory/memory-scheduler.ts';
import { ManualClock } from './manual-clock.ts';

/** Options of {@link createConvoyTestKit}. */
export interface ConvoyTestKitOptions {
  /** The convoy definitions under test (several versions of a type allowed). */
  readonly definitions: readonly ConvoyDefinition[];
  /**
   * Simulated start time (epoch ms).
   * @defaultValue `Date.parse('2026-01-01T00:00:00Z')`
   */
  readonly start?: number;
  /**
   * Effect retries within a turn. Backoff sleeps in real time, so the kit's default does not wait.
   * @defaultValue `{ attempts: 3, baseDelayMs: 0 }`
   */
  readonly effectRetry?: EffectRetryOptions;
  /** History entries kept per convoy (see `MemoryConvoyStore`). */
  readonly historyCap?: number;
  /**
   * Run on another store instead (e.g. a `RedisConvoyStore` against a test Redis); the kit does not
   * close a store passed in. Stores take time only from their callers, so the simulated clock holds.
   * @defaultValue a new `MemoryConvoyStore`
   */
  readonly store?: ConvoyStore;
  /** @defaultValue silent */
  readonly logger?: ConvoyLogger;
}

/** A convoy runtime for one test. Every method resolves once every possible turn has run. */
export interface ConvoyTestKit {
  readonly clock: ManualClock;
  readonly store: ConvoyStore;
  readonly engine: ConvoyEngine;
  /** Accept one event (validated like the HTTP edge does) and run the convoy until it is quiet. */
  send(type: string, id: string, event: ConvoyEvent, idempotencyKey?: string): Promise<AcceptResponse>;
  /**
   * Move simulated time forward by `ms`: every timer due on the way fires at its own deadline (the
   * clock stops there, turns run, later timers armed meanwhile are honoured), then the clock lands on
   * the target. Returns how many timers fired.
   */
  advance(ms: number): Promise<number>;
  /** Run turns until no convoy can make progress (e.g. after changing the clock yourself). */
  settle(): Promise<void>;
  /** The convoy's view, or null when never seen. */
  get(type: string, id: string): Promise<ConvoyView | null>;
  /** The convoy's history (empty when never seen). */
  history(type: string, id: string): Promise<HistoryEntry[]>;
  /** The convoy's dead letters, oldest first. */
  deadLetters(type: string, id: string): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

/** Rounds of turns `settle` runs before it reports a convoy that never quiets down (a livelock). */
const maxRounds = 1000;

/**
 * Create a test kit.
 *
 * @example
 * ```ts
 * const kit = createConvoyTestKit({ definitions: [order] });
 * await kit.send('order', 'o-1', { type: 'OrderPlaced', amount: 10, items: [] });
 * await kit.advance(30 * 60_000); // the payment timeout fires
 * expect((await kit.get('order', 'o-1'))?.value).toBe('Canceled');
 * await kit.close();
 * ```
 */
export function createConvoyTestKit(options: ConvoyTestKitOptions): ConvoyTestKit {
  const clock = new ManualClock(options.start ?? Date.parse('2026-01-01T00:00:00Z'));
  const store =
    options.store ??
    new MemoryConvoyStore(options.historyCap === undefined ? {} : { historyCap: options.historyCap });
  // The scheduler is never started: the kit runs turns itself, in this call stack.
  const scheduler = new MemoryTurnScheduler();
  const engine = createConvoyEngine({
    definitions: options.definitions,
    store,
    scheduler,
    clock,
    workerId: 'test-kit',
    timerPollMs: 0,
    sweepMs: 0,
    stallAfterMs: 0,
    effectRetry: options.effectRetry ?? { attempts: 3, baseDelayMs: 0 },
    logger: options.logger ?? silentLogger,
  });
  const key = (type: string, id: string): ConvoyKey => ({ type, id });

  /** A fingerprint of every dirty convoy's progress: unchanged after a round means nothing can move. */
  const progressOf = async (dirty: readonly ConvoyKey[]): Promise<string> => {
    const parts = await Promise.all(
      dirty.map(async (k) => {
        const stored = await store.get(k);
        return `${k.type}/${k.id}:${stored?.accepted}:${stored?.record?.revision}`;
      }),
    );
    return parts.join(',');
  };

  const settle = async (): Promise<void> => {
    let before = '';
    for (let round = 0; round < maxRounds; round += 1) {
      const { items: dirty } = await store.dirtyConvoys(10_000);
      if (dirty.length === 0) return;
      const now = await progressOf(dirty);
      if (round > 0 && now === before) return;
      before = now;
      for (const k of dirty) await engine.runTurn(k);
    }
    throw new Error(`createConvoyTestKit: convoys still progressing after ${maxRounds} rounds`);
  };

  return {
    clock,
    store,
    engine,
    async send(type, id, event, idempotencyKey) {
      const receipt = await engine.accept({
        type,
        id,
        event,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      await settle();
      return receipt;
    },
    async advance(ms) {
      const target = clock.now() + ms;
      let fired = 0;
      for (;;) {
        const [next] = (await store.dueTimers(target, 1)).items;
        if (!next) break;
        if (next.timer.dueAt > clock.now()) clock.set(next.timer.dueAt);
        const count = await engine.fireDueTimers();
        fired += count;
        await settle();
        // A due timer that could not fire (e.g. its firing is already waiting in the inbox): stop stepping
        // here. Timers of paused or blocked convoys are not listed at all.
        if (count === 0) break;
      }
      clock.set(Math.max(target, clock.now()));
      fired += await engine.fireDueTimers();
      await settle();
      return fired;
    },
    settle,
    get: (type, id) => engine.getConvoy(key(type, id)),
    history: async (type, id) => (await engine.getHistory(key(type, id))) ?? [],
    deadLetters: (type, id) => engine.getDeadLetters(key(type, id)),
    async close() {
      await engine.close();
      if (!options.store) await store.close();
    },
  };
}
