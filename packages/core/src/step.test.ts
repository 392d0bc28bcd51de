import { describe, expect, it } from 'vitest';
import { assign, createMachine, setup } from 'xstate';
import { defineConvoy } from './definition.ts';
import type { ConvoyDefinition } from './definition.ts';
import type { ConvoyRecord, InboxEvent } from './model.ts';
import type { TurnCommit } from './ports/store.ts';
import { blockRecord, blockedTurn } from './block.ts';
import { stepConvoy } from './step.ts';
import { afterId, client, deepFreeze, firing, key, orderConvoy } from '../test/fixtures/order-convoy.ts';

const t0 = 1_000_000;

/** Starts a convoy (initial transition, no events) and returns its first record. */
function start(definition: ConvoyDefinition = orderConvoy(), now = t0): ConvoyRecord {
  return stepConvoy({ definition, key, record: null, events: [], now }).record;
}

function step(
  record: ConvoyRecord | null,
  events: InboxEvent[],
  definition = orderConvoy(),
  now = t0 + 10,
): TurnCommit {
  return stepConvoy({ definition, key, record, events, now });
}

/** Pays an order so it sits in `Paid` (with the `remind` timer armed). */
function paid(definition = orderConvoy()): ConvoyRecord {
  return step(start(definition), [client(1, { type: 'PaymentReceived', amount: 10 })], definition).record;
}

function outcomes(commit: TurnCommit) {
  return commit.history.map((h) => [h.seq, h.outcome, h.reason]);
}

describe('stepConvoy: starting a convoy', () => {
  it('runs the initial transition with the default input { type, id } and arms the after timer', () => {
    const commit = stepConvoy({ definition: orderConvoy(), key, record: null, events: [], now: t0 });
    expect(commit.record).toMatchObject({
      key,
      status: 'active',
      definitionVersion: 1,
      value: 'AwaitingPayment',
      context: { orderId: 'o-1', paid: 0, notes: [] },
      processedSeq: 0,
      deferred: [],
      createdAt: t0,
      updatedAt: t0,
      revision: 1,
    });
    expect(commit.timers.arm).toEqual([
      { timerId: afterId, token: 'order|o-1|0|t0', dueAt: t0 + 60000, event: { type: afterId } },
    ]);
    expect(commit.record.timers[afterId]?.token).toBe('order|o-1|0|t0');
    expect(commit.history).toEqual([]);
  });

  it('uses the definition input function when given', () => {
    const definition = orderConvoy({ input: (k) => ({ type: k.type, id: `custom-${k.id}` }) });
    expect(start(definition).context).toMatchObject({ orderId: 'custom-o-1' });
  });

  it('processes events in the same turn as the initial transition', () => {
    const commit = step(null, [client(1, { type: 'PaymentReceived', amount: 12 })]);
    expect(commit.record).toMatchObject({ value: 'Paid', processedSeq: 1, revision: 1 });
    // Armed and cancelled within the same turn: the store never hears of the after timer.
    expect(commit.timers.cancel).toEqual([]);
    expect(commit.timers.arm.map((t) => t.timerId)).toEqual(['remind']);
  });

  it('blocks a convoy whose initial transition throws, processing nothing', () => {
    const definition = orderConvoy({
      input: () => {
        throw new Error('no input');
      },
    });
    const commit = step(null, [client(1, { type: 'PaymentReceived', amount: 12 })], definition);
    expect(commit.record).toMatchObject({ status: 'blocked', processedSeq: 0, revision: 1, snapshot: null });
    expect(commit.record.blockedReason).toContain('no input');
    expect(commit.history).toEqual([]);
  });
});

