/**
 * The startup guard refuses a Redis that may evict convoy keys and warns about one without AOF.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isConvoyError } from '@convoy/core';
import { assertDurableRedis, parseInfo } from '@convoy/runtime/redis';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

const servers: TestRedisServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function withServer(args: string[]): Promise<TestRedisServer> {
  const server = await startRedisServer({ args });
  servers.push(server);
  return server;
}

describe('redis startup guard', () => {
  it('refuses durable mode on maxmemory-policy allkeys-lru with redis_misconfigured', async () => {
    const server = await withServer(['--maxmemory-policy', 'allkeys-lru']);
    const client = server.client();
    try {
      const error = await assertDurableRedis(client, { warn: () => undefined }).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(isConvoyError(error) && error.code).toBe('redis_misconfigured');
      expect((error as Error).message).toContain('allkeys-lru');
      expect((error as Error).message).toContain('noeviction');
    } finally {
      client.disconnect();
    }
  });

  it('accepts noeviction with AOF silently', async () => {
    const server = await withServer([]);
    const client = server.client();
    const warnings: string[] = [];
    try {
      const report = await assertDurableRedis(client, { warn: (message) => warnings.push(message) });
      expect(report).toMatchObject({
        maxmemoryPolicy: 'noeviction',
        appendonly: true,
        appendfsync: 'always',
      });
      expect(warnings).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('warns loudly without AOF but runs', async () => {
    const server = await withServer(['--appendonly', 'no']);
    const client = server.client();
    const warnings: string[] = [];
    try {
      const report = await assertDurableRedis(client, { warn: (message) => warnings.push(message) });
      expect(report.appendonly).toBe(false);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('appendonly');
    } finally {
      client.disconnect();
    }
  });

  it('reads INFO by whole lines: async_loading never passes for loading', () => {
    const info = parseInfo('# Persistence\r\nasync_loading:0\r\nloading:1\r\naof_enabled:1\r\n');
    expect(info.get('loading')).toBe('1');
    expect(info.get('async_loading')).toBe('0');
  });
});
