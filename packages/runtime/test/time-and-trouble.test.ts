/**
 * Time and trouble on the memory store, driven by the users' test kit (simulated clock): timers,
 * invoked work, poison events, stalls, versions, retention.
 */
import { defineConvoy } from '@convoy/core';
import type { JsonValue } from '@convoy/core';
import { createConvoyEngine, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import {
  createConvoyTestKit,
  FlakyCarrier,
  shipmentConvoy,
  shipmentTimeoutMs,
  type ConvoyTestKit,
} from '@convoy/runtime/testing';

let kit: ConvoyTestKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const lines = async (k: ConvoyTestKit, id: string) =>
  (await k.history('shipment', id)).map(
    (h) => `${h.seq} ${h.event.type} ${h.outcome}${h.reason ? ` ${h.reason}` : ''}`,
  );

describe('test kit: durable timers on a simulated clock', () => {
  it('fires an after timer exactly at its deadline, once, and not before', async () => {
    kit = createConvoyTestKit({ definitions: [shipmentConvoy(new FlakyCarrier(0))] });
    const start = kit.clock.now();
    await kit.send('shipment', 's1', { type: 'Wait' });
    expect(await kit.advance(shipmentTimeoutMs - 1)).toBe(0);
    expect((await kit.get('shipment', 's1'))?.value).toBe('waiting');
    expect(await kit.advance(10_000)).toBe(1);
    expect(await kit.get('shipment', 's1')).toMatchObject({ value: 'timedOut', status: 'done' });
    const history = await kit.history('shipment', 's1');
    expect(history[1]).toMatchObject({ seq: 2, outcome: 'applied', at: start + shipmentTimeoutMs });
    expect(await kit.advance(shipmentTimeoutMs * 3)).toBe(0);
    expect(history).toHaveLength(2);
  });

  it('a cancelled timer never fires', async () => {
    kit = createConvoyTestKit({ definitions: [shipmentConvoy(new FlakyCarrier(0))] });
    await kit.send('shipment', 's2', { type: 'Wait' });
    await kit.send('shipment', 's2', { type: 'Cancel' });
    expect(await kit.advance(shipmentTimeoutMs * 2)).toBe(0);
    expect(await lines(kit, 's2')).toEqual(['1 Wait applied', '2 Cancel applied']);
  });
});

describe('invoked work (fromPromise) as a durable effect', () => {
  it('an invoked promise that fails twice succeeds on the third try and its result is applied once', async () => {
    const carrier = new FlakyCarrier(2);
    kit = createConvoyTestKit({ definitions: [shipmentConvoy(carrier)] });
    await kit.send('shipment', 's3', { type: 'Ship', parcel: 'p3' });
    expect(carrier.calls.get('p3')).toBe(3);
    expect(await kit.get('shipment', 's3')).toMatchObject({
      value: 'shipped',
      status: 'done',
      context: { tracking: 'TRACK-p3' },
    });
    expect(await lines(kit, 's3')).toEqual(['1 Ship applied', '2 xstate.done.actor.carrierCall applied']);
  });

  it('after its retries are exhausted the invoke reports xstate.error.actor into the machine', async () => {
    const carrier = new FlakyCarrier(5);
    kit = createConvoyTestKit({ definitions: [shipmentConvoy(carrier)] });
    await kit.send('shipment', 's4', { type: 'Ship', parcel: 'p4' });
    expect(carrier.calls.get('p4')).toBe(3);
    const view = await kit.get('shipment', 's4');
    expect(view).toMatchObject({ value: 'failed', status: 'done' });
    expect(JSON.stringify(view?.context)).toContain('carrier unavailable (call 3)');
  });

  it('does not run an invoke whose state was left before it ran (its result could only be stale)', async () => {
    const carrier = new FlakyCarrier(0);
    kit = createConvoyTestKit({ definitions: [shipmentConvoy(carrier)] });
    // Accept both before any turn: the invoke starts on Ship, Cancel leaves the state in the same turn.
    await kit.engine.accept({ type: 'shipment', id: 's5', event: { type: 'Ship', parcel: 'p5' } });
    await kit.engine.accept({ type: 'shipment', id: 's5', event: { type: 'Cancel' } });
    await kit.settle();
    // Left in the same turn: the invocation is cancelled before it runs, so nothing comes back.
    expect(await lines(kit, 's5')).toEqual(['1 Ship applied', '2 Cancel applied']);
    expect(carrier.calls.size).toBe(0);
    expect((await kit.get('shipment', 's5'))?.value).toBe('canceled');
  });
});

describe('invoked work: a result arriving after its state was left', () => {
  it('is recorded as ignored stale_result and never reaches the machine', async () => {
    const carrier = new FlakyCarrier(0);
    let release: () => void = () => undefined;
    carrier.gate = new Promise((resolve) => (release = resolve));
    kit = createConvoyTestKit({ definitions: [shipmentConvoy(carrier)] });
    const shipping = kit.send('shipment', 's10', { type: 'Ship', parcel: 'p10' });
    // The carrier call is in flight; the order is canceled meanwhile.
    while (!carrier.calls.has('p10')) await new Promise((resolve) => setTimeout(resolve, 1));
    await kit.engine.accept({ type: 'shipment', id: 's10', event: { type: 'Cancel' } });
    release();
    await shipping;
    await kit.settle();
    expect(carrier.calls.get('p10')).toBe(1);
    expect(await lines(kit, 's10')).toEqual([
      '1 Ship applied',
      '2 Cancel applied',
      '3 xstate.done.actor.carrierCall ignored stale_result',
    ]);
    expect(await kit.get('shipment', 's10')).toMatchObject({ value: 'canceled', context: { tracking: '' } });
  });
});

describe('poison events', () => {
  it('a poison event is retried with backoff, then lands in the dead letters after N tries; the convoy goes on', async () => {
    const explode = { on: true };
    const definition = shipmentConvoy(
      new FlakyCarrier(0),
      { poison: { attempts: 3, retryDelayMs: 1000 } },
      explode,
    );
    kit = createConvoyTestKit({ definitions: [definition] });
    await kit.send('shipment', 's6', { type: 'Poke' });
    await kit.send('shipment', 's6', { type: 'Wait' });
    expect(await kit.get('shipment', 's6')).toMatchObject({ seq: 0, accepted: 2 });
    await kit.advance(1000);
    expect(await kit.get('shipment', 's6')).toMatchObject({ seq: 0 });
    expect(await kit.deadLetters('shipment', 's6')).toEqual([]);
    await kit.advance(2000);
    const letters = await kit.deadLetters('shipment', 's6');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ seq: 1, reason: 'handler_error', event: { type: 'Poke' } });
    expect(letters[0]?.error).toContain('guard exploded (after 3 attempts)');
    expect(await lines(kit, 's6')).toEqual(['1 Poke deadLettered handler_error', '2 Wait applied']);
  });

  it('under the block policy the convoy is blocked with the event still at its head', async () => {
    const definition = shipmentConvoy(
      new FlakyCarrier(0),
      { poison: { attempts: 2, retryDelayMs: 10, policy: 'block' } },
      { on: true },
    );
    kit = createConvoyTestKit({ definitions: [definition] });
    await kit.send('shipment', 's7', { type: 'Poke' });
    await kit.advance(10);
    const view = await kit.get('shipment', 's7');
    expect(view).toMatchObject({ status: 'blocked', seq: 0, accepted: 1 });
    expect(view?.blockedReason).toContain('poison_event: seq 1 (Poke) failed 2 times');
    expect(view?.blockedReason).toContain('guard exploded');
    expect(await kit.deadLetters('shipment', 's7')).toEqual([]);
  });
});

