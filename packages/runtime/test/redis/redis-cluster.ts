/**
 * A private three-primary Redis Cluster on loopback ports for tests: three `redis-server`s with
 * `--cluster-enabled yes`, joined with `redis-cli --cluster create`, ready once every node reports
 * `cluster_state:ok`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { startRedisServer, type TestRedisServer } from './redis-server.ts';

const run = promisify(execFile);

/** A running test cluster. */
export interface TestRedisCluster {
  readonly nodes: readonly TestRedisServer[];
  /** A new Cluster client (the caller closes it). */
  client(options?: { readonly maxRetriesPerRequest?: number | null }): Cluster;
  stop(): Promise<void>;
}

/** Starts three primaries (no replicas) and forms the cluster. */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const nodes = await Promise.all(
    [0, 1, 2].map(() =>
      startRedisServer({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
        ],
      }),
    ),
  );
  try {
    await run('redis-cli', [
      '--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas', '0', '--cluster-yes',
    ]); // prettier-ignore
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(
        nodes.map(async (node) => {
          const client = node.client();
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
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
  return {
    nodes,
    client: (options = {}) =>
      new Cluster(
        nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
        {
          redisOptions: {
            maxRetriesPerRequest: 'maxRetriesPerRequest' in options ? options.maxRetriesPerRequest : 20,
          },
        },
      ),
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
