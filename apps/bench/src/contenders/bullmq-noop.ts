/**
 * Baseline: plain BullMQ, one queue, a no-op processor. No per-convoy order (concurrency 50 runs a
 * convoy's events in parallel), no state. The throughput ceiling of "just a Redis queue".
 */
import { Queue, Worker } from 'bullmq';
import type { Contender, ContenderInstance, ContenderTarget, QueuedEvent, SendItem } from './contender.ts';

function connectionOf(redisUrl: string): { host: string; port: number; maxRetriesPerRequest: null } {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
}

async function openBullmq(target: ContenderTarget): Promise<ContenderInstance> {
  const connection = connectionOf(target.redisUrl);
  const name = 'events';
  const queue = new Queue<QueuedEvent>(name, { connection, prefix: target.prefix });
  await queue.waitUntilReady();
  let worker: Worker<QueuedEvent> | null = null;
  return {
    async send(items: readonly SendItem[]) {
      // One addBulk keeps the items' order (one MULTI), like a producer batching its sends.
      await queue.addBulk(
        items.map((item) => ({
          name: 'event',
          data: { convoyId: item.convoyId, event: item.event, scheduledAt: item.scheduledAt },
          opts: { removeOnComplete: true, removeOnFail: 1000 },
        })),
      );
    },
    async start() {
      worker = new Worker<QueuedEvent>(
        name,
        async (job) => {
          target.ledger.applied(job.data.convoyId, job.data.event.n, job.data.scheduledAt);
        },
        { connection, prefix: target.prefix, concurrency: target.concurrency },
      );
      worker.on('error', () => undefined);
      await worker.waitUntilReady();
    },
    async verifyStored() {
      // A no-op processor stores nothing; its ledger is the whole check.
      return [];
    },
    async close() {
      await worker?.close();
      await queue.close();
    },
  };
}

/** Plain BullMQ with a no-op processor (the concurrency comes from the scenario). */
export const bullmqNoop: Contender = {
  id: 'bullmq',
  name: 'BullMQ no-op (unordered)',
  ordered: false,
  stateful: false,
  usesRedis: true,
  open: openBullmq,
};

/** Plain BullMQ at concurrency 1: FIFO as long as nothing retries; the hot-convoy baseline. */
export const bullmqSerial: Contender = {
  id: 'bullmq-serial',
  name: 'BullMQ no-op, concurrency 1',
  ordered: true,
  stateful: false,
  usesRedis: true,
  open: (target) => openBullmq({ ...target, concurrency: 1 }),
};

export { connectionOf };
