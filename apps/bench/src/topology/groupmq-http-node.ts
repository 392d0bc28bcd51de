/**
 * The topology baseline's HTTP node (run by the bench with `node --import tsx`): a plain Fastify app
 * whose `POST /convoys/:type/:id/events` adds one groupmq job (group = the convoy) per request and
 * answers 202 — the least an HTTP front of a queue does, for comparison with `convoy serve --no-worker`.
 *
 * Arguments: `<redis-url> <namespace>`. Prints `listening on <url>` once ready.
 */
import Fastify from 'fastify';
import { benchGroupQueue } from '../contenders/groupmq-queue.ts';
import type { OrderEvent } from '../order-machine.ts';
import type { TopologyJob } from './groupmq-worker.ts';

const [redisUrl, namespace] = process.argv.slice(2);
if (redisUrl === undefined || namespace === undefined) {
  throw new Error('usage: groupmq-http-node <redis-url> <namespace>');
}
const { redis, queue } = benchGroupQueue<TopologyJob>(redisUrl, namespace);
const app = Fastify({ logger: false });
app.post<{ Params: { type: string; id: string }; Body: OrderEvent }>(
  '/convoys/:type/:id/events',
  async (request, reply) => {
    const job = await queue.add({
      groupId: request.params.id,
      data: { convoyId: request.params.id, event: request.body },
    });
    return reply.code(202).send({ id: job.id });
  },
);
const url = await app.listen({ host: '127.0.0.1', port: 0 });

const shutdown = async (): Promise<void> => {
  await app.close();
  await queue.close();
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
process.stdout.write(`listening on ${url}\n`);
