import type { ConvoyKey } from '@convoy/core';
import { MemoryTurnScheduler } from '@convoy/runtime';
import { afterEach, describe, expect, it } from 'vitest';

const key = (id: string): ConvoyKey => ({ type: 't', id });
const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MemoryTurnScheduler', () => {
  let scheduler: MemoryTurnScheduler;
  afterEach(async () => scheduler.close());

  it('keeps at most one queued turn per convoy and never runs one convoy twice at once', async () => {
    scheduler = new MemoryTurnScheduler({ concurrency: 4 });
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await scheduler.start(async () => {
      running += 1;
      runs += 1;
      maxRunning = Math.max(maxRunning, running);
      await gate;
      running -= 1;
    });
    await scheduler.schedule(key('a'));
    await tick();
    // While the first turn runs, many wake-ups collapse into one follow-up.
    for (let i = 0; i < 10; i += 1) await scheduler.schedule(key('a'));
    release();
    await tick(20);
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('runs different convoys in parallel up to the concurrency limit', async () => {
    scheduler = new MemoryTurnScheduler({ concurrency: 3 });
    let running = 0;
    let maxRunning = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await scheduler.start(async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await gate;
      running -= 1;
    });
    for (let i = 0; i < 6; i += 1) await scheduler.schedule(key(`c${i}`));
    await tick();
    expect(scheduler.running).toBe(3);
    release();
    await tick(20);
    expect(maxRunning).toBe(3);
    expect(scheduler.running).toBe(0);
  });

  it('delivers wake-ups scheduled before start, and close waits for running turns', async () => {
    scheduler = new MemoryTurnScheduler();
    const seen: string[] = [];
    await scheduler.schedule(key('early'));
    let finished = false;
    await scheduler.start(async (k) => {
      seen.push(k.id);
      await tick(30);
      finished = true;
    });
    await tick();
    expect(seen).toEqual(['early']);
    await scheduler.close();
    expect(finished).toBe(true);
  });

  it('reports a failing turn and keeps serving others', async () => {
    const errors: string[] = [];
    scheduler = new MemoryTurnScheduler({ onError: (_error, k) => errors.push(k.id) });
    const ran: string[] = [];
    await scheduler.start(async (k) => {
      if (k.id === 'bad') throw new Error('boom');
      ran.push(k.id);
    });
    await scheduler.schedule(key('bad'));
    await scheduler.schedule(key('good'));
    await tick(20);
    expect(errors).toEqual(['bad']);
    expect(ran).toEqual(['good']);
  });
});
