import { maxEventDepth, systemClock } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { conformanceConvoys, describeStoreConformance, EffectLog } from '@convoy/runtime/testing';
import { describe, expect, it } from 'vitest';

describeStoreConformance('memory', async (options) => {
  const store = new MemoryConvoyStore({ ...options, clock: systemClock });
  return { store, scheduler: new MemoryTurnScheduler({ concurrency: 8 }), cleanup: () => store.close() };
});

/** An object nested `levels` deep (`{ a: { a: ... } }`), built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

describe('a failed accept leaves no trace (memory store)', () => {
  const key = { type: 'ledger', id: 'l-1' };
  const input = (event: Record<string, unknown>, now = 1_000) => ({
    key,
    event: { type: 'Tick', ...event },
    source: { kind: 'client' as const },
    fingerprint: 'fp',
    now,
    maxBacklog: 100,
  });

  async function stateOf(store: MemoryConvoyStore) {
    return {
      convoy: await store.get(key),
      inbox: await store.inbox(key, 100),
      dirty: (await store.dirtyConvoys(100)).items,
      listed: await store.listConvoys({ type: 'ledger', limit: 100 }),
    };
  }

  it('an event too deep to copy, passed straight to the store, changes no counter, inbox or index', async () => {
    const store = new MemoryConvoyStore();
    await store.accept(input({ eventId: 'e1' }));
    const before = await stateOf(store);
    await expect(store.accept(input({ deep: nested(100_000) }, 2_000))).rejects.toThrow(RangeError);
    expect(await stateOf(store)).toEqual(before);
    // The convoy still takes events in order: the next one is seq 2, not 3.
    expect((await store.accept(input({ eventId: 'e2' }, 3_000))).seq).toBe(2);
  });

  it('a refused first accept does not create the convoy', async () => {
    const store = new MemoryConvoyStore();
    await expect(store.accept({ ...input({ deep: nested(100_000) }) })).rejects.toThrow(RangeError);
    await expect(store.accept({ ...input({}), maxBacklog: 0 })).rejects.toMatchObject({
      code: 'backlog_full',
    });
    expect(await store.get(key)).toBeNull();
    expect((await store.dirtyConvoys(100)).items).toEqual([]);
  });

  it('the engine refuses an event deeper than maxEventDepth with payload_too_deep before the store', async () => {
    const store = new MemoryConvoyStore();
    const engine = createConvoyEngine({
      definitions: [conformanceConvoys(new EffectLog()).ledger],
      store,
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
    });
    for (const depth of [maxEventDepth + 1, 3_000, 100_000]) {
      await expect(
        engine.accept({ type: 'cf-ledger', id: 'l-1', event: { type: 'Add', n: 1, deep: nested(depth) } }),
      ).rejects.toMatchObject({ code: 'payload_too_deep' });
    }
    expect(await store.get({ type: 'cf-ledger', id: 'l-1' })).toBeNull();
    await engine.close();
  });
});
