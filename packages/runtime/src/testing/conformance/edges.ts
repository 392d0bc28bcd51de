/**
 * Conformance: timers, effects and operator actions at the edges — a re-armed stall timer, a migration
 * with armed timers, a re-arm between the due read and the firing, redrive of an effect's dead letter,
 * pause with a pending effect, an effect that outlives its lease, and a clock that runs ahead.
 */
import { defineConvoy, systemClock } from '@convoy/core';
import type { ConvoyDefinition, EffectIntent } from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import { expect, it } from 'vitest';
import { assign, createMachine, setup } from 'xstate';
import { createConvoyEngine, type ConvoyEngine } from '../../engine.ts';
import { silentLogger } from '../../logger.ts';
import { MemoryTurnScheduler } from '../../memory/memory-scheduler.ts';
import { ManualClock } from '../manual-clock.ts';
import { createConvoyTestKit, type ConvoyTestKit } from '../test-kit.ts';
import type { Harness } from './harness.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A timeout that re-arms when poked (re-entering `waiting`). */
const pokeMachine = createMachine({
  id: 'poke',
  initial: 'idle',
  states: {
    idle: { on: { Start: 'waiting' } },
    waiting: { after: { 60_000: 'expired' }, on: { Poke: { target: 'waiting', reenter: true } } },
    expired: { on: { Finish: 'idle' } },
  },
});

/** A review whose timeout v2 shortens from 60 s to 30 s (and whose target v2 renames). */
const reviewV1 = createMachine({
  id: 'review',
  initial: 'draft',
  states: { draft: { on: { Submit: 'review' } }, review: { after: { 60_000: 'late' } }, late: {} },
});
const reviewV2 = createMachine({
  id: 'review',
  initial: 'draft',
  states: {
    draft: { on: { Submit: 'review' } },
    review: { after: { 30_000: 'overdue' }, on: { Note: { target: 'review' } } },
    overdue: {},
  },
});

/** A counter whose `ship` effect fails while `broken.on`. */
function counterConvoy(type: string, broken: { on: boolean; calls: number; hold?: () => Promise<void> }) {
  const machine = setup({
    types: { context: {} as { count: number }, events: {} as { type: 'Inc' } },
    actions: { ship: () => undefined },
  }).createMachine({
    id: 'counter',
    context: { count: 0 },
    on: { Inc: { actions: [assign({ count: ({ context }) => context.count + 1 }), 'ship'] } },
  });
  return defineConvoy({
    type,
    machine,
    effects: {
      ship: async (_effect: EffectIntent) => {
        broken.calls += 1;
        await broken.hold?.();
        if (broken.on) throw new Error('carrier down');
      },
    },
  });
}

