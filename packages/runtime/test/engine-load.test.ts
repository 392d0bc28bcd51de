import type { ConvoyKey, EffectIntent } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { tallyConvoy } from './support/tally.ts';

describe('engine under concurrent load (memory store)', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('20 producers x 10 convoys x 50 events: every history is 1..n in acceptance order, each effect runs once', async () => {
    const runs = new Map<string, number>();
    const definition = tallyConvoy((effect: EffectIntent) => {
      runs.set(effect.id, (runs.get(effect.id) ?? 0) + 1);
    });
    const store = new MemoryConvoyStore();
    const engine = createConvoyEngine({
      definitions: [definition],
      store,
      scheduler: new MemoryTurnScheduler({ concurrency: 4 }),
      batchSize: 50,
      logger: silentLogger,
    });
    closers.push(() => engine.close());
    await engine.start();

    const producers = 20;
    const convoys: ConvoyKey[] = Array.from({ length: 10 }, (_, c) => ({ type: 'tally', id: `load-${c}` }));
    const perProducer = 50;
    // Each producer sends its events to every convoy one after the other, awaiting each 202, so its own
    // events must be applied in the order it sent them; producers interleave freely.
    const receipts = new Map<string, Array<{ seq: number; n: number }>>();
    await Promise.all(
      Array.from({ length: producers }, async (_, p) => {
        for (let i = 0; i < perProducer; i += 1) {
          for (const key of convoys) {
            const n = p * 1000 + i;
            const { seq } = await engine.accept({ ...key, event: { type: 'Add', n } });
            const list = receipts.get(key.id) ?? [];
            list.push({ seq, n });
            receipts.set(key.id, list);
          }
        }
      }),
    );

    const total = producers * perProducer;
    for (const key of convoys) {
      expect(await engine.waitForSeq(key, total, 20_000)).toBe(true);
      const bySeq = [...(receipts.get(key.id) ?? [])].sort((a, b) => a.seq - b.seq);
      expect(bySeq.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      const history = (await engine.getHistory(key)) ?? [];
      expect(history.map((entry) => entry.seq)).toEqual(bySeq.map((r) => r.seq));
      expect(history.every((entry) => entry.outcome === 'applied')).toBe(true);
      const items = ((await engine.getConvoy(key))?.context as { items: number[] }).items;
      expect(items).toEqual(bySeq.map((r) => r.n));
      for (let p = 0; p < producers; p += 1) {
        const own = items.filter((n) => Math.floor(n / 1000) === p);
        expect(own).toEqual(Array.from({ length: perProducer }, (_, i) => p * 1000 + i));
      }
    }
    await expect.poll(() => runs.size, { timeout: 10_000 }).toBe(convoys.length * total);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect((await store.dirtyConvoys(100)).items).toEqual([]);
  }, 60_000);
});
