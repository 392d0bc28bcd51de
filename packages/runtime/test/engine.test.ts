import { isConvoyError } from '@convoy/core';
import type { ConvoyKey, EffectIntent } from '@convoy/core';
import {
  createConvoyEngine,
  MemoryConvoyStore,
  MemoryTurnScheduler,
  silentLogger,
  type ConvoyEngine,
  type ConvoyEngineOptions,
} from '@convoy/runtime';
import { conformanceConvoys, EffectLog, ManualClock } from '@convoy/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { tallyConvoy } from './support/tally.ts';

const key = (id: string, type = 'tally'): ConvoyKey => ({ type, id });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return isConvoyError(error) ? error.code : String(error);
  }
}

describe('createConvoyEngine', () => {
  const engines: ConvoyEngine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });
  const engineOf = (
    options: Partial<ConvoyEngineOptions> & Pick<ConvoyEngineOptions, 'definitions'>,
  ): ConvoyEngine => {
    const engine = createConvoyEngine({
      store: new MemoryConvoyStore(),
      scheduler: new MemoryTurnScheduler(),
      logger: silentLogger,
      ...options,
    });
    engines.push(engine);
    return engine;
  };

  describe('bad input is inert', () => {
    it('refuses unknown types, bad ids, unknown and reserved event types, bad keys, storing nothing', async () => {
      const store = new MemoryConvoyStore();
      const engine = engineOf({ definitions: [tallyConvoy(() => undefined)], store });
      const cases: Array<[unknown, string]> = [
        [{ type: 'nope', id: 'a', event: { type: 'Add', n: 1 } }, 'unknown_convoy_type'],
        [{ type: 'tally', id: '-bad id', event: { type: 'Add', n: 1 } }, 'invalid_convoy_id'],
        [{ type: 'tally', id: 'a', event: { type: 'Nope' } }, 'unknown_event_type'],
        [{ type: 'tally', id: 'a', event: { type: 'xstate.init' } }, 'reserved_event_type'],
        [{ type: 'tally', id: 'a', event: [1] }, 'invalid_request'],
        [
          { type: 'tally', id: 'a', event: { type: 'Add', n: 1 }, idempotencyKey: '' },
          'invalid_idempotency_key',
        ],
      ];
      for (const [request, code] of cases) {
        expect(await codeOf(engine.accept(request as Parameters<ConvoyEngine['accept']>[0]))).toBe(code);
      }
      expect(await store.get(key('a'))).toBeNull();
      expect((await store.dirtyConvoys(10)).items).toEqual([]);
    });

    it('reads of an unknown type throw unknown_convoy_type; of an unseen convoy return null', async () => {
      const engine = engineOf({ definitions: [tallyConvoy(() => undefined)] });
      expect(await codeOf(engine.getConvoy(key('a', 'nope')))).toBe('unknown_convoy_type');
      expect(() => engine.describeType('nope')).toThrow(/Unknown convoy type/);
      expect(await engine.getConvoy(key('a'))).toBeNull();
      expect(await engine.getHistory(key('a'))).toBeNull();
    });
  });

  describe('versions and types', () => {
    it('starts new convoys on the highest version; lists every version', async () => {
      const engine = engineOf({
        definitions: [
          tallyConvoy(() => undefined, { version: 1 }),
          tallyConvoy(() => undefined, { version: 2 }),
        ],
      });
      await engine.accept({ ...key('v'), event: { type: 'Add', n: 1 } });
      await engine.runTurn(key('v'));
      expect(await engine.getConvoy(key('v'))).toMatchObject({ version: 2, seq: 1 });
      expect(engine.listTypes()).toEqual([
        { type: 'tally', version: 2, versions: [1, 2], description: 'counts', events: ['Add', 'Stop'] },
      ]);
      const description = engine.describeType('tally');
      expect(description).toMatchObject({
        type: 'tally',
        version: 2,
        versions: [1, 2],
        states: ['open', 'stopped'],
      });
      expect(description.mermaid).toContain('stateDiagram-v2');
    });

    it('accepts an event type only an older registered version knows (convoys keep their version)', async () => {
      const ledger = conformanceConvoys(new EffectLog()).ledger;
      const engine = engineOf({
        definitions: [tallyConvoy(() => undefined, { version: 1 }), { ...ledger, type: 'tally', version: 2 }],
      });
      expect(await engine.accept({ ...key('x'), event: { type: 'Stop' } })).toMatchObject({ seq: 1 });
      expect(await engine.accept({ ...key('x'), event: { type: 'Hold' } })).toMatchObject({ seq: 2 });
      expect(await codeOf(engine.accept({ ...key('x'), event: { type: 'Nope' } }))).toBe(
        'unknown_event_type',
      );
      // The convoy started on v2, which does not know Stop: the step dead-letters it.
      await engine.runTurn(key('x'));
      expect(await engine.getDeadLetters(key('x'))).toMatchObject([{ seq: 1, reason: 'unknown_event_type' }]);
    });

    it('refuses two definitions of the same type and version', () => {
      expect(() =>
        engineOf({ definitions: [tallyConvoy(() => undefined), tallyConvoy(() => undefined)] }),
      ).toThrow(/registered twice/);
    });

    it('parks a convoy whose version is no longer registered as blocked, processing nothing', async () => {
      const store = new MemoryConvoyStore();
      const v1 = engineOf({ definitions: [tallyConvoy(() => undefined, { version: 1 })], store });
      await v1.accept({ ...key('old'), event: { type: 'Add', n: 1 } });
      await v1.runTurn(key('old'));
      const v2 = engineOf({ definitions: [tallyConvoy(() => undefined, { version: 2 })], store });
      await v2.accept({ ...key('old'), event: { type: 'Add', n: 2 } });
      await v2.runTurn(key('old'));
      const view = await v2.getConvoy(key('old'));
      expect(view).toMatchObject({ status: 'blocked', seq: 1, accepted: 2, version: 1 });
      expect(view?.blockedReason).toMatch(/version_unknown/);
      const revision = (await store.get(key('old')))?.record?.revision;
      await v2.runTurn(key('old'));
      // Parked once, not re-committed on every wake-up.
      expect((await store.get(key('old')))?.record?.revision).toBe(revision);
      // Registering the version again un-blocks it on its next turn (issue 4: versions).
      await v1.runTurn(key('old'));
      expect(await v1.getConvoy(key('old'))).toMatchObject({
        status: 'active',
        seq: 2,
        context: { items: [1, 2] },
      });
    });
  });

  describe('processing', () => {
    it('a turn that finds the convoy under another lease looks again when that lease runs out, not a whole lease later', async () => {
      const clock = new ManualClock(1_000_000);
      const store = new MemoryConvoyStore();
      const asked: Array<{ key: ConvoyKey; delayMs: number | undefined }> = [];
      const engine = engineOf({
        definitions: [tallyConvoy(() => undefined)],
        store,
        clock,
        leaseMs: 3_000,
        scheduler: {
          schedule: async (k, options) => void asked.push({ key: k, delayMs: options?.delayMs }),
          start: async () => undefined,
          close: async () => undefined,
        },
      });
      await engine.accept({ ...key('held'), event: { type: 'Add', n: 1 } });
      // A worker that died took the convoy 2.5 s ago: its lease has 500 ms left.
      const dead = await store.claim(key('held'), {
        owner: 'dead',
        leaseMs: 3_000,
        maxEvents: 10,
        now: clock.now(),
      });
      expect(dead).not.toBeNull();
      clock.advance(2_500);
      asked.length = 0;
      await engine.runTurn(key('held'));
      expect(asked).toEqual([{ key: key('held'), delayMs: 600 }]);
    });

    it('an HTTP-only engine accepts without processing, and its waitForSeq sees a worker commit by polling', async () => {
      const store = new MemoryConvoyStore();
      const definitions = [tallyConvoy(() => undefined)];
      const edge = engineOf({ definitions, store, processing: false, waitPollMs: 10 });
      await edge.start();
      const { seq } = await edge.accept({ ...key('split'), event: { type: 'Add', n: 1 } });
      expect(await edge.waitForSeq(key('split'), seq, 50)).toBe(false);
      const worker = engineOf({ definitions, store, sweepMs: 20 });
      await worker.start();
      expect(await edge.waitForSeq(key('split'), seq, 5_000)).toBe(true);
    });

    it('waitForSeq resolves at once for a processed seq and false on timeout for a future one', async () => {
      const engine = engineOf({ definitions: [tallyConvoy(() => undefined)] });
      await engine.start();
      const { seq } = await engine.accept({ ...key('w'), event: { type: 'Add', n: 1 } });
      expect(await engine.waitForSeq(key('w'), seq, 5_000)).toBe(true);
      expect(await engine.waitForSeq(key('w'), seq, 0)).toBe(true);
      expect(await engine.waitForSeq(key('w'), seq + 1, 30)).toBe(false);
    });

    it('a hot convoy yields after maxBatchesPerTurn batches and still processes everything in order', async () => {
      const engine = engineOf({
        definitions: [tallyConvoy(() => undefined)],
        batchSize: 2,
        maxBatchesPerTurn: 1,
      });
      for (let n = 1; n <= 9; n += 1) await engine.accept({ ...key('hot'), event: { type: 'Add', n } });
      await engine.start();
      expect(await engine.waitForSeq(key('hot'), 9, 5_000)).toBe(true);
      expect((await engine.getHistory(key('hot')))?.map((entry) => entry.seq)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
    });

    it('close lets a running turn finish and then takes no more turns', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const ran: string[] = [];
      const engine = engineOf({
        definitions: [
          tallyConvoy(async (effect) => {
            await gate;
            ran.push(effect.id);
          }),
        ],
      });
      await engine.start();
      const { seq } = await engine.accept({ ...key('c'), event: { type: 'Add', n: 1 } });
      expect(await engine.waitForSeq(key('c'), seq, 5_000)).toBe(true);
      const closing = engine.close();
      release();
      await closing;
      expect(ran).toEqual([expect.stringMatching(/^tally\|c\|1\|0\|\w+$/)]);
    });
  });

  describe('effects', () => {
    it('retries a failing effect with backoff, keeps it in the outbox, and re-runs it on a later turn', async () => {
      let failures = 3;
      const attempts: string[] = [];
      const store = new MemoryConvoyStore();
      const engine = engineOf({
        definitions: [
          tallyConvoy((effect: EffectIntent) => {
            attempts.push(effect.id);
            if (failures > 0) {
              failures -= 1;
              throw new Error('downstream unavailable');
            }
          }),
        ],
        store,
        effectRetry: { attempts: 2, baseDelayMs: 1 },
      });
      await engine.accept({ ...key('e'), event: { type: 'Add', n: 1 } });
      await engine.runTurn(key('e'));
      expect(attempts).toEqual([expect.stringMatching(/^tally\|e\|1\|0\|\w+$/), attempts[0]]);
      // Committed state moved on; the effect waits in the outbox and keeps the convoy on the sweeper's list.
      expect(await engine.getConvoy(key('e'))).toMatchObject({ seq: 1 });
      expect((await store.dirtyConvoys(10)).items).toEqual([key('e')]);
      await engine.runTurn(key('e'));
      expect(attempts).toHaveLength(4);
      expect((await store.dirtyConvoys(10)).items).toEqual([]);
      await engine.runTurn(key('e'));
      expect(attempts).toHaveLength(4);
    });

    it('dead-letters a poison effect after deadLetterAfterTurns failing turns, so its convoy moves on', async () => {
      const store = new MemoryConvoyStore();
      let calls = 0;
      const engine = engineOf({
        definitions: [
          tallyConvoy(() => {
            calls += 1;
            throw new Error('always broken');
          }),
        ],
        store,
        effectRetry: { attempts: 1, deadLetterAfterTurns: 2 },
      });
      await engine.accept({ ...key('p'), event: { type: 'Add', n: 1 } });
      await engine.runTurn(key('p'));
      expect(await store.deadLetters(key('p'))).toEqual([]);
      expect((await store.dirtyConvoys(10)).items).toEqual([key('p')]);
      await engine.runTurn(key('p'));
      const letters = await store.deadLetters(key('p'));
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ seq: 1, reason: 'handler_error', event: { type: 'Add', n: 1 } });
      expect(letters[0]?.error).toMatch(/recorded.*tally\|p\|1\|0.*always broken/);
      expect((await store.dirtyConvoys(10)).items).toEqual([]);
      await engine.runTurn(key('p'));
      expect(calls).toBe(2);
      // The convoy still takes events after the escalation.
      await engine.accept({ ...key('p'), event: { type: 'Stop' } });
      await engine.runTurn(key('p'));
      expect(await engine.getConvoy(key('p'))).toMatchObject({ status: 'done', seq: 2 });
    });

    it("runs the machine's own action implementation when the definition has no effect handler", async () => {
      const log = new EffectLog();
      const { orders } = conformanceConvoys(log);
      const calls: unknown[] = [];
      const machine = orders.defer.machine.provide({
        actions: { notifyCustomer: (args: unknown, params: unknown) => void calls.push({ args, params }) },
      });
      const engine = engineOf({ definitions: [{ ...orders.defer, machine, effects: {} }] });
      const k = key('m', orders.defer.type);
      await engine.accept({ ...k, event: { type: 'OrderPlaced' } });
      await engine.accept({ ...k, event: { type: 'PaymentConfirmed', amount: 4 } });
      await engine.runTurn(k);
      expect(calls).toEqual([
        {
          args: { context: { paid: 4 }, event: { type: 'PaymentConfirmed', amount: 4 } },
          params: { amount: 4 },
        },
      ]);
      expect(log.runs).toEqual([]);
    });
  });

  describe('stall detection', () => {
    it('reports once a convoy whose waiting events see no progress for stallAfterMs', async () => {
      const clock = new ManualClock();
      const store = new MemoryConvoyStore();
      const stalls: unknown[] = [];
      const engine = engineOf({
        definitions: [tallyConvoy(() => undefined)],
        store,
        clock,
        stallAfterMs: 60_000,
        onStall: (stall) => stalls.push(stall),
      });
      await engine.accept({ ...key('s'), event: { type: 'Add', n: 1 } });
      // A hung worker holds the convoy's lease.
      await store.claim(key('s'), { owner: 'hung', leaseMs: 3_600_000, maxEvents: 10, now: clock.now() });
      const since = clock.now();
      await engine.sweep();
      clock.advance(59_999);
      await engine.sweep();
      expect(stalls).toEqual([]);
      clock.advance(1);
      await engine.sweep();
      await engine.sweep();
      expect(stalls).toEqual([{ key: key('s'), processedSeq: 0, accepted: 1, since }]);
    });
  });

  describe('timers', () => {
    it('the timer poller fires due timers by itself once started', async () => {
      const clock = new ManualClock();
      const { orders } = conformanceConvoys(new EffectLog());
      const engine = engineOf({ definitions: [orders.defer], clock, timerPollMs: 10 });
      const k = key('t', orders.defer.type);
      await engine.start();
      const { seq } = await engine.accept({ ...k, event: { type: 'OrderPlaced' } });
      expect(await engine.waitForSeq(k, seq, 5_000)).toBe(true);
      clock.advance(1_000);
      expect(await engine.waitForSeq(k, seq + 1, 5_000)).toBe(true);
      expect(await engine.getConvoy(k)).toMatchObject({ value: 'Expired', status: 'done' });
    });
  });
});