describe('stepConvoy: accepted events', () => {
  it('applies an accepted event, records from/to and bumps the revision', () => {
    const before = start();
    const commit = step(before, [client(1, { type: 'PaymentReceived', amount: 10 })]);
    expect(commit.history).toEqual([
      {
        seq: 1,
        event: { type: 'PaymentReceived', amount: 10 },
        outcome: 'applied',
        from: 'AwaitingPayment',
        to: 'Paid',
        at: t0 + 10,
      },
    ]);
    expect(commit.record).toMatchObject({
      value: 'Paid',
      context: { paid: 10 },
      processedSeq: 1,
      revision: 2,
      createdAt: t0,
      updatedAt: t0 + 10,
      status: 'active',
    });
  });

  it('turns named actions into effects with stable ids and the context after the event; inline ones are skipped', () => {
    const commit = step(start(), [client(1, { type: 'PaymentReceived', amount: 10 })]);
    expect(commit.effects).toEqual([
      {
        id: 'order|o-1|1|0',
        action: 'notifyWarehouse',
        params: { orderId: 'o-1' },
        seq: 1,
        event: { type: 'PaymentReceived', amount: 10 },
        context: { orderId: 'o-1', paid: 10, notes: [] },
      },
      {
        id: 'order|o-1|1|1',
        action: 'audit',
        params: undefined,
        seq: 1,
        event: { type: 'PaymentReceived', amount: 10 },
        context: { orderId: 'o-1', paid: 10, notes: [] },
      },
    ]);
  });

  it('counts an action listed only in definition.effects as an effect', () => {
    const machine = createMachine({
      initial: 'a',
      states: { a: { on: { Go: { actions: { type: 'sendMail', params: { to: 'x' } } } } } },
    });
    const definition = defineConvoy({ type: 'mail', machine, effects: { sendMail: () => {} } });
    const first = stepConvoy({ definition, key, record: null, events: [], now: t0 });
    const commit = stepConvoy({
      definition,
      key,
      record: first.record,
      events: [client(1, { type: 'Go' })],
      now: t0,
    });
    expect(commit.effects.map((e) => [e.id, e.action, e.params])).toEqual([
      ['order|o-1|1|0', 'sendMail', { to: 'x' }],
    ]);
  });

  it('gives the same effect ids when the same turn is stepped again (replay after a crash)', () => {
    const record = start();
    const events = [client(1, { type: 'PaymentReceived', amount: 10 })];
    expect(step(record, events).effects.map((e) => e.id)).toEqual(
      step(record, events).effects.map((e) => e.id),
    );
  });

  it('skips events at or below processedSeq so a replayed batch is not applied twice', () => {
    const record = paid();
    const commit = step(record, [
      client(1, { type: 'PaymentReceived', amount: 10 }),
      client(2, { type: 'Note', text: 'a' }),
    ]);
    expect(outcomes(commit)).toEqual([[2, 'applied', undefined]]);
    expect(commit.record.processedSeq).toBe(2);
  });
});

describe('stepConvoy: events the state cannot take now', () => {
  const early = () => [client(1, { type: 'ItemsShipped' })];

  it('defers by default and keeps the event in record.deferred', () => {
    const commit = step(start(), early());
    expect(outcomes(commit)).toEqual([[1, 'deferred', 'not_accepted_in_state']]);
    expect(commit.record.deferred).toEqual([{ ...early()[0], deferredAt: t0 + 10 }]);
    expect(commit.record.processedSeq).toBe(1);
    expect(commit.record.value).toBe('AwaitingPayment');
  });

  it('rejects under the reject policy', () => {
    const commit = step(start(), early(), orderConvoy({ unexpected: 'reject' }));
    expect(outcomes(commit)).toEqual([[1, 'rejected', 'not_accepted_in_state']]);
    expect(commit.record.deferred).toEqual([]);
    expect(commit.deadLetters).toEqual([]);
  });

  it('dead-letters under the deadLetter policy', () => {
    const commit = step(start(), early(), orderConvoy({ unexpected: 'deadLetter' }));
    expect(outcomes(commit)).toEqual([[1, 'deadLettered', 'not_accepted_in_state']]);
    expect(commit.deadLetters).toEqual([
      { key, seq: 1, event: { type: 'ItemsShipped' }, reason: 'not_accepted_in_state', at: t0 + 10 },
    ]);
  });

  it('ignores under the ignore policy', () => {
    const commit = step(start(), early(), orderConvoy({ unexpected: 'ignore' }));
    expect(outcomes(commit)).toEqual([[1, 'ignored', 'not_accepted_in_state']]);
    expect(commit.record.deferred).toEqual([]);
  });

  it('applies a per-type policy map, with * covering unlisted types', () => {
    const definition = orderConvoy({
      unexpected: { ItemsShipped: 'defer', Delivered: 'ignore', '*': 'deadLetter' },
    });
    const commit = step(
      start(definition),
      [
        client(1, { type: 'ItemsShipped' }),
        client(2, { type: 'Delivered' }),
        client(3, { type: 'Note', text: 'x' }),
      ],
      definition,
    );
    expect(outcomes(commit)).toEqual([
      [1, 'deferred', 'not_accepted_in_state'],
      [2, 'ignored', 'not_accepted_in_state'],
      [3, 'deadLettered', 'not_accepted_in_state'],
    ]);
  });

  it('falls back to defer for a type missing from a map without *', () => {
    const definition = orderConvoy({ unexpected: { Delivered: 'reject' } });
    expect(outcomes(step(start(definition), early(), definition))).toEqual([
      [1, 'deferred', 'not_accepted_in_state'],
    ]);
  });
});

