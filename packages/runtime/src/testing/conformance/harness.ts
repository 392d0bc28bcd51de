/**
 * One fresh store, scheduler and engine per conformance test, on a simulated clock.
 */
import { randomUUID } from 'node:crypto';
import type { ConvoyKey, HistoryEntry } from '@convoy/core';
import type { ConvoyStore, TurnScheduler } from '@convoy/core/store';
import { expect } from 'vitest';
import { createConvoyEngine, type ConvoyEngine } from '../../engine.ts';
import { silentLogger } from '../../logger.ts';
import { conformanceConvoys, EffectLog, type ConformanceConvoys } from '../conformance-convoys.ts';
import { ManualClock } from '../manual-clock.ts';

/** What a store adapter hands the conformance suite for one test. */
export interface StoreUnderTest {
  readonly store: ConvoyStore;
  /** A scheduler on the same backend; must run different convoys concurrently (concurrency > 1). */
  readonly scheduler: TurnScheduler;
  /** Release everything the factory created (the engine is closed before). */
  cleanup(): Promise<void>;
}

/** Creates a fresh, empty store (e.g. a new key prefix) for each test. */
export type StoreFactory = () => Promise<StoreUnderTest>;

/** Lease of the suite's engine, in simulated ms. */
export const harnessLeaseMs = 5_000;

/** Everything one conformance test works with. */
export class Harness {
  readonly log = new EffectLog();
  readonly convoys: ConformanceConvoys = conformanceConvoys(this.log);
  readonly clock = new ManualClock();
  readonly engine: ConvoyEngine;
  #started = false;

  constructor(readonly underTest: StoreUnderTest) {
    this.engine = createConvoyEngine({
      definitions: this.convoys.all,
      store: underTest.store,
      scheduler: underTest.scheduler,
      clock: this.clock,
      workerId: 'conformance',
      leaseMs: harnessLeaseMs,
      batchSize: 7,
      // The tests drive timers and sweeps themselves; background loops only add noise.
      timerPollMs: 3_600_000,
      sweepMs: 3_600_000,
      waitPollMs: 20,
      effectRetry: { attempts: 1 },
      logger: silentLogger,
    });
  }

  get store(): ConvoyStore {
    return this.underTest.store;
  }

  /** A key of a convoy no other test uses. */
  key(type: string): ConvoyKey {
    return { type, id: `cf-${randomUUID().slice(0, 8)}` };
  }

  /** Start processing (turns run through the store's scheduler). */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.engine.start();
  }

  /** Accept one event; returns its seq. */
  async send(
    key: ConvoyKey,
    event: Record<string, unknown> & { type: string },
    idempotencyKey?: string,
  ): Promise<number> {
    const receipt = await this.engine.accept({
      ...key,
      event,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
    return receipt.seq;
  }

  /** Wait until the convoy processed `seq`; fails the test after 10 s. */
  async settle(key: ConvoyKey, seq: number): Promise<void> {
    expect(await this.engine.waitForSeq(key, seq, 10_000), `convoy ${key.id} processed seq ${seq}`).toBe(
      true,
    );
  }

  /** The full history. */
  async history(key: ConvoyKey): Promise<HistoryEntry[]> {
    return (await this.engine.getHistory(key)) ?? [];
  }

  async close(): Promise<void> {
    await this.engine.close();
    await this.underTest.cleanup();
  }
}

/** Poll `check` until it passes (effects run after the commit that `settle` waits for). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** `[seq, outcome]` pairs of a history, for compact assertions. */
export function outcomes(history: readonly HistoryEntry[]): Array<[number, string]> {
  return history.map((entry) => [entry.seq, entry.outcome]);
}
