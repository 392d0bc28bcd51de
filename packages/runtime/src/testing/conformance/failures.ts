/**
 * Conformance: failures are first-class. An effect that fails for good is recorded in its convoy's
 * history (`effectFailed`, under the seq that planned it), dead-lettered, shown as `attention` in the
 * view and in the `attention` listing until its letter is redriven or discarded, and reported to the
 * metrics sink by kind; a failed invoke gets its own `effectFailed` entry too.
 */
import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinition, ConvoyMetricsSink, EffectKind } from '@convoy/core';
import { expect, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { createConvoyEngine, type ConvoyEngine } from '../../engine.ts';
import { silentLogger } from '../../logger.ts';
import { MemoryTurnScheduler } from '../../memory/memory-scheduler.ts';
import type { Harness } from './harness.ts';

/** A parcel whose `label` effect throws while `printer.down`. */
function labelConvoy(printer: { down: boolean }): ConvoyDefinition {
  const machine = setup({
    types: { context: {} as { parcels: number }, events: {} as { type: 'Pack' } },
    actions: { label: () => undefined },
  }).createMachine({
    id: 'parcel',
    context: { parcels: 0 },
    on: { Pack: { actions: [assign({ parcels: ({ context }) => context.parcels + 1 }), 'label'] } },
  });
  return defineConvoy({
    type: 'cf-label',
    machine,
    effects: {
      label: () => {
        if (printer.down) throw new Error('printer out of paper');
      },
    },
  });
}

/** A quote that invokes a pricing service which always fails; its error is handled by the machine. */
const quoteConvoy = defineConvoy({
  type: 'cf-quote',
  machine: setup({
    types: { events: {} as { type: 'Ask' } },
    actors: {
      pricing: fromPromise<number>(async () => {
        throw new Error('pricing service unreachable');
      }),
    },
  }).createMachine({
    id: 'quote',
    initial: 'idle',
    states: {
      idle: { on: { Ask: 'pricing' } },
      pricing: { invoke: { id: 'price', src: 'pricing', onDone: 'quoted', onError: 'failed' } },
      quoted: {},
      failed: {},
    },
  }),
});

/** Failure tests. */
export function failureTests(h: () => Harness): void {
  const failuresSeen: Array<[string, EffectKind, boolean]> = [];
  const metrics: ConvoyMetricsSink = {
    effectFailed: (type, kind, deadLettered) => failuresSeen.push([type, kind, deadLettered]),
  };
  const engineFor = (definitions: readonly ConvoyDefinition[]): ConvoyEngine =>
    createConvoyEngine({
      definitions,
      store: h().store,
      scheduler: new MemoryTurnScheduler(),
      clock: h().clock,
      logger: silentLogger,
      leaseMs: 5_000,
      leaseRenewMs: 20,
      timerPollMs: 0,
      sweepMs: 0,
      effectRetry: { attempts: 1, baseDelayMs: 0, deadLetterAfterTurns: 1 },
      metrics,
    });

  it('a dead-lettered effect gets its own history entry under the seq that planned it, and marks the convoy for attention until discarded', async () => {
    failuresSeen.length = 0;
    const printer = { down: true };
    const engine = engineFor([labelConvoy(printer)]);
    const key = h().key('cf-label');
    const healthy = h().key('cf-label');
    try {
      printer.down = false;
      await engine.accept({ ...healthy, event: { type: 'Pack' } });
      await engine.runTurn(healthy);
      printer.down = true;
      await engine.accept({ ...key, event: { type: 'Pack' } });
      await engine.runTurn(key);

      const history = (await engine.getHistory(key)) ?? [];
      expect(history.map((entry) => `${entry.seq}:${entry.outcome}`)).toEqual([
        '1:applied',
        '1:effectFailed',
      ]);
      const failed = history[1]!;
      expect(failed).toMatchObject({
        seq: 1,
        event: { type: 'Pack' },
        reason: 'handler_error',
        failure: { kind: 'effect', name: 'label', deadLettered: true },
      });
      expect(failed.error).toContain('printer out of paper');
      const [letter] = await engine.getDeadLetters(key);
      expect(failed.failure?.effectId).toBe(letter?.effect?.id);
      expect(failuresSeen).toEqual([['cf-label', 'effect', true]]);

      const view = await engine.getConvoy(key);
      expect(view?.attention).toMatchObject({
        deadLetters: 1,
        reason: 'handler_error',
        seq: 1,
        effect: 'label',
      });
      expect(view?.attention?.error).toContain('printer out of paper');
      expect((await engine.getConvoy(healthy))?.attention).toBeUndefined();
      const listed = await engine.listConvoys({ type: 'cf-label', attention: true });
      expect(listed.items.map((item) => item.id)).toEqual([key.id]);
      expect(listed.items[0]?.attention?.deadLetters).toBe(1);
      const all = await engine.listConvoys({ type: 'cf-label' });
      expect(all.items.map((item) => item.id).sort()).toEqual([key.id, healthy.id].sort());

      await engine.discardDeadLetter(key, 1);
      expect((await engine.getConvoy(key))?.attention).toBeUndefined();
      expect((await engine.listConvoys({ type: 'cf-label', attention: true })).items).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('a redrive of the failed effect clears the attention once the letter left the dead letters', async () => {
    const printer = { down: true };
    const engine = engineFor([labelConvoy(printer)]);
    const key = h().key('cf-label');
    try {
      await engine.accept({ ...key, event: { type: 'Pack' } });
      await engine.runTurn(key);
      expect((await engine.getConvoy(key))?.attention?.deadLetters).toBe(1);
      printer.down = false;
      await engine.redriveDeadLetters(key);
      expect((await engine.getConvoy(key))?.attention).toBeUndefined();
      await engine.runTurn(key);
      expect(await engine.getDeadLetters(key)).toEqual([]);
      expect((await engine.getHistory(key))?.map((entry) => `${entry.seq}:${entry.outcome}`)).toEqual([
        '1:applied',
        '1:effectFailed',
        '1:operator',
      ]);
    } finally {
      await engine.close();
    }
  });

  it('a failed invoke is recorded as its own entry (kind invoke) before the machine handles its error', async () => {
    failuresSeen.length = 0;
    const engine = engineFor([quoteConvoy]);
    const key = h().key('cf-quote');
    try {
      await engine.accept({ ...key, event: { type: 'Ask' } });
      await engine.runTurn(key);
      await engine.runTurn(key);
      const history = (await engine.getHistory(key)) ?? [];
      expect(history.map((entry) => entry.outcome)).toEqual(['applied', 'effectFailed', 'applied']);
      expect(history[1]).toMatchObject({
        seq: 1,
        outcome: 'effectFailed',
        failure: { kind: 'invoke', name: 'price', deadLettered: false },
      });
      expect(history[1]?.error).toContain('pricing service unreachable');
      expect((await engine.getConvoy(key))?.value).toBe('failed');
      // Handled by the machine: nothing dead-lettered, nothing for an operator.
      expect((await engine.getConvoy(key))?.attention).toBeUndefined();
      expect(failuresSeen).toEqual([['cf-quote', 'invoke', false]]);
    } finally {
      await engine.close();
    }
  });
}
