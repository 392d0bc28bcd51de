import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The CLI's private redis-server launcher (free loopback port, AOF always, noeviction, stopped by pid).
import { startTestRedis } from '../../../packages/cli/test/support/redis-server.ts';
import type { TestRedis } from '../../../packages/cli/test/support/redis-server.ts';
import { verifyDemo } from '../src/demo.ts';
import { startRedisDemoEnvironment } from '../src/redis-demo.ts';

describe('the demo scenario on Redis, HTTP in this process and two worker processes', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  }, 30_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('meets every expectation, effects included, across processes; a second run on the same Redis too', async () => {
    const environment = await startRedisDemoEnvironment({ redis: redis.url });
    try {
      const first = await verifyDemo(environment, { idSuffix: '-a' });
      expect(first.failures).toEqual([]);
      const second = await verifyDemo(environment, { idSuffix: '-b' });
      expect(second.failures).toEqual([]);
      expect(environment.notifications).toHaveLength(24);
    } finally {
      await environment.close();
    }
  }, 90_000);
});
