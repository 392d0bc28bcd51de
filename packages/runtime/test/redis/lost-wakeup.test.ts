/**
 * Fault test: a crash between the accept script and the BullMQ add. The producer accepts every event
 * (the accept script appends it to the inbox and marks the convoy dirty) and never adds the turn job, as
 * if it died right after each accept. Only the sweepers of the two worker processes (engine `sweep` over
 * `dirtyConvoys`) can deliver the events: each must be applied exactly once, in order.
 * Sizes: CONVOY_CRASH_CONVOYS (default 40, halved here) x CONVOY_CRASH_EVENTS (default 25, /2.5 here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkload } from './crash-harness.ts';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

const convoys = Math.ceil(Number(process.env.CONVOY_CRASH_CONVOYS ?? 40) / 2);
const events = Math.ceil(Number(process.env.CONVOY_CRASH_EVENTS ?? 25) / 2.5);

let server: TestRedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('redis store: wake-ups lost between accept and the BullMQ add', () => {
  it('the sweeper delivers every event accepted without a wake-up, each applied exactly once', async () => {
    const result = await runWorkload({ server, convoys, events, dropWakeUps: true });
    console.log(`lost wake-ups: ${result.line}`);
    // Every wake-up the producer asked for was dropped (at least the first accept of each convoy asks;
    // later ones may not while the convoy is still dirty): the faults are real and counted.
    expect(result.faults).toBeGreaterThanOrEqual(convoys);
    expect({
      lost: result.lost,
      duplicated: result.duplicated,
      outOfOrder: result.outOfOrder,
      stuck: result.stuck,
      resentMismatch: result.resentMismatch,
      effectsMissing: result.effectsMissing,
    }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, stuck: 0, resentMismatch: 0, effectsMissing: 0 });
    expect(result.accepted).toBe(convoys * events);
  }, 120_000);
});