describe('stepConvoy: guard-rejected and unknown events', () => {
  it('applies guardRejected (reject by default) when the state handles the type but the guard refuses', () => {
    const commit = step(start(), [client(1, { type: 'PaymentReceived', amount: 5 })]);
    expect(outcomes(commit)).toEqual([[1, 'rejected', 'guard_rejected']]);
    expect(commit.record.value).toBe('AwaitingPayment');
  });

  it('applies a configured guardRejected policy', () => {
    const definition = orderConvoy({ guardRejected: 'deadLetter', unexpected: 'reject' });
    const commit = step(start(definition), [client(1, { type: 'PaymentReceived', amount: 5 })], definition);
    expect(outcomes(commit)).toEqual([[1, 'deadLettered', 'guard_rejected']]);
    expect(commit.deadLetters).toHaveLength(1);
  });

  it('tells guard-rejected from not-now through a wildcard transition', () => {
    const machine = setup({ guards: { never: () => false } }).createMachine({
      initial: 'a',
      states: { a: { on: { '*': { guard: 'never', target: 'b' } } }, b: { on: { Ping: 'a', Pong: 'a' } } },
    });
    const definition = defineConvoy({ type: 'wild', machine, guardRejected: 'ignore', unexpected: 'reject' });
    const first = stepConvoy({ definition, key, record: null, events: [], now: t0 });
    const commit = stepConvoy({
      definition,
      key,
      record: first.record,
      events: [client(1, { type: 'Ping' })],
      now: t0,
    });
    expect(outcomes(commit)).toEqual([[1, 'ignored', 'guard_rejected']]);
  });

  it('dead-letters an unknown event type', () => {
    const commit = step(start(), [client(1, { type: 'Bogus' })]);
    expect(outcomes(commit)).toEqual([[1, 'deadLettered', 'unknown_event_type']]);
    expect(commit.deadLetters[0]).toMatchObject({
      seq: 1,
      reason: 'unknown_event_type',
      event: { type: 'Bogus' },
    });
  });

  it('dead-letters with handler_error when a guard throws, and goes on with the next event', () => {
    const commit = step(start(), [
      client(1, { type: 'Explode' }),
      client(2, { type: 'PaymentReceived', amount: 10 }),
    ]);
    expect(outcomes(commit)).toEqual([
      [1, 'deadLettered', 'handler_error'],
      [2, 'applied', undefined],
    ]);
    expect(commit.history[0]?.error).toContain('guard exploded');
    expect(commit.deadLetters[0]).toMatchObject({ seq: 1, reason: 'handler_error' });
    expect(commit.deadLetters[0]?.error).toContain('guard exploded');
  });

  it('dead-letters with handler_error when an effect param cannot be stored as JSON', () => {
    const machine = setup({ actions: { send: (_args, _params: { big: bigint }) => {} } }).createMachine({
      initial: 'a',
      states: { a: { on: { Go: { target: 'b', actions: { type: 'send', params: { big: 1n } } } } }, b: {} },
    });
    const definition = defineConvoy({ type: 'big', machine });
    const first = stepConvoy({ definition, key, record: null, events: [], now: t0 });
    const commit = stepConvoy({
      definition,
      key,
      record: first.record,
      events: [client(1, { type: 'Go' })],
      now: t0,
    });
    expect(outcomes(commit)).toEqual([[1, 'deadLettered', 'handler_error']]);
    expect(commit.record.value).toBe('a');
    expect(commit.effects).toEqual([]);
  });

  it('dead-letters with handler_error when an assign puts a non-JSON value into context', () => {
    const machine = setup({ types: { context: {} as { n: unknown } } }).createMachine({
      context: { n: 0 },
      initial: 'a',
      states: { a: { on: { Go: { target: 'b', actions: assign({ n: () => 1n }) }, Ok: 'b' } }, b: {} },
    });
    const definition = defineConvoy({ type: 'big', machine });
    const first = stepConvoy({ definition, key, record: null, events: [], now: t0 });
    const events = [client(1, { type: 'Go' }), client(2, { type: 'Ok' })];
    const commit = stepConvoy({ definition, key, record: first.record, events, now: t0 });
    expect(outcomes(commit)).toEqual([
      [1, 'deadLettered', 'handler_error'],
      [2, 'applied', undefined],
    ]);
    expect(commit.record).toMatchObject({ value: 'b', context: { n: 0 } });
  });

  it('dead-letters with handler_error when an assign throws, leaving the state unchanged', () => {
    const commit = step(start(), [client(1, { type: 'Corrupt' })]);
    expect(outcomes(commit)).toEqual([[1, 'deadLettered', 'handler_error']]);
    expect(commit.history[0]?.error).toContain('assign exploded');
    expect(commit.record.value).toBe('AwaitingPayment');
    expect(commit.record.context).toMatchObject({ paid: 0 });
  });
});

