/**
 * Streams that scale on Redis (issue 14): an HTTP-only `convoy serve --redis --no-worker` node with 50
 * open per-type streams sends no Redis command while nothing changes (the Redis command rate is the
 * same as with no stream open), and a change committed by a separate `convoy worker` process reaches all
 * 50 streams with the convoy read once (one `MULTI` of `store.get`), through the per-type change feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis } from './support/redis-server.ts';
import type { TestRedis } from './support/redis-server.ts';
import { postEvent, spawnConvoy, waitForOutput, waitForUrl } from './support/convoy-process.ts';
import type { ConvoyProcess } from './support/convoy-process.ts';

const module = 'test/fixtures/support-ticket.ts';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Total commands Redis processed, and how many were `<name>` (commandstats, counts calls in scripts too). */
async function commands(redis: TestRedis, name?: string): Promise<number> {
  if (name === undefined) return Number((await redis.info('stats')).get('total_commands_processed'));
  const line = (await redis.info('commandstats')).get(`cmdstat_${name}`) ?? 'calls=0';
  return Number(/calls=(\d+)/.exec(line)?.[1] ?? 0);
}

/** Commands per second Redis processed during `ms` of quiet (the worker's timer poll and sweeper included). */
async function idleRate(redis: TestRedis, ms: number): Promise<number> {
  const before = await commands(redis);
  await sleep(ms);
  // The INFO call itself is one command.
  return (((await commands(redis)) - before - 1) * 1000) / ms;
}

describe('per-type streams on Redis cost per change, not per poll', () => {
  let redis: TestRedis;
  let api: ConvoyProcess;
  let worker: ConvoyProcess;
  let url: string;
  const controllers: AbortController[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    api = spawnConvoy(['serve', module, '--port', '0', '--redis', redis.url, '--no-worker', '--no-console']);
    worker = spawnConvoy(['worker', module, '--redis', redis.url, '--concurrency', '2']);
    url = await waitForUrl(api);
    await waitForOutput(worker, /Convoy worker \S+ processing/);
  }, 90_000);

  afterAll(async () => {
    for (const controller of controllers) controller.abort();
    api?.kill();
    worker?.kill();
    await redis?.stop();
  });

  it('50 idle streams add no Redis commands; one change reaches all 50 with one read', async () => {
    await sleep(500);
    const baseline = await idleRate(redis, 3000);

    const readers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const controller = new AbortController();
        controllers.push(controller);
        const response = await fetch(`${url}/convoys/support-ticket/stream`, { signal: controller.signal });
        expect(response.status).toBe(200);
        return response.body!.pipeThrough(new TextDecoderStream()).getReader();
      }),
    );
    await sleep(300);
    const withStreams = await idleRate(redis, 3000);
    // Old code: 50 streams × 64 buckets × 5 statuses × 2 polls/s ≈ 32,000 commands/s. Now one blocked
    // XREAD per type (re-sent every 5 s). The margin (1 % of the old cost) absorbs the worker's poller and
    // sweeper pages, which fall unevenly into 3 s windows (seen: 132 then 178 commands/s, no stream open).
    expect(withStreams).toBeLessThanOrEqual(baseline + 300);

    const readsBefore = await commands(redis, 'multi');
    const answer = await postEvent(
      url,
      '/convoys/support-ticket/t-1/events',
      { type: 'TicketOpened' },
      'k-1',
    );
    expect(answer.status).toBe(202);
    await Promise.all(
      readers.map(async (reader) => {
        let text = '';
        while (!text.includes('"value":"Open"')) {
          const chunk = await reader.read();
          if (chunk.done) throw new Error('stream ended');
          text += chunk.value;
        }
      }),
    );
    await sleep(200);
    expect((await commands(redis, 'multi')) - readsBefore).toBeLessThanOrEqual(2);
  }, 60_000);
});
