/**
 * Outages fail fast and clearly (issue 14): a malformed `--redis` is refused at once, an unreachable one
 * fails start-up within 5 s of trying with the URL named (password redacted); on a running node whose
 * redis-server is killed, `/readyz` says 503 within 2 s, reads and POSTs answer `503 store_unavailable`
 * with `Retry-After: 1` instead of hanging, `/healthz` (liveness) stays 200, the loss and the recovery are
 * one JSON log line each, and when redis-server comes back on the same port the node takes events again
 * by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnConvoy, waitForUrl } from './support/convoy-process.ts';
import type { ConvoyProcess } from './support/convoy-process.ts';
import { startTestRedis } from './support/redis-server.ts';
import type { TestRedis } from './support/redis-server.ts';

const fixture = 'test/fixtures/support-ticket.ts';

interface Timed {
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | null;
  readonly code: unknown;
}

async function timed(url: string, init?: RequestInit): Promise<Timed> {
  const started = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  const body = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {};
  return {
    status: response.status,
    ms: Date.now() - started,
    retryAfter: response.headers.get('retry-after'),
    code: body['code'],
  };
}

const post = (url: string, id: string): Promise<Timed> =>
  timed(`${url}/convoys/support-ticket/${id}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'TicketOpened' }),
  });

/** The JSON log lines a process wrote on stderr. */
function jsonLines(process: ConvoyProcess): Array<Record<string, unknown>> {
  return process
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('convoy serve --redis: refused URLs', () => {
  it('a malformed --redis is refused with an error naming it, before any connection', async () => {
    const run = spawnConvoy(['serve', fixture, '--port', '0', '--redis', 'notaurl']);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toContain('--redis "notaurl" is not a Redis URL');
  }, 30_000);

  it('an unreachable --redis fails start-up within 5 s of trying, naming the URL without its password', async () => {
    const run = spawnConvoy(['serve', fixture, '--port', '0', '--redis', 'redis://app:s3cret@127.0.0.1:1/0']);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toContain('Cannot reach Redis at redis://app:***@127.0.0.1:1/0');
    expect(run.stderr()).toContain('after 5000 ms');
    expect(run.stderr()).not.toContain('s3cret');
  }, 40_000);
});

describe('convoy serve --redis: Redis killed and restarted under a running node', () => {
  let redis: TestRedis;
  let server: ConvoyProcess;
  let url: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    server = spawnConvoy(['serve', fixture, '--port', '0', '--redis', redis.url, '--store-timeout', '2000']);
    url = await waitForUrl(server);
  }, 40_000);

  afterAll(async () => {
    server?.kill();
    await redis?.stop();
  });

  it('answers 503 store_unavailable with Retry-After fast, keeps /healthz at 200, and recovers by itself', async () => {
    expect((await post(url, 't-before')).status).toBe(202);
    expect((await timed(`${url}/readyz`)).status).toBe(200);

    await redis.kill9();
    const ready = await timed(`${url}/readyz`);
    const read = await timed(`${url}/convoys/support-ticket/t-before`);
    const write = await post(url, 't-during');
    const health = await timed(`${url}/healthz`);
    console.log(
      `outage: /readyz ${ready.status} in ${ready.ms} ms, GET ${read.status} in ${read.ms} ms, ` +
        `POST ${write.status} in ${write.ms} ms, /healthz ${health.status}`,
    );
    expect(ready).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(ready.ms).toBeLessThan(2_000);
    for (const answer of [read, write]) {
      expect(answer).toMatchObject({ status: 503, code: 'store_unavailable', retryAfter: '1' });
      // Bounded by the store deadline (--store-timeout 2000), never a hang.
      expect(answer.ms).toBeLessThan(3_000);
    }
    expect(health.status).toBe(200);

    await redis.restart();
    const backAt = Date.now();
    let after = await post(url, 't-after');
    while (after.status !== 202 && Date.now() - backAt < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await post(url, 't-after');
    }
    console.log(`outage: POST 202 again ${Date.now() - backAt} ms after redis-server restarted`);
    expect(after.status).toBe(202);
    expect((await timed(`${url}/readyz`)).status).toBe(200);

    const lines = jsonLines(server);
    // One line for the loss and one for the recovery of the store's connection, not one per retry.
    const lost = lines.filter((line) => line['msg'] === 'redis connection lost; retrying');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ level: 50, redis: redis.url });
    expect(lines.filter((line) => line['msg'] === 'redis connection restored')).toHaveLength(1);
    // Every 5xx is logged at error level with its stack, without --log-requests.
    const failed = lines.find((line) => line['msg'] === 'request failed');
    expect(failed).toMatchObject({
      level: 50,
      err: { code: 'store_unavailable', stack: expect.stringMatching(/^ConvoyError: .*\n\s+at /) },
    });
    // Nothing but JSON lines and the start-up warning on stderr (no raw ioredis dumps).
    const raw = server
      .stderr()
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('{'));
    expect(raw.filter((line) => !line.startsWith('[convoy]'))).toEqual([]);
  }, 60_000);
});