describe('stepConvoy: deferred events', () => {
  it('releases deferred events in arrival order after a transition; one that still does not fit stays', () => {
    const commit = step(start(), [
      client(1, { type: 'Note', text: 'a' }),
      client(2, { type: 'Delivered' }),
      client(3, { type: 'Note', text: 'b' }),
      client(4, { type: 'PaymentReceived', amount: 10 }),
    ]);
    expect(outcomes(commit)).toEqual([
      [1, 'deferred', 'not_accepted_in_state'],
      [2, 'deferred', 'not_accepted_in_state'],
      [3, 'deferred', 'not_accepted_in_state'],
      [4, 'applied', undefined],
      [1, 'applied', undefined],
      [3, 'applied', undefined],
    ]);
    expect(commit.record.context).toMatchObject({ notes: ['a', 'b'] });
    expect(commit.record.deferred.map((d) => d.seq)).toEqual([2]);
    expect(commit.record.value).toBe('Paid');
  });

  it('restarts the scan after each release so an earlier deferred event enabled later is applied', () => {
    const commit = step(start(), [
      client(1, { type: 'Delivered' }),
      client(2, { type: 'ItemsShipped' }),
      client(3, { type: 'PaymentReceived', amount: 10 }),
    ]);
    expect(outcomes(commit).slice(2)).toEqual([
      [3, 'applied', undefined],
      [2, 'applied', undefined],
      [1, 'applied', undefined],
    ]);
    expect(commit.record).toMatchObject({ status: 'done', value: 'Delivered', deferred: [] });
  });

  it('releases events deferred in an earlier turn', () => {
    const first = step(start(), [client(1, { type: 'ItemsShipped' })]);
    const second = step(first.record, [client(2, { type: 'PaymentReceived', amount: 10 })]);
    expect(outcomes(second)).toEqual([
      [2, 'applied', undefined],
      [1, 'applied', undefined],
    ]);
    expect(second.record).toMatchObject({ value: 'Shipped', deferred: [], processedSeq: 2 });
  });
});

describe('stepConvoy: a finished convoy', () => {
  it('is done on a final state and rejects any later event with convoy_done', () => {
    const shipped = step(paid(), [client(2, { type: 'ItemsShipped' }), client(3, { type: 'Delivered' })]);
    expect(shipped.record.status).toBe('done');
    const later = step(shipped.record, [
      client(4, { type: 'Note', text: 'late' }),
      client(5, { type: 'Bogus' }),
    ]);
    expect(outcomes(later)).toEqual([
      [4, 'rejected', 'convoy_done'],
      [5, 'rejected', 'convoy_done'],
    ]);
    expect(later.record).toMatchObject({ status: 'done', processedSeq: 5 });
  });

  it('records deferred events left when the convoy finishes as rejected, and drops every timer', () => {
    const first = step(start(), [client(1, { type: 'Delivered' })]);
    const token = first.record.timers[afterId]!.token;
    const expired = step(first.record, [firing(2, { type: afterId }, afterId, token)]);
    expect(outcomes(expired)).toEqual([
      [2, 'applied', undefined],
      [1, 'rejected', 'convoy_done'],
    ]);
    expect(expired.record).toMatchObject({ status: 'done', value: 'Expired', deferred: [], timers: {} });
  });

  it('drops timers still armed when the convoy finishes', () => {
    const done = step(paid(), [client(2, { type: 'ItemsShipped' }), client(3, { type: 'Delivered' })]);
    expect(done.record.timers).toEqual({});
    expect(done.timers.cancel).toEqual(['remind']);
  });
});

