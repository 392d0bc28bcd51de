/**
 * The step's part of "time and trouble": invoked work as durable effects, poison events under retry,
 * stall limits as durable timers.
 */
import { describe, expect, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { defineConvoy } from './definition.ts';
import type { ConvoyDefinitionOptions } from './definition.ts';
import type { ConvoyEvent, ConvoyRecord, InboxEvent } from './model.ts';
import { stepConvoy } from './step.ts';
import { stallTimerIds } from './turn-state.ts';

const key = { type: 'ship', id: 's-1' };
const t0 = 1_000_000;

const machine = setup({
  types: {
    context: {} as { tracking: string; tries: number },
    events: {} as
      | { type: 'Ship' }
      | { type: 'Cancel' }
      | { type: 'Explode' }
      | { type: 'Escalated'; reason: string }
      | { type: 'Done' },
  },
  actors: { carrier: fromPromise(async ({ input }: { input: { parcel: string } }) => `T-${input.parcel}`) },
  guards: {
    explodes: () => {
      throw new Error('guard exploded');
    },
  },
}).createMachine({
  id: 'ship',
  initial: 'idle',
  context: { tracking: '', tries: 0 },
  states: {
    idle: {
      on: {
        Ship: 'shipping',
        Explode: { guard: 'explodes', target: 'done' },
        Escalated: 'escalated',
        Done: 'done',
      },
    },
    shipping: {
      invoke: {
        id: 'carrierCall',
        src: 'carrier',
        input: () => ({ parcel: 'p1' }),
        onDone: { target: 'shipped', actions: assign({ tracking: ({ event }) => event.output }) },
        onError: 'failed',
      },
      on: { Cancel: 'idle' },
    },
    shipped: {},
    failed: {},
    escalated: { on: { Ship: 'shipping' } },
    done: { type: 'final' },
  },
});

const define = (options: Partial<ConvoyDefinitionOptions<typeof machine>> = {}) =>
  defineConvoy({ type: 'ship', machine, ...options });

let seq = 0;
const client = (event: ConvoyEvent): InboxEvent => ({
  seq: ++seq,
  event,
  acceptedAt: t0,
  source: { kind: 'client' },
});
const result = (event: ConvoyEvent, effectId: string): InboxEvent => ({
  seq: ++seq,
  event,
  acceptedAt: t0,
  source: { kind: 'effect', effectId },
});

function run(
  definition: ReturnType<typeof define>,
  record: ConvoyRecord | null,
  events: InboxEvent[],
  now = t0,
) {
  return stepConvoy({ definition, key, record, events, now });
}

describe('stepConvoy: invoked work', () => {
  it('turns an invoke into a durable effect and applies its result once, only while the invocation is current', () => {
    seq = 0;
    const definition = define();
    const started = run(definition, null, [client({ type: 'Ship' })]);
    expect(started.effects).toEqual([
      expect.objectContaining({
        id: 'ship|s-1|1|0',
        action: 'xstate.invoke',
        params: { invokeId: 'carrierCall', src: 'carrier', input: { parcel: 'p1' } },
      }),
    ]);
    expect(started.record.invokes).toEqual({ carrierCall: 'ship|s-1|1|0' });
    const done = { type: 'xstate.done.actor.carrierCall', output: 'T-p1', actorId: 'carrierCall' };
    const wrong = run(definition, started.record, [result(done, 'ship|s-1|9|0')]);
    expect(wrong.history).toMatchObject([{ outcome: 'ignored', reason: 'stale_result' }]);
    const applied = run(definition, started.record, [result(done, 'ship|s-1|1|0')]);
    expect(applied.history).toMatchObject([{ outcome: 'applied', to: 'shipped' }]);
    expect(applied.record).toMatchObject({ value: 'shipped', context: { tracking: 'T-p1' } });
    expect(applied.record.invokes).toBeUndefined();
    // The same result again (a re-run before its ack) is stale: the invocation was consumed.
    const again = run(definition, applied.record, [result(done, 'ship|s-1|1|0')]);
    expect(again.history).toMatchObject([{ outcome: 'ignored', reason: 'stale_result' }]);
  });

  it('drops the result of an invocation whose state was left, even after the state is re-entered', () => {
    seq = 0;
    const definition = define();
    const started = run(definition, null, [client({ type: 'Ship' })]);
    const left = run(definition, started.record, [client({ type: 'Cancel' }), client({ type: 'Ship' })]);
    expect(left.record.invokes).toEqual({ carrierCall: 'ship|s-1|3|0' });
    const error = { type: 'xstate.error.actor.carrierCall', error: 'late', actorId: 'carrierCall' };
    const late = run(definition, left.record, [result(error, 'ship|s-1|1|0')]);
    expect(late.history).toMatchObject([{ outcome: 'ignored', reason: 'stale_result' }]);
    expect(late.record.value).toBe('shipping');
    const current = run(definition, left.record, [result(error, 'ship|s-1|3|0')]);
    expect(current.record.value).toBe('failed');
  });
});

describe('stepConvoy: poison events', () => {
  it('retries a throwing head event with backoff, holding back later events, then dead-letters it', () => {
    seq = 0;
    const definition = define({ poison: { attempts: 3, retryDelayMs: 100 } });
    const first = run(definition, null, [client({ type: 'Explode' }), client({ type: 'Done' })]);
    expect(first.history).toEqual([]);
    expect(first.record.processedSeq).toBe(0);
    expect(first.record.poison).toMatchObject({ seq: 1, attempts: 1, retryAt: t0 + 100 });
    const events = [
      { seq: 1, event: { type: 'Explode' }, acceptedAt: t0, source: { kind: 'client' } },
      { seq: 2, event: { type: 'Done' }, acceptedAt: t0, source: { kind: 'client' } },
    ] as const;
    const early = run(definition, first.record, [...events], t0 + 99);
    expect(early.record.poison).toEqual(first.record.poison);
    expect(early.record.processedSeq).toBe(0);
    const second = run(definition, first.record, [...events], t0 + 100);
    expect(second.record.poison).toMatchObject({ attempts: 2, retryAt: t0 + 100 + 200 });
    const third = run(definition, second.record, [...events], t0 + 300);
    expect(third.history.map((h) => [h.seq, h.outcome, h.reason])).toEqual([
      [1, 'deadLettered', 'handler_error'],
      [2, 'applied', undefined],
    ]);
    expect(third.deadLetters[0]?.error).toContain('guard exploded (after 3 attempts)');
    expect(third.record.poison).toBeUndefined();
  });

  it('blocks the convoy with the event still at its head under the block policy', () => {
    seq = 0;
    const definition = define({ poison: { attempts: 1, policy: 'block' } });
    const commit = run(definition, null, [client({ type: 'Explode' }), client({ type: 'Done' })]);
    expect(commit.record).toMatchObject({ status: 'blocked', processedSeq: 0 });
    expect(commit.record.blockedReason).toContain('poison_event: seq 1 (Explode) failed 1 times');
    expect(commit.deadLetters).toEqual([]);
  });
});

describe('stepConvoy: stall limits', () => {
  it('arms the idle limit, escalates once into the machine on firing, and re-arms after progress', () => {
    seq = 0;
    const definition = define({ stall: { idleMs: 1000, escalate: 'Escalated' } });
    const first = run(definition, null, [client({ type: 'Ship' }), client({ type: 'Cancel' })]);
    const idle = first.record.timers[stallTimerIds.idle];
    expect(idle).toMatchObject({ dueAt: t0 + 1000, event: { type: 'Escalated', reason: 'idle' } });
    const firing: InboxEvent = {
      seq: ++seq,
      event: idle!.event,
      acceptedAt: t0 + 1000,
      source: { kind: 'timer', timerId: idle!.timerId, token: idle!.token },
    };
    const stalled = run(definition, first.record, [firing], t0 + 1000);
    expect(stalled.record).toMatchObject({ status: 'stalled', value: 'escalated' });
    expect(stalled.history).toMatchObject([{ outcome: 'applied', event: { type: 'Escalated' } }]);
    // Not re-armed while stalled: one escalation per stall.
    expect(stalled.record.timers[stallTimerIds.idle]).toBeUndefined();
    const moved = run(definition, stalled.record, [client({ type: 'Ship' })], t0 + 2000);
    expect(moved.record.status).toBe('active');
    expect(moved.record.timers[stallTimerIds.idle]).toMatchObject({ dueAt: t0 + 3000 });
  });

  it('marks the convoy stalled without an escalation event when none is configured', () => {
    seq = 0;
    const definition = define({ stall: { idleMs: 1000 } });
    const first = run(definition, null, [client({ type: 'Ship' })]);
    const idle = first.record.timers[stallTimerIds.idle]!;
    const firing: InboxEvent = {
      seq: ++seq,
      event: idle.event,
      acceptedAt: t0,
      source: { kind: 'timer', timerId: idle.timerId, token: idle.token },
    };
    const stalled = run(definition, first.record, [firing], t0 + 1000);
    expect(stalled.record).toMatchObject({ status: 'stalled', value: 'shipping' });
    expect(stalled.history).toMatchObject([{ outcome: 'ignored', reason: 'stalled' }]);
  });
});
