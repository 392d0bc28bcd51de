/**
 * The store conformance suite: what every `ConvoyStore` + `TurnScheduler` adapter must guarantee,
 * proven through the real engine.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { claimTests } from './conformance/claims.ts';
import { edgeTests } from './conformance/edges.ts';
import { fairnessTests } from './conformance/fairness.ts';
import { lifetimeTests } from './conformance/lifetimes.ts';
import { effectAndTimerTests } from './conformance/effects-timers.ts';
import { Harness, type StoreFactory } from './conformance/harness.ts';
import { operatorTests } from './conformance/operator.ts';
import { orderingTests } from './conformance/ordering.ts';
import { policyTests } from './conformance/policies.ts';
import { timeAndTroubleTests } from './conformance/time-trouble.ts';

/**
 * Register the conformance tests for one store adapter (call it at the top level of a vitest file).
 * Each test gets a fresh store from `factory` and an engine on a {@link ManualClock} started in the
 * past; stores take time from the `now` arguments they are given, never ahead of their own clock (which
 * must be the real one: the skewed-clock test runs a caller two minutes ahead of it).
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from '@convoy/runtime/testing';
 * describeStoreConformance('memory store', async (options) => ({
 *   store: new MemoryConvoyStore({ ...options, clock: systemClock }),
 *   scheduler: new MemoryTurnScheduler(),
 *   cleanup: async () => undefined,
 * }));
 * ```
 */
export function describeStoreConformance(name: string, factory: StoreFactory): void {
  describe(`store conformance: ${name}`, () => {
    let harness: Harness | undefined;
    const h = (): Harness => {
      if (!harness) throw new Error('conformance harness used outside a test');
      return harness;
    };
    beforeEach(async () => {
      harness = new Harness(await factory());
    });
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });
    describe('ingestion and order', () => orderingTests(h));
    describe('policies', () => policyTests(h));
    describe('claims and fencing', () => claimTests(h));
    describe('effects, timers, parallelism', () => effectAndTimerTests(h));
    describe('status index and operator actions', () => operatorTests(h));
    describe('time and trouble', () => timeAndTroubleTests(h));
    describe('lifetimes and idempotency namespaces', () => lifetimeTests(h, factory));
    describe('timers, effects, leases and clocks at the edges', () => edgeTests(h));
    describe('fairness: parked convoys and paged scans', () => fairnessTests(h));
  });
}
