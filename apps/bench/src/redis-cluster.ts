/**
 * The bench's own three-primary Redis Cluster (no replicas) on free loopback ports: three
 * `redis-server --cluster-enabled yes` started like the bench's single server (so an interrupted run
 * kills them by pid too), joined with `redis-cli --cluster create`, ready once every node reports
 * `cluster_state:ok`. On two cores this shows Cluster's overhead, not its scaling.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedis, type BenchRedis } from './redis-server.ts';

const run = promisify(execFile);

/** A running bench cluster. */
export interface BenchRedisCluster {
  readonly nodes: readonly BenchRedis[];
  /** `host:port,host:port,host:port`, the seed list the Cluster processes take. */
  readonly seeds: string;
  stop(): Promise<void>;
}

/** Start three primaries and form the cluster. */
export async function startRedisCluster(): Promise<BenchRedisCluster> {
  const started = await Promise.allSettled(
    [0, 1, 2].map(() =>
      startRedis('none', [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '5000',
      ]),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const seeds = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...seeds, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(
        nodes.map(async (node) => {
          const client = new Redis(node.url, { maxRetriesPerRequest: 1 });
          try {
            return /^cluster_state:ok\r?$/m.test(String(await client.cluster('INFO')));
          } finally {
            client.disconnect();
          }
        }),
      );
      if (states.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('Redis Cluster did not reach cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { nodes, seeds: seeds.join(','), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