describe('stalled convoys', () => {
  it('an idle convoy is marked stalled and escalated into the machine exactly once', async () => {
    const definition = shipmentConvoy(new FlakyCarrier(0), { stall: { idleMs: 5000, escalate: 'Stalled' } });
    kit = createConvoyTestKit({ definitions: [definition] });
    await kit.send('shipment', 's8', { type: 'Poke' });
    await kit.advance(4999);
    expect((await kit.get('shipment', 's8'))?.status).toBe('active');
    await kit.advance(1);
    expect(await kit.get('shipment', 's8')).toMatchObject({ status: 'stalled', value: 'poked' });
    await kit.advance(60_000);
    const escalations = (await kit.history('shipment', 's8')).filter((h) => h.event.type === 'Stalled');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ event: { reason: 'idle' } });
    const page = await kit.engine.listConvoys({ type: 'shipment', status: 'stalled' });
    expect(page.items.map((item) => item.id)).toEqual(['s8']);
    // Progress clears the stall (and re-arms the limit).
    await kit.send('shipment', 's8', { type: 'Poke' });
    expect(await kit.get('shipment', 's8')).toMatchObject({ status: 'active', value: 'ready' });
  });
});

describe('stalled convoys: head of line', () => {
  it('a deferred event waiting too long escalates once; the machine compensates and the event is released', async () => {
    const definition = shipmentConvoy(new FlakyCarrier(0), {
      stall: { headOfLineMs: 10_000, escalate: 'Stalled' },
    });
    kit = createConvoyTestKit({ definitions: [definition] });
    await kit.send('shipment', 'h1', { type: 'Cancel' });
    expect(await lines(kit, 'h1')).toEqual(['1 Cancel deferred not_accepted_in_state']);
    await kit.advance(9_999);
    expect((await kit.get('shipment', 'h1'))?.status).toBe('active');
    await kit.advance(1);
    expect(await lines(kit, 'h1')).toEqual([
      '1 Cancel deferred not_accepted_in_state',
      '2 Stalled applied',
      '1 Cancel applied',
    ]);
    const [, escalation] = await kit.history('shipment', 'h1');
    expect(escalation?.event).toMatchObject({ reason: 'headOfLine', seq: 1 });
    expect(await kit.get('shipment', 'h1')).toMatchObject({ status: 'done', value: 'canceled' });
  });
});