/** Edge tests. */
export function edgeTests(h: () => Harness): void {
  const withKit = async (
    definitions: readonly ConvoyDefinition[],
    test: (kit: ConvoyTestKit) => Promise<void>,
    options: { readonly deadLetterAfterTurns?: number } = {},
  ): Promise<void> => {
    const kit = createConvoyTestKit({
      definitions,
      store: h().store,
      start: h().clock.now(),
      effectRetry: { attempts: 1, baseDelayMs: 0, deadLetterAfterTurns: options.deadLetterAfterTurns ?? 10 },
    });
    try {
      await test(kit);
    } finally {
      await kit.close();
    }
  };
  const engineOn = (store: ConvoyStore, definitions: readonly ConvoyDefinition[], clock: ManualClock) =>
    createConvoyEngine({
      definitions,
      store,
      scheduler: new MemoryTurnScheduler(),
      clock,
      logger: silentLogger,
      leaseMs: 5_000,
      leaseRenewMs: 20,
      timerPollMs: 0,
      sweepMs: 0,
      effectRetry: { attempts: 1 },
    });

  it('a head-of-line stall timer fires again after progress cleared the first stall (every arming has its own token)', async () => {
    const stalling = defineConvoy({
      type: 'cf-stall',
      machine: pokeMachine,
      unexpected: 'defer',
      stall: { headOfLineMs: 1_000 },
    });
    const { id } = h().key('cf-stall');
    await withKit([stalling], async (kit) => {
      // Finish is deferred (it is only taken in `expired`): the head of the line waits.
      await kit.send('cf-stall', id, { type: 'Finish' });
      expect(await kit.advance(1_000)).toBe(1);
      expect((await kit.get('cf-stall', id))?.status).toBe('stalled');
      // Progress clears the stall; the same head still waits, so the limit is armed again...
      await kit.send('cf-stall', id, { type: 'Start' });
      expect(await kit.get('cf-stall', id)).toMatchObject({ value: 'waiting', deferred: 1 });
      expect((await kit.get('cf-stall', id))?.status).not.toBe('stalled');
      // ...and fires again instead of staying due forever.
      expect(await kit.advance(1_000)).toBe(1);
      expect((await kit.get('cf-stall', id))?.status).toBe('stalled');
      expect((await kit.store.dueTimers(kit.clock.now(), 100)).items).toEqual([]);
    });
  });

  it('a migration re-plans the timers for the new version: the old arming is dropped, the new timeout fires', async () => {
    const v1 = defineConvoy({ type: 'cf-review', version: 1, machine: reviewV1 });
    const v2 = defineConvoy({
      type: 'cf-review',
      version: 2,
      machine: reviewV2,
      migrate: (snapshot) => snapshot,
    });
    const { id } = h().key('cf-review');
    let submittedAt = 0;
    await withKit([v1], async (kit) => {
      await kit.send('cf-review', id, { type: 'Submit' });
      submittedAt = kit.clock.now();
    });
    await withKit([v1, v2], async (kit) => {
      kit.clock.set(submittedAt + 10_000);
      // Any event moves the convoy to v2 (the migration happens on its next turn).
      await kit.send('cf-review', id, { type: 'Note' });
      const timers = (await kit.engine.getTimers({ type: 'cf-review', id })) ?? [];
      expect(timers.map((timer) => [timer.timerId, timer.dueAt])).toEqual([
        ['xstate.after.30000.review.review', submittedAt + 30_000],
      ]);
      await kit.advance(20_000);
      expect(await kit.get('cf-review', id)).toMatchObject({ value: 'overdue', version: 2 });
      await kit.advance(60_000);
      expect((await kit.store.dueTimers(kit.clock.now(), 100)).items).toEqual([]);
    });
  });

  it('a timer re-armed between the due read and the firing does not fire early', async () => {
    const poke = defineConvoy({ type: 'cf-poke', machine: pokeMachine });
    const { id } = h().key('cf-poke');
    const key = { type: 'cf-poke', id };
    await withKit([poke], async (kit) => {
      await kit.send('cf-poke', id, { type: 'Start' });
      kit.clock.advance(60_000);
      // A store whose due read is torn: the list is read, a commit re-arms the timer (60 s from now),
      // and the timer bodies are read after it (Redis reads them in a second round trip).
      const store = kit.store;
      const torn = new Proxy(store, {
        get(target, property) {
          if (property === 'dueTimers') {
            return async (now: number, limit: number) => {
              const due = await target.dueTimers(now, limit);
              await kit.send('cf-poke', id, { type: 'Poke' });
              const record = (await target.get(key))?.record;
              return {
                ...due,
                items: due.items.map((entry) => ({
                  ...entry,
                  timer: record?.timers[entry.timer.timerId] ?? entry.timer,
                })),
              };
            };
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function'
            ? (value as (...args: unknown[]) => unknown).bind(target)
            : value;
        },
      });
      const engine = engineOn(torn, [poke], kit.clock);
      try {
        expect(await engine.fireDueTimers()).toBe(0);
        await kit.settle();
        expect((await kit.get('cf-poke', id))?.value).toBe('waiting');
        expect(await kit.advance(60_000)).toBe(1);
        expect((await kit.get('cf-poke', id))?.value).toBe('expired');
      } finally {
        await engine.close();
      }
    });
  });

  it("redrive of an effect's dead letter runs the effect again and does not apply its event twice", async () => {
    const broken = { on: true, calls: 0 };
    const counter = counterConvoy('cf-counter', broken);
    const { id } = h().key('cf-counter');
    await withKit(
      [counter],
      async (kit) => {
        await kit.send('cf-counter', id, { type: 'Inc' });
        const [letter] = await kit.deadLetters('cf-counter', id);
        expect(letter).toMatchObject({ seq: 1, reason: 'handler_error' });
        broken.on = false;
        const result = await kit.engine.redriveDeadLetters({ type: 'cf-counter', id });
        expect(result.redriven).toEqual([{ seq: 1, newSeq: 0, effectId: letter?.effect?.id }]);
        await kit.settle();
        expect(broken.calls).toBe(2);
        expect(await kit.get('cf-counter', id)).toMatchObject({ context: { count: 1 }, seq: 1 });
        expect((await kit.history('cf-counter', id)).map((e) => `${e.seq}:${e.outcome}`)).toEqual([
          '1:applied',
          '1:operator',
        ]);
        expect(await kit.deadLetters('cf-counter', id)).toEqual([]);
      },
      { deadLetterAfterTurns: 1 },
    );
  });

  it('a paused convoy runs nothing, its pending effects included; they run after resume', async () => {
    const broken = { on: true, calls: 0 };
    const counter = counterConvoy('cf-counter', broken);
    const { id } = h().key('cf-counter');
    const key = { type: 'cf-counter', id };
    await withKit([counter], async (kit) => {
      await kit.send('cf-counter', id, { type: 'Inc' });
      const failed = broken.calls;
      expect(failed).toBeGreaterThanOrEqual(1);
      await kit.engine.pauseConvoy(key);
      broken.on = false;
      await kit.engine.runTurn(key);
      await kit.engine.sweep();
      await kit.settle();
      expect(broken.calls).toBe(failed);
      await kit.engine.resumeConvoy(key);
      await kit.settle();
      await kit.engine.runTurn(key);
      expect(broken.calls).toBe(failed + 1);
      expect((await kit.store.dirtyConvoys(1000)).items).not.toContainEqual(key);
    });
  });

  it('an effect that outlives its lease keeps it (renewed): no second worker runs it meanwhile', async () => {
    const clock = h().clock;
    const workers: { second?: ConvoyEngine } = {};
    const state = {
      on: false,
      calls: 0,
      hold: async () => {
        // The effect runs for longer than the 5 s lease, while the lease keeper renews it...
        clock.advance(4_000);
        await sleep(200);
        clock.advance(4_000);
        // ...and another worker tries to take the convoy and its pending effect.
        await workers.second?.runTurn(key);
      },
    };
    const counter = counterConvoy('cf-counter', state);
    const key = h().key('cf-counter');
    const first = engineOn(h().store, [counter], clock);
    const second = engineOn(h().store, [counter], clock);
    workers.second = second;
    try {
      await first.accept({ ...key, event: { type: 'Inc' } });
      await first.runTurn(key);
      expect(state.calls).toBe(1);
      expect((await h().store.dirtyConvoys(1000)).items).not.toContainEqual(key);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a worker whose clock runs two minutes ahead neither fires a timer early nor takes over a live lease', async () => {
    const poke = defineConvoy({ type: 'cf-poke', machine: pokeMachine });
    const key = h().key('cf-poke');
    // Real time: the store's own clock (Redis: the server's TIME).
    const honest = new ManualClock(systemClock.now());
    const fast = new ManualClock(systemClock.now() + 120_000);
    const onTime = engineOn(h().store, [poke], honest);
    const ahead = engineOn(h().store, [poke], fast);
    try {
      await onTime.accept({ ...key, event: { type: 'Start' } });
      await onTime.runTurn(key);
      expect((await onTime.getTimers(key))?.map((timer) => timer.timerId)).toEqual([
        'xstate.after.60000.poke.waiting',
      ]);
      expect(await ahead.fireDueTimers()).toBe(0);
      expect((await onTime.getConvoy(key))?.value).toBe('waiting');
      const held = await h().store.claim(key, {
        owner: 'honest',
        leaseMs: 30_000,
        maxEvents: 1,
        now: honest.now(),
      });
      expect(held).not.toBeNull();
      const taken = await h().store.claim(key, {
        owner: 'fast',
        leaseMs: 30_000,
        maxEvents: 1,
        now: fast.now(),
      });
      expect(taken).toBeNull();
    } finally {
      await onTime.close();
      await ahead.close();
    }
  });
}