describe('stepConvoy: timers', () => {
  it('ignores a firing whose token is no longer armed (stale timer)', () => {
    const record = paid();
    const commit = step(record, [firing(2, { type: afterId }, afterId, 'order|o-1|0|t0')]);
    expect(outcomes(commit)).toEqual([[2, 'ignored', 'stale_timer']]);
    expect(commit.record.value).toBe('Paid');
  });

  it('ignores a firing whose id is armed again under another token', () => {
    const record = paid();
    const commit = step(record, [firing(2, { type: 'Remind' }, 'remind', 'an-older-token')]);
    expect(outcomes(commit)).toEqual([[2, 'ignored', 'stale_timer']]);
    expect(commit.record.timers['remind']).toEqual(record.timers['remind']);
  });

  it('applies a valid firing and removes the timer from the record', () => {
    const record = paid();
    const remind = record.timers['remind']!;
    expect(remind).toEqual({
      timerId: 'remind',
      token: 'order|o-1|1|t4',
      dueAt: t0 + 10 + 5000,
      event: { type: 'Remind' },
    });
    const commit = step(record, [firing(2, remind.event, 'remind', remind.token)]);
    expect(outcomes(commit)).toEqual([[2, 'applied', undefined]]);
    expect(commit.record.timers).toEqual({});
    expect(commit.timers).toEqual({ arm: [], cancel: ['remind'] });
    expect(commit.effects.map((e) => [e.id, e.action])).toEqual([['order|o-1|2|0', 'notifyWarehouse']]);
  });

  it('ignores a valid firing the current state does not take (a raised event is dropped, never deferred)', () => {
    const record = paid();
    const remind = record.timers['remind']!;
    const shipped = step(record, [client(2, { type: 'ItemsShipped' })]);
    // A delayed raise with an id outlives its state: leaving Paid does not cancel it.
    expect(shipped.record.timers['remind']).toEqual(remind);
    const commit = step(shipped.record, [firing(3, remind.event, 'remind', remind.token)]);
    expect(outcomes(commit)).toEqual([[3, 'ignored', 'not_accepted_in_state']]);
    expect(commit.record.deferred).toEqual([]);
    expect(commit.record.timers).toEqual({});
    expect(commit.timers.cancel).toEqual(['remind']);
  });

  it('cancels an armed timer on xstate cancel', () => {
    const commit = step(paid(), [client(2, { type: 'CancelReminder' })]);
    expect(commit.record.timers).toEqual({});
    expect(commit.timers).toEqual({ arm: [], cancel: ['remind'] });
  });

  it('cancels the after timer when its state is left', () => {
    const commit = step(start(), [client(1, { type: 'PaymentReceived', amount: 10 })]);
    expect(commit.timers.cancel).toEqual([afterId]);
    expect(Object.keys(commit.record.timers)).toEqual(['remind']);
  });

  it('gives a fresh token to each arming so an old firing cannot hit a new arming', () => {
    const machine = setup({}).createMachine({
      initial: 'a',
      states: { a: { after: { 100: 'b' }, on: { Reset: { target: 'a', reenter: true } } }, b: {} },
    });
    const definition = defineConvoy({ type: 'loop', machine });
    const first = stepConvoy({ definition, key, record: null, events: [], now: t0 });
    const timerId = Object.keys(first.record.timers)[0]!;
    const reset = stepConvoy({
      definition,
      key,
      record: first.record,
      events: [client(1, { type: 'Reset' })],
      now: t0 + 50,
    });
    const rearmed = reset.record.timers[timerId]!;
    expect(rearmed.token).not.toBe(first.record.timers[timerId]!.token);
    expect(rearmed.dueAt).toBe(t0 + 150);
    // Re-armed: listed once in arm with its new token, never in cancel.
    expect(reset.timers).toEqual({ arm: [rearmed], cancel: [] });
    const old = firing(2, { type: timerId }, timerId, first.record.timers[timerId]!.token);
    const late = stepConvoy({ definition, key, record: reset.record, events: [old], now: t0 + 120 });
    expect(outcomes(late)).toEqual([[2, 'ignored', 'stale_timer']]);
  });
});