describe('versions', () => {
  const v1 = createMachine({
    id: 'doc',
    initial: 'draft',
    states: {
      draft: { on: { Submit: 'review' } },
      review: { on: { Approve: 'done' } },
      done: { type: 'final' },
    },
  });
  const v2 = createMachine({
    id: 'doc',
    initial: 'writing',
    states: {
      writing: { on: { Submit: 'checking' } },
      checking: { on: { Approve: 'published' } },
      published: { type: 'final' },
    },
  });
  const renames: Record<string, string> = { draft: 'writing', review: 'checking', done: 'published' };

  it('a convoy whose version is not registered is blocked; a registered migration un-blocks it on its next turn', async () => {
    kit = createConvoyTestKit({ definitions: [defineConvoy({ type: 'doc', machine: v1, version: 1 })] });
    await kit.send('doc', 'd1', { type: 'Submit' });
    const { store, clock } = kit;
    const engineOn = (definitions: Parameters<typeof createConvoyEngine>[0]['definitions']) =>
      createConvoyEngine({
        definitions,
        store,
        clock,
        scheduler: new MemoryTurnScheduler(),
        logger: silentLogger,
        timerPollMs: 0,
        sweepMs: 0,
      });
    const key = { type: 'doc', id: 'd1' };

    const onlyV2 = engineOn([defineConvoy({ type: 'doc', machine: v2, version: 2 })]);
    await onlyV2.accept({ ...key, event: { type: 'Approve' } });
    await onlyV2.runTurn(key);
    const blocked = await onlyV2.getConvoy(key);
    expect(blocked).toMatchObject({ status: 'blocked', seq: 1, accepted: 2, version: 1 });
    expect(blocked?.blockedReason).toMatch(/^version_unknown: convoy runs on version 1/);

    const migrate = (snapshot: JsonValue, from: number): JsonValue => {
      expect(from).toBe(1);
      const s = snapshot as { value: string };
      return { ...(snapshot as object), value: renames[s.value] ?? s.value };
    };
    const withMigration = engineOn([defineConvoy({ type: 'doc', machine: v2, version: 2, migrate })]);
    await withMigration.runTurn(key);
    expect(await withMigration.getConvoy(key)).toMatchObject({
      status: 'done',
      value: 'published',
      version: 2,
      seq: 2,
    });
    expect((await withMigration.getHistory(key))?.map((h) => `${h.seq} ${h.outcome}`)).toEqual([
      '1 applied',
      '2 applied',
    ]);
  });

  it('a migration that yields a snapshot the new machine rejects blocks the convoy with a clear reason', async () => {
    kit = createConvoyTestKit({ definitions: [defineConvoy({ type: 'doc', machine: v1, version: 1 })] });
    await kit.send('doc', 'd2', { type: 'Submit' });
    const engine = createConvoyEngine({
      definitions: [defineConvoy({ type: 'doc', machine: v2, version: 2, migrate: (s) => s })],
      store: kit.store,
      clock: kit.clock,
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
    });
    const key = { type: 'doc', id: 'd2' };
    await engine.accept({ ...key, event: { type: 'Approve' } });
    await engine.runTurn(key);
    const view = await engine.getConvoy(key);
    expect(view).toMatchObject({ status: 'blocked', version: 1 });
    expect(view?.blockedReason).toMatch(
      /^migration_failed: version 1 to 2: the migrated snapshot does not fit/,
    );
  });
});

describe('retention', () => {
  it('a finished convoy and its history expire after the retention; history length is capped', async () => {
    const definition = shipmentConvoy(new FlakyCarrier(0), { retention: { finishedMs: 60_000 } });
    kit = createConvoyTestKit({ definitions: [definition], historyCap: 3 });
    for (let i = 0; i < 4; i += 1) await kit.send('shipment', 's9', { type: 'Poke' });
    expect((await kit.history('shipment', 's9')).map((h) => h.seq)).toEqual([2, 3, 4]);
    await kit.send('shipment', 's9', { type: 'Wait' });
    await kit.advance(shipmentTimeoutMs);
    expect((await kit.get('shipment', 's9'))?.status).toBe('done');
    await kit.advance(59_999);
    expect(await kit.get('shipment', 's9')).not.toBeNull();
    expect((await kit.history('shipment', 's9')).map((h) => h.seq)).toEqual([4, 5, 6]);
    await kit.advance(1);
    expect(await kit.get('shipment', 's9')).toBeNull();
    expect(await kit.history('shipment', 's9')).toEqual([]);
  });
});
