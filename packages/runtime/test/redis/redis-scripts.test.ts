/**
 * The Lua scripts under what Redis and ioredis really do: the script cache is emptied (restart, failover,
 * SCRIPT FLUSH), and a script is re-sent after a reconnect even though its first run may have been
 * applied. Also: the result codes in the Lua files are the ones in `ScriptCode`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvoyKey, ConvoyRecord } from '@convoy/core';
import type { Claim, TurnCommit } from '@convoy/core/store';
import { RedisConvoyStore, ScriptCode } from '@convoy/runtime/redis';
import { convoyStatuses } from '../../src/redis/keys.ts';
import { parkedStatuses } from '../../src/work-list.ts';
import { registerScripts, scriptSources } from '../../src/redis/scripts.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

let server: TestRedisServer;
let n = 0;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

function freshStore(options: { historyCap?: number } = {}): RedisConvoyStore {
  n += 1;
  return new RedisConvoyStore({ connection: server.url, prefix: `sc${n}`, buckets: 4, ...options });
}

const key: ConvoyKey = { type: 'order', id: 'o:1{x}' };

function accept(store: RedisConvoyStore, type: string, now: number, idempotencyKey?: string) {
  return store.accept({
    key,
    event: { type },
    source: idempotencyKey ? { kind: 'client', idempotencyKey } : { kind: 'client' },
    fingerprint: `fp-${type}`,
    now,
    maxBacklog: 100,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
}

/** A turn that applies every claimed event, as a worker's step would (revision + 1). */
function turnOf(claim: Claim, now: number): TurnCommit {
  const processedSeq = claim.events.at(-1)?.seq ?? claim.record?.processedSeq ?? 0;
  const record: ConvoyRecord = {
    key,
    status: 'active',
    definitionVersion: 1,
    snapshot: { seen: processedSeq },
    value: 'Open',
    context: { seen: processedSeq },
    processedSeq,
    deferred: [],
    timers: {},
    createdAt: claim.record?.createdAt ?? now,
    updatedAt: now,
    revision: (claim.record?.revision ?? 0) + 1,
  };
  return {
    record,
    history: claim.events.map((e) => ({
      seq: e.seq,
      event: e.event,
      outcome: 'applied',
      from: 'Open',
      to: 'Open',
      at: now,
    })),
    deadLetters: [],
    effects: [],
    timers: { arm: [], cancel: [] },
  };
}