describe('stepConvoy: blocked convoys', () => {
  it('blocks on a stored snapshot whose state no longer exists, processing nothing', () => {
    const record = start();
    const broken: ConvoyRecord = {
      ...record,
      snapshot: { ...(record.snapshot as object), value: 'Vanished' },
    };
    const commit = step(broken, [client(1, { type: 'PaymentReceived', amount: 10 })]);
    expect(commit.record).toMatchObject({
      status: 'blocked',
      processedSeq: 0,
      revision: 2,
      updatedAt: t0 + 10,
    });
    expect(commit.record.blockedReason).toContain('Vanished');
    expect(commit.history).toEqual([]);
    expect(commit.effects).toEqual([]);
    expect(commit.timers).toEqual({ arm: [], cancel: [] });
  });

  it('blocks on a snapshot that is not an object', () => {
    const commit = step({ ...start(), snapshot: 'garbage' }, [client(1, { type: 'Note', text: 'x' })]);
    expect(commit.record.status).toBe('blocked');
    expect(commit.record.blockedReason).toMatch(/^snapshot_invalid/);
  });

  it('blocks a record of another definition version', () => {
    const commit = step(start(), [client(1, { type: 'Note', text: 'x' })], orderConvoy({ version: 2 }));
    expect(commit.record).toMatchObject({ status: 'blocked', definitionVersion: 1, processedSeq: 0 });
    expect(commit.record.blockedReason).toMatch(/^version_mismatch/);
  });

  it('keeps a blocked convoy blocked', () => {
    const blocked = blockRecord(start(), 'operator said so', t0 + 1);
    const commit = step(blocked, [client(1, { type: 'PaymentReceived', amount: 10 })]);
    expect(commit.record).toMatchObject({
      status: 'blocked',
      blockedReason: 'operator said so',
      processedSeq: 0,
    });
  });

  it('blockRecord / blockedTurn park a record without mutating it', () => {
    const record = deepFreeze(start());
    const turn = blockedTurn(record, 'version_unknown: 7', t0 + 5);
    expect(turn.record).toEqual({
      ...record,
      status: 'blocked',
      blockedReason: 'version_unknown: 7',
      updatedAt: t0 + 5,
      revision: 2,
    });
    expect(turn).toMatchObject({
      history: [],
      deadLetters: [],
      effects: [],
      timers: { arm: [], cancel: [] },
    });
    expect(record.status).toBe('active');
  });
});

describe('stepConvoy: status', () => {
  it('keeps a paused convoy paused and turns a stalled one active once it progresses', () => {
    const record = start();
    const event = [client(1, { type: 'PaymentReceived', amount: 10 })];
    expect(step({ ...record, status: 'paused' }, event).record.status).toBe('paused');
    expect(step({ ...record, status: 'stalled' }, event).record.status).toBe('active');
  });
});

describe('stepConvoy: purity', () => {
  it('gives an equal output for the same input and never mutates the input', () => {
    const first = step(start(), [client(1, { type: 'Delivered' }), client(2, { type: 'ItemsShipped' })]);
    const record = deepFreeze(structuredClone(first.record));
    const events = deepFreeze([
      client(3, { type: 'Note', text: 'x' }),
      client(4, { type: 'PaymentReceived', amount: 10 }),
      client(5, { type: 'Bogus' }),
    ]);
    const snapshotBefore = JSON.stringify(record);
    const a = step(record, events);
    const b = step(record, events);
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(record)).toBe(snapshotBefore);
  });

  it('produces a JSON-safe commit (survives a JSON round trip unchanged)', () => {
    const commit = step(paid(), [client(2, { type: 'Remind' }), client(3, { type: 'Note', text: 'x' })]);
    expect(JSON.parse(JSON.stringify(commit))).toEqual(commit);
  });

  it('continues from a record read back from JSON (as a store would return it)', () => {
    const stored = JSON.parse(JSON.stringify(paid())) as ConvoyRecord;
    const commit = step(stored, [client(2, { type: 'ItemsShipped' })]);
    expect(commit.record.value).toBe('Shipped');
  });
});
