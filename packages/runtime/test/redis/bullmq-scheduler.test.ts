/**
 * The BullMQ turn scheduler: at most one waiting turn per convoy however often it is scheduled, turns of
 * one convoy never overlap, every schedule during a running turn leads to one more turn, Cluster-ready
 * key prefix, graceful close.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvoyKey } from '@convoy/core';
import { BullmqTurnScheduler, turnDedupId } from '@convoy/runtime/redis';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

const scheduler = () =>
  new BullmqTurnScheduler({
    connection: server.url,
    queueName: `q-${randomUUID().slice(0, 8)}`,
    concurrency: 4,
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BullmqTurnScheduler', () => {
  it('keeps one waiting turn per convoy however often it is scheduled', async () => {
    const s = scheduler();
    const key = { type: 'order', id: 'o-1' };
    for (let i = 0; i < 50; i += 1) await s.schedule(key);
    await s.schedule({ type: 'order', id: 'o-2' });
    expect(await s.queue.getWaitingCount()).toBe(2);
    await s.close();
  });

  it('never runs two turns of one convoy at once, and runs one more turn for a schedule made during a turn', async () => {
    const s = scheduler();
    const key = { type: 'order', id: 'busy' };
    let running = 0;
    let overlap = 0;
    const turns: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await s.start(async (k: ConvoyKey) => {
      running += 1;
      if (running > 1) overlap += 1;
      turns.push(Date.now());
      if (turns.length === 1) await gate;
      running -= 1;
      expect(k).toEqual(key);
    });
    await s.schedule(key);
    while (turns.length === 0) await sleep(10);
    // The first turn is running: these collapse into exactly one follow-up turn.
    for (let i = 0; i < 20; i += 1) await s.schedule(key);
    await sleep(200);
    expect(turns).toHaveLength(1);
    release();
    const deadline = Date.now() + 5000;
    while (turns.length < 2 && Date.now() < deadline) await sleep(10);
    await sleep(300);
    expect(turns).toHaveLength(2);
    expect(overlap).toBe(0);
    await s.close();
  });

  it('an immediate schedule pulls a delayed turn forward', async () => {
    const s = scheduler();
    const key = { type: 'order', id: 'late' };
    const seen: number[] = [];
    await s.start(async () => void seen.push(Date.now()));
    const t0 = Date.now();
    await s.schedule(key, { delayMs: 60_000 });
    await s.schedule(key);
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await sleep(10);
    expect(seen[0]! - t0).toBeLessThan(5000);
    await s.close();
  });

  it('gathers the wake-ups of one event-loop turn into one job, and runs every convoy of it', async () => {
    const s = scheduler();
    const keys = Array.from({ length: 10 }, (_, i) => ({ type: 'order', id: `batch-${i}` }));
    await Promise.all(keys.map((key) => s.schedule(key)));
    const waiting = await s.queue.getWaiting();
    expect(waiting.map((job) => job.name)).toEqual(['wake']);
    expect(waiting[0]!.data.keys).toEqual(keys.map((key) => [key.type, key.id]));
    const seen: string[] = [];
    await s.start(async (key) => void seen.push(key.id));
    const deadline = Date.now() + 5000;
    while (seen.length < keys.length && Date.now() < deadline) await sleep(10);
    expect(seen.sort()).toEqual(keys.map((key) => key.id).sort());
    await s.close();
  });

  it('a lone wake-up is its own deduplicated turn job, and wakeBatch 1 never gathers', async () => {
    const s = scheduler();
    await s.schedule({ type: 'order', id: 'alone' });
    await s.schedule({ type: 'order', id: 'alone' });
    expect((await s.queue.getWaiting()).map((job) => job.name)).toEqual(['turn']);
    await s.close();
    const single = new BullmqTurnScheduler({
      connection: server.url,
      queueName: `q-${randomUUID().slice(0, 8)}`,
      wakeBatch: 1,
    });
    await Promise.all([1, 2, 3].map((i) => single.schedule({ type: 'order', id: `one-${i}` })));
    expect((await single.queue.getWaiting()).map((job) => job.name)).toEqual(['turn', 'turn', 'turn']);
    await single.close();
  });

  it('never overlaps turns of one convoy woken by several jobs here, and runs one more after the running one', async () => {
    const s = scheduler();
    let running = 0;
    let overlap = 0;
    let turns = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await s.start(async (key) => {
      if (key.id !== 'shared') return;
      running += 1;
      if (running > 1) overlap += 1;
      turns += 1;
      if (turns === 1) await gate;
      running -= 1;
    });
    // Three "wake" jobs (each gathered with another convoy), all naming the shared convoy.
    for (let i = 0; i < 3; i += 1)
      await Promise.all([
        s.schedule({ type: 'order', id: 'shared' }),
        s.schedule({ type: 'order', id: `other-${i}` }),
      ]);
    const deadline = Date.now() + 5000;
    while (turns === 0 && Date.now() < deadline) await sleep(10);
    await sleep(300);
    expect(turns).toBe(1);
    release();
    while (turns < 2 && Date.now() < deadline) await sleep(10);
    await sleep(300);
    expect(turns).toBe(2);
    expect(overlap).toBe(0);
    await s.close();
  });

  it('runs sweeps from the job scheduler', async () => {
    let sweeps = 0;
    const s = new BullmqTurnScheduler({
      connection: server.url,
      queueName: `q-${randomUUID().slice(0, 8)}`,
      sweep: async () => void (sweeps += 1),
    });
    await s.start(async () => undefined);
    await s.scheduleSweeps(100);
    const deadline = Date.now() + 5000;
    while (sweeps < 2 && Date.now() < deadline) await sleep(20);
    expect(sweeps).toBeGreaterThanOrEqual(2);
    await s.removeSweeps();
    await s.close();
  });

  it('keeps every queue key under one Cluster hash tag and dedup ids free of ":"', async () => {
    const s = scheduler();
    const keys = Object.values(s.queue.keys);
    expect(keys.length).toBeGreaterThan(5);
    for (const name of keys) expect(name.startsWith('{convoy}:')).toBe(true);
    const id = turnDedupId({ type: 'a:b', id: '123' });
    expect(id).not.toContain(':');
    expect(id).not.toMatch(/^\d+$/);
    await s.close();
  });

  it('close waits for the running turn to finish', async () => {
    const s = scheduler();
    let finished = false;
    let started = false;
    await s.start(async () => {
      started = true;
      await sleep(300);
      finished = true;
    });
    await s.schedule({ type: 'order', id: 'closing' });
    while (!started) await sleep(10);
    await s.close();
    expect(finished).toBe(true);
  });
});
