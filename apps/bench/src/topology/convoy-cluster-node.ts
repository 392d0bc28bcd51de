/**
 * `convoy serve --no-worker` and `convoy worker` on a Redis Cluster, for the topology scenario's
 * Cluster rows (run by the bench with `node --import tsx`). The CLI's `--redis` takes one URL (a
 * standalone server), so this script wires the same parts the CLI does — the Redis store, the BullMQ
 * turn scheduler, the engine with its defaults, and for `serve` the Fastify API with metrics — over an
 * ioredis Cluster client instead. Only the web console is left out (it costs nothing per request).
 *
 * Arguments: `serve|worker <host:port,host:port,...> [concurrency]`. Prints the CLI's banner lines
 * (`Convoy listening on <url>` / `Convoy worker <id> processing`) once ready.
 */
import { buildConvoyApp, createConvoyMetrics } from '@convoy/http';
import { createConvoyEngine } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import { Cluster } from 'ioredis';
import { orderConvoy } from '../order-convoy.ts';

const [role, nodeList, concurrency] = process.argv.slice(2);
if ((role !== 'serve' && role !== 'worker') || nodeList === undefined) {
  throw new Error('usage: convoy-cluster-node serve|worker <host:port,...>');
}
const nodes = nodeList.split(',').map((entry) => {
  const [host, port] = entry.split(':');
  return { host: host ?? '127.0.0.1', port: Number(port) };
});
const cluster = (maxRetriesPerRequest: number | null): Cluster =>
  new Cluster(nodes, { redisOptions: { maxRetriesPerRequest } });

const storeClient = cluster(20);
const store = new RedisConvoyStore({ connection: storeClient });
const scheduler = new BullmqTurnScheduler({
  connection: cluster(null),
  ...(concurrency === undefined ? {} : { concurrency: Number(concurrency) }),
});
scheduler.queue.on('error', () => undefined);
const processing = role === 'worker';
const metrics = processing ? undefined : createConvoyMetrics({ processMetrics: true });
const engine = createConvoyEngine({
  definitions: [orderConvoy],
  store,
  scheduler,
  processing,
  ...(metrics ? { metrics: metrics.sink } : {}),
});
const app = metrics ? buildConvoyApp({ gateway: engine, metrics, logger: { level: 'warn' } }) : undefined;
await engine.start();
let banner = `Convoy worker ${engine.workerId} processing`;
if (app) {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  banner = `Convoy listening on ${url}`;
}

const shutdown = async (): Promise<void> => {
  await app?.close();
  await engine.close();
  await store.close();
  storeClient.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
process.stdout.write(`${banner}\n`);
