/**
 * `--wake-batch`: an HTTP node that wakes many convoys at once gathers them into BullMQ "wake" jobs by
 * default, and with `--wake-batch 1` gives each convoy its own "turn" job (the only kind workers of an
 * earlier version take, so a rolling upgrade can run with it). The node runs `--no-worker`, so the jobs
 * stay in the queue to be counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTurnScheduler } from '@convoy/runtime/redis';
import { startTestRedis } from './support/redis-server.ts';
import type { TestRedis } from './support/redis-server.ts';
import { postEvent, spawnConvoy, waitForUrl } from './support/convoy-process.ts';

const module = 'test/fixtures/support-ticket.ts';
const convoys = 40;

/** Serve with `flags`, POST one event to each of `convoys` new convoys at once, count the queued jobs. */
async function queuedJobs(redis: TestRedis, flags: readonly string[]) {
  const api = spawnConvoy(['serve', module, '--port', '0', '--redis', redis.url, '--no-worker', ...flags]);
  const scheduler = new BullmqTurnScheduler({ connection: redis.url });
  try {
    const url = await waitForUrl(api);
    const run = Math.random().toString(36).slice(2, 8);
    const answers = await Promise.all(
      Array.from({ length: convoys }, (_, i) =>
        postEvent(url, `/convoys/support-ticket/${run}-${i}/events`, { type: 'TicketOpened' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    const jobs = await scheduler.queue.getJobs(['wait', 'prioritized', 'delayed']);
    const turns = jobs.filter((job) => job.name === 'turn' && job.data.id.startsWith(run));
    const wakes = jobs.filter((job) => job.name === 'wake');
    const woken = new Set([
      ...turns.map((job) => job.data.id),
      ...wakes.flatMap((job) => (job.data.keys ?? []).map(([, id]) => id)),
    ]);
    // Consumed: the next run counts only its own jobs.
    await scheduler.queue.drain(true);
    return { turns: turns.length, wakes: wakes.length, woken: woken.size };
  } finally {
    api.kill();
    await api.exited;
    await scheduler.close();
  }
}

describe('convoy serve --wake-batch', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  }, 30_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('by default gathers wake-ups of one event-loop turn into "wake" jobs; with 1, one "turn" job per convoy', async () => {
    const gathered = await queuedJobs(redis, []);
    const single = await queuedJobs(redis, ['--wake-batch', '1']);
    console.log(`wake-batch: default ${JSON.stringify(gathered)}, --wake-batch 1 ${JSON.stringify(single)}`);
    // Every convoy is woken either way.
    expect(gathered.woken).toBe(convoys);
    expect(single.woken).toBe(convoys);
    // 40 concurrent accepts resolve several per event-loop turn: some share a "wake" job by default.
    expect(gathered.wakes).toBeGreaterThan(0);
    expect(gathered.turns).toBeLessThan(convoys);
    expect(single).toEqual({ turns: convoys, wakes: 0, woken: convoys });
  }, 60_000);

  it('refuses a batch below 1 before starting', async () => {
    const api = spawnConvoy(['serve', module, '--port', '0', '--redis', redis.url, '--wake-batch', '0']);
    const { code } = await api.exited;
    expect(code).not.toBe(0);
    expect(api.stderr()).toMatch(/--wake-batch/);
  });
});
