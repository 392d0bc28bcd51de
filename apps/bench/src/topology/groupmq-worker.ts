/**
 * A groupmq worker process of the topology baseline (run by the bench with `node --import tsx`): the
 * same queue as the Fastify node, one group per convoy, a no-op processor that notes when it ran each
 * job. The notes go back to the bench over the IPC channel in small batches (no Redis traffic of their
 * own), as `[convoyId, n, appliedAtEpochMs]`.
 *
 * Arguments: `<redis-url> <namespace> <concurrency>`.
 */
import { Worker } from 'groupmq';
import { benchGroupQueue } from '../contenders/groupmq-queue.ts';
import type { OrderEvent } from '../order-machine.ts';

/** Job payload of the topology's groupmq rows. */
export interface TopologyJob {
  readonly convoyId: string;
  readonly event: OrderEvent;
}

const [redisUrl, namespace, concurrencyArg] = process.argv.slice(2);
if (redisUrl === undefined || namespace === undefined || process.send === undefined) {
  throw new Error(
    'usage (from the bench, with an IPC channel): groupmq-worker <redis-url> <namespace> <concurrency>',
  );
}
const { redis, queue } = benchGroupQueue<TopologyJob>(redisUrl, namespace);
let pending: Array<[string, number, number]> = [];
const flush = (): void => {
  if (pending.length === 0) return;
  process.send?.(pending);
  pending = [];
};
const timer = setInterval(flush, 20);
const worker = new Worker<TopologyJob>({
  queue,
  concurrency: Number(concurrencyArg ?? 16),
  handler: async (job) => {
    pending.push([job.data.convoyId, job.data.event.n, Date.now()]);
  },
  onError: () => undefined,
  blockingTimeoutSec: 1,
});
worker.on('error', () => undefined);

const shutdown = async (): Promise<void> => {
  await worker.close(5_000);
  clearInterval(timer);
  flush();
  await queue.close();
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
process.stdout.write(`groupmq worker ${process.pid} processing\n`);