describe('redis scripts', () => {
  it('declares in every Lua file exactly the result codes of ScriptCode', () => {
    const dir = new URL('../../src/redis/lua/', import.meta.url);
    const known = new Map(Object.entries(ScriptCode));
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.lua'))) {
      const lua = readFileSync(new URL(file, dir), 'utf8');
      expect(lua.startsWith('--[['), `${file} opens with a header`).toBe(true);
      expect(lua, `${file} header`).toMatch(/KEYS\[1\][\s\S]*ARGV\[1\][\s\S]*Returns:/);
      for (const [, name, value] of lua.matchAll(/^local ([A-Z_]+) = (-\d+)$/gm)) {
        expect(known.get(name!), `${file}: ${name}`).toBe(Number(value));
      }
      // A bare negative literal returned without its name would escape this check.
      expect(lua, `${file} returns named codes only`).not.toMatch(/return -\d/);
    }
  });

  it('pastes shared helpers where a script includes them, and leaves no include unresolved', () => {
    const sources = new Map(scriptSources().map((source) => [source.name, source.lua]));
    for (const [name, lua] of sources) expect(lua, name).not.toMatch(/^--!include/m);
    for (const name of ['claimConvoy', 'acceptEvent'] as const) {
      expect(sources.get(name), name).toContain('local function takeLease(');
    }
    for (const name of ['commitTurn', 'commitOperator', 'redriveDeadLetters', 'discardDeadLetter'] as const) {
      expect(sources.get(name), name).toContain('local function trimHistory(');
    }
    for (const name of ['commitTurn', 'commitOperator'] as const) {
      expect(sources.get(name), name).toContain('local function moveStatusIndex(');
    }
    for (const name of ['redriveDeadLetters', 'discardDeadLetter'] as const) {
      expect(sources.get(name), name).toContain('local function cleanDeadLetterIndex(');
    }
  });

  it('carries the status list of keys.ts in every Lua file that names statuses, in the same order', () => {
    // The status index keys are passed in `convoyStatuses` order; the Lua list must match it exactly.
    const luaLists = (lua: string): string[][] =>
      [...lua.matchAll(/\{((?:\s*'[a-z]+'\s*,?)+)\}/g)]
        .map(([, body]) => [...body!.matchAll(/'([a-z]+)'/g)].map(([, status]) => status!))
        .filter((list) => list.some((status) => (convoyStatuses as readonly string[]).includes(status)));
    const lib = new URL('../../src/redis/lua/lib/status-index.lua', import.meta.url);
    expect(luaLists(readFileSync(lib, 'utf8'))).toEqual([[...convoyStatuses]]);
    for (const source of scriptSources()) {
      for (const list of luaLists(source.lua)) expect(list, source.file).toEqual([...convoyStatuses]);
    }
    // A script that moves a convoy between status indexes takes one key per status, from the key it
    // names to moveStatusIndex.
    for (const source of scriptSources().filter((s) => s.lua.includes('moveStatusIndex('))) {
      const range = /KEYS\[(\d+)\.\.(\d+)\]\s+the bucket's status index/.exec(source.lua);
      const first = /^moveStatusIndex\((\d+),/m.exec(source.lua);
      expect(range && first, source.file).toBeTruthy();
      expect(Number(range![2]) - Number(range![1]) + 1, source.file).toBe(convoyStatuses.length);
      expect(first![1], source.file).toBe(range![1]);
    }
  });

  it('parks the statuses of work-list.ts in Lua (parked.lua), and every script that marks a convoy dirty asks it first', () => {
    const lib = readFileSync(new URL('../../src/redis/lua/lib/parked.lua', import.meta.url), 'utf8');
    const body = /local function isParked\(status\)\n\s*return (.+)\n/.exec(lib)?.[1] ?? '';
    expect([...body.matchAll(/status == '([a-z]+)'/g)].map(([, status]) => status)).toEqual([
      ...parkedStatuses,
    ]);
    // A `ZADD ... NX` into the dirty set is the only way into the sweeper's list: each script doing it
    // decides on the parked status in the same step.
    for (const source of scriptSources().filter((s) => /'ZADD', KEYS\[\d+\], 'NX'/.test(s.lua))) {
      expect(source.lua, source.file).toMatch(/isParked\(|status == 'paused'/);
    }
  });

  it('keeps working after SCRIPT FLUSH (NOSCRIPT falls back to EVAL)', async () => {
    const store = freshStore();
    expect(await accept(store, 'A', 1)).toMatchObject({ seq: 1, duplicate: false });
    await store.client.script('FLUSH');
    expect(await accept(store, 'B', 2)).toMatchObject({ seq: 2, duplicate: false });
    await store.client.script('FLUSH');
    const claim = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 10, now: 3 });
    expect(claim?.events.map((e) => e.seq)).toEqual([1, 2]);
    await store.client.script('FLUSH');
    expect(await store.commit(claim!, turnOf(claim!, 4))).toEqual({ revision: 1, hasMore: false });
    await store.close();
  });

  it('an accept re-sent with the same arguments appends once and returns the same seq', async () => {
    const store = freshStore();
    const scripts = registerScripts(store.client);
    const k = store.keys.convoy(key);
    const args = (idempotencyKey: string, requestToken: string) => [
      k.meta, k.inbox, store.keys.idempotency(k, 'c', idempotencyKey), k.dirty, k.statusIndexes[0]!, k.state, k.outbox,
      k.timers, k.due,
      10, JSON.stringify({ type: 'A' }), JSON.stringify({ kind: 'client' }), requestToken, 'fp', 100, 60_000, k.member,
      '', '', 0, 0, 'inc1', '', '', '',
    ]; // prettier-ignore
    // No client key: the request token is the key; the resend is a no-op, not reported as a duplicate.
    // {seq, duplicate, wake}: a re-sent run cannot tell whether the first made the convoy dirty, so it wakes.
    expect(await scripts.acceptEvent(...args('r:req-1', 'req-1'))).toEqual([1, 0, 1]);
    expect(await scripts.acceptEvent(...args('r:req-1', 'req-1'))).toEqual([1, 0, 1]);
    // A client key: the same request re-sent is not a duplicate; another request with the key is.
    // Already dirty (event 1 unprocessed): no wake-up needed.
    expect(await scripts.acceptEvent(...args('c:idem-1', 'req-2'))).toEqual([2, 0, 0]);
    expect(await scripts.acceptEvent(...args('c:idem-1', 'req-2'))).toEqual([2, 0, 1]);
    expect(await scripts.acceptEvent(...args('c:idem-1', 'req-3'))).toEqual([2, 1, 1]);
    expect(await store.client.xlen(k.inbox)).toBe(2);
    expect((await store.get(key))?.accepted).toBe(2);
    await store.close();
  });

  it('an accept that claims, re-sent with the same arguments, gets the same claim back (not a second one)', async () => {
    const store = freshStore();
    const scripts = registerScripts(store.client);
    const k = store.keys.convoy(key);
    const args = [
      k.meta, k.inbox, store.keys.idempotency(k, 'r', 'req-9'), k.dirty, k.statusIndexes[0]!, k.state, k.outbox,
      k.timers, k.due,
      10, JSON.stringify({ type: 'A' }), JSON.stringify({ kind: 'client' }), 'req-9', 'fp', 100, 60_000, k.member,
      'claim-9', 'w', 1000, 10, 'inc1', '', '', '',
    ]; // prettier-ignore
    const first = (await scripts.acceptEvent(...args)) as unknown[];
    const again = (await scripts.acceptEvent(...args)) as unknown[];
    // {seq, 0, wake, epoch, leaseUntil, record, entries, outbox}: the same epoch and lease both times.
    expect(first.slice(0, 6)).toEqual([1, 0, 1, 1, 1010, '']);
    expect(again).toEqual(first);
    expect(await store.client.hget(k.meta, 'epoch')).toBe('1');
    // The claim is live: a plain claim finds the convoy held.
    expect(await store.claim(key, { owner: 'other', leaseMs: 1000, maxEvents: 10, now: 11 })).toBeNull();
    await store.close();
  });

  it('a commit re-sent after it was applied succeeds without writing twice, even after a new claim', async () => {
    const store = freshStore();
    await accept(store, 'A', 1);
    await accept(store, 'B', 2);
    const claim = await store.claim(key, { owner: 'w1', leaseMs: 1000, maxEvents: 10, now: 3 });
    const turn = turnOf(claim!, 4);
    expect(await store.commit(claim!, turn)).toEqual({ revision: 1, hasMore: false });
    expect(await store.commit(claim!, turn)).toEqual({ revision: 1, hasMore: false });
    await store.release(claim!);
    await accept(store, 'C', 5);
    const next = await store.claim(key, { owner: 'w2', leaseMs: 1000, maxEvents: 10, now: 6 });
    expect(next?.epoch).toBe(claim!.epoch + 1);
    // The old worker's resend arrives after another claim: it was applied, so still a success...
    expect(await store.commit(claim!, turn)).toEqual({ revision: 1, hasMore: true });
    // ...but any new write from it is fenced.
    await expect(
      store.commit(claim!, turnOf({ ...claim!, record: (await store.get(key))!.record }, 7)),
    ).rejects.toMatchObject({
      code: 'stale_claim',
    });
    expect((await store.history(key)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.commit(next!, turnOf(next!, 8))).toEqual({ revision: 2, hasMore: false });
    expect((await store.history(key)).map((e) => e.seq)).toEqual([1, 2, 3]);
    await store.close();
  });

  it('a claim re-sent with the same token returns the same claim instead of "busy"', async () => {
    const store = freshStore();
    await accept(store, 'A', 1);
    const scripts = registerScripts(store.client);
    const k = store.keys.convoy(key);
    const args = [k.meta, k.state, k.inbox, k.outbox, k.dirty, 10, 'w1', 1000, 10, 'token-1', k.member];
    const first = (await scripts.claimConvoy(...args)) as unknown[];
    const again = (await scripts.claimConvoy(...args)) as unknown[];
    expect(again).toEqual(first);
    expect(
      await scripts.claimConvoy(
        k.meta,
        k.state,
        k.inbox,
        k.outbox,
        k.dirty,
        11,
        'w2',
        1000,
        10,
        'token-2',
        k.member,
      ),
    ).toBe(0);
    await store.close();
  });

  it('keeps history indexes absolute when the history cap drops old entries', async () => {
    const store = freshStore({ historyCap: 3 });
    for (let i = 1; i <= 5; i += 1) await accept(store, `E${i}`, i);
    let claim = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 2, now: 10 });
    await store.commit(claim!, turnOf(claim!, 11));
    claim = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 10, now: 12 });
    expect(claim).toBeNull(); // still leased by the first claim (not released)
    await store.release((await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 10, now: 2000 }))!);
    claim = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 10, now: 2001 });
    await store.commit(claim!, turnOf(claim!, 2002));
    expect((await store.history(key)).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect((await store.history(key, { afterIndex: 2 })).map((e) => e.seq)).toEqual([4, 5]);
    expect((await store.history(key, { afterIndex: 3, limit: 1 })).map((e) => e.seq)).toEqual([5]);
    await store.close();
  });

  it('removes processed events from the inbox and the convoy from the dirty set in the commit', async () => {
    const store = freshStore();
    for (let i = 1; i <= 3; i += 1) await accept(store, `E${i}`, i);
    const k = store.keys.convoy(key);
    expect((await store.dirtyConvoys(10)).items).toEqual([key]);
    const claim = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 2, now: 10 });
    await store.commit(claim!, turnOf(claim!, 11));
    expect(await store.client.xlen(k.inbox)).toBe(1);
    expect((await store.dirtyConvoys(10)).items).toEqual([key]);
    await store.release(claim!);
    const rest = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 2, now: 12 });
    await store.commit(rest!, turnOf(rest!, 13));
    expect(await store.client.xlen(k.inbox)).toBe(0);
    // The empty stream is deleted (memory per finished convoy); the next accept creates it again.
    expect(await store.client.exists(k.inbox)).toBe(0);
    expect((await store.dirtyConvoys(10)).items).toEqual([]);
    await store.release(rest!);
    expect(await accept(store, 'E4', 4)).toMatchObject({ seq: 4, wake: true });
    const next = await store.claim(key, { owner: 'w', leaseMs: 1000, maxEvents: 2, now: 14 });
    expect(next?.events.map((event) => event.seq)).toEqual([4]);
    await store.close();
  });
});
