/**
 * Conformance: time and trouble through the engine on the store under test, driven by the test kit on
 * a simulated clock — invoked work, durable timers, poison events, stalls, versions.
 */
import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinition, JsonValue } from '@convoy/core';
import { expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { createConvoyEngine } from '../../engine.ts';
import { silentLogger } from '../../logger.ts';
import { MemoryTurnScheduler } from '../../memory/memory-scheduler.ts';
import { createConvoyTestKit, type ConvoyTestKit } from '../test-kit.ts';
import type { Harness } from './harness.ts';
import { FlakyCarrier, shipmentConvoy, shipmentTimeoutMs } from './shipment-convoy.ts';

const docV1 = createMachine({
  id: 'doc',
  initial: 'draft',
  states: {
    draft: { on: { Submit: 'review' } },
    review: { on: { Approve: 'done' } },
    done: { type: 'final' },
  },
});
const docV2 = createMachine({
  id: 'doc',
  initial: 'writing',
  states: {
    writing: { on: { Submit: 'checking' } },
    checking: { on: { Approve: 'published' } },
    published: { type: 'final' },
  },
});
const renamed: Readonly<Record<string, string>> = { draft: 'writing', review: 'checking', done: 'published' };

/** Time-and-trouble tests. */
export function timeAndTroubleTests(h: () => Harness): void {
  const withKit = async (
    definitions: readonly ConvoyDefinition[],
    test: (kit: ConvoyTestKit) => Promise<void>,
  ): Promise<void> => {
    const kit = createConvoyTestKit({ definitions, store: h().store, start: h().clock.now() });
    try {
      await test(kit);
    } finally {
      await kit.close();
    }
  };
  const lines = async (kit: ConvoyTestKit, type: string, id: string) =>
    (await kit.history(type, id)).map(
      (entry) => `${entry.seq} ${entry.event.type} ${entry.outcome}${entry.reason ? ` ${entry.reason}` : ''}`,
    );

  it('an invoked promise that fails twice succeeds on the third try and its result is applied once', async () => {
    const carrier = new FlakyCarrier(2);
    const { id } = h().key('shipment');
    await withKit([shipmentConvoy(carrier)], async (kit) => {
      await kit.send('shipment', id, { type: 'Ship', parcel: id });
      expect(carrier.calls.get(id)).toBe(3);
      expect(await kit.get('shipment', id)).toMatchObject({
        value: 'shipped',
        context: { tracking: `TRACK-${id}` },
      });
      expect(await lines(kit, 'shipment', id)).toEqual([
        '1 Ship applied',
        '2 xstate.done.actor.carrierCall applied',
      ]);
      expect((await kit.store.dirtyConvoys(1000)).items).not.toContainEqual({ type: 'shipment', id });
    });
  });

  it('a due timer fires once at its deadline; a cancelled one never fires', async () => {
    const fired = h().key('shipment').id;
    const cancelled = h().key('shipment').id;
    await withKit([shipmentConvoy(new FlakyCarrier(0))], async (kit) => {
      const start = kit.clock.now();
      await kit.send('shipment', fired, { type: 'Wait' });
      await kit.send('shipment', cancelled, { type: 'Wait' });
      await kit.send('shipment', cancelled, { type: 'Cancel' });
      expect(await kit.advance(shipmentTimeoutMs * 3)).toBe(1);
      const history = await kit.history('shipment', fired);
      expect(history.map((entry) => `${entry.seq} ${entry.outcome}`)).toEqual(['1 applied', '2 applied']);
      expect(history[1]?.at).toBe(start + shipmentTimeoutMs);
      expect(await lines(kit, 'shipment', cancelled)).toEqual(['1 Wait applied', '2 Cancel applied']);
    });
  });

  it('a poison event is retried, then lands in the dead letters after N tries; the next event goes on', async () => {
    const { id } = h().key('shipment');
    const definition = shipmentConvoy(
      new FlakyCarrier(0),
      { poison: { attempts: 3, retryDelayMs: 100 } },
      { on: true },
    );
    await withKit([definition], async (kit) => {
      await kit.send('shipment', id, { type: 'Poke' });
      await kit.send('shipment', id, { type: 'Wait' });
      expect((await kit.get('shipment', id))?.seq).toBe(0);
      await kit.advance(100);
      expect(await kit.deadLetters('shipment', id)).toEqual([]);
      await kit.advance(200);
      expect(await kit.deadLetters('shipment', id)).toMatchObject([
        { seq: 1, reason: 'handler_error', event: { type: 'Poke' } },
      ]);
      expect(await lines(kit, 'shipment', id)).toEqual([
        '1 Poke deadLettered handler_error',
        '2 Wait applied',
      ]);
    });
  });

  it('a stalled convoy is marked stalled, escalated into the machine exactly once, and listed by status', async () => {
    const { id } = h().key('shipment');
    const definition = shipmentConvoy(new FlakyCarrier(0), { stall: { idleMs: 5000, escalate: 'Stalled' } });
    await withKit([definition], async (kit) => {
      await kit.send('shipment', id, { type: 'Poke' });
      await kit.advance(4999);
      expect((await kit.get('shipment', id))?.status).toBe('active');
      await kit.advance(1);
      expect(await kit.get('shipment', id)).toMatchObject({ status: 'stalled', value: 'poked' });
      await kit.advance(120_000);
      const escalations = (await kit.history('shipment', id)).filter(
        (entry) => entry.event.type === 'Stalled',
      );
      expect(escalations).toHaveLength(1);
      const page = await kit.engine.listConvoys({ type: 'shipment', status: 'stalled' });
      expect(page.items.map((item) => item.id)).toContain(id);
    });
  });

  it('a convoy on an unregistered version is blocked; a registered migration un-blocks it', async () => {
    const key = h().key('doc');
    await withKit([defineConvoy({ type: 'doc', machine: docV1, version: 1 })], async (kit) => {
      await kit.send('doc', key.id, { type: 'Submit' });
      const engineOn = (definition: ConvoyDefinition) =>
        createConvoyEngine({
          definitions: [definition],
          store: kit.store,
          clock: kit.clock,
          scheduler: new MemoryTurnScheduler(),
          logger: silentLogger,
        });
      const bare = engineOn(defineConvoy({ type: 'doc', machine: docV2, version: 2 }));
      await bare.accept({ ...key, event: { type: 'Approve' } });
      await bare.runTurn(key);
      const blocked = await bare.getConvoy(key);
      expect(blocked).toMatchObject({ status: 'blocked', version: 1, seq: 1, accepted: 2 });
      expect(blocked?.blockedReason).toMatch(/^version_unknown: /);
      const migrate = (snapshot: JsonValue, fromVersion: number): JsonValue => {
        const value = (snapshot as { value: string }).value;
        return {
          ...(snapshot as object),
          value: fromVersion === 1 ? (renamed[value] ?? value) : value,
        };
      };
      const migrating = engineOn(defineConvoy({ type: 'doc', machine: docV2, version: 2, migrate }));
      await migrating.runTurn(key);
      expect(await migrating.getConvoy(key)).toMatchObject({
        status: 'done',
        version: 2,
        value: 'published',
        seq: 2,
      });
    });
  });
}
