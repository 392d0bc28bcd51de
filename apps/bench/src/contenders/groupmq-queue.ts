/**
 * The groupmq plumbing both groupmq contenders share: a queue namespaced per instance, sends that keep
 * each group's order, and a worker started on demand (a groupmq Worker starts polling when constructed).
 */
import { Queue, Worker, type ReservedJob } from 'groupmq';
import { Redis } from 'ioredis';
import type { ContenderTarget, QueuedEvent, SendItem } from './contender.ts';

/** A groupmq queue with its worker, started lazily. */
export interface GroupQueue {
  readonly redis: Redis;
  send(items: readonly SendItem[]): Promise<void>;
  start(handler: (job: ReservedJob<QueuedEvent>) => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * A groupmq queue with the settings every groupmq row of the bench uses (keep no completed job, 1,000
 * failed ones, 3 attempts), on its own connection (blocking calls need `maxRetriesPerRequest: null`).
 */
export function benchGroupQueue<T>(redisUrl: string, namespace: string): { redis: Redis; queue: Queue<T> } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<T>({
    redis,
    namespace,
    jobTimeoutMs: 30_000,
    keepCompleted: 0,
    keepFailed: 1000,
    maxAttempts: 3,
  });
  return { redis, queue };
}

/** Open a groupmq queue for one contender instance. */
export async function openGroupQueue(target: ContenderTarget): Promise<GroupQueue> {
  const { redis, queue } = benchGroupQueue<QueuedEvent>(target.redisUrl, target.prefix);
  let worker: Worker<QueuedEvent> | null = null;
  return {
    redis,
    async send(items) {
      // Each add is one script on one connection: issued in order, executed in order, so a group's
      // events get increasing scores (orderMs is the send time, ties broken by groupmq's own seq).
      await Promise.all(
        items.map((item) =>
          queue.add({
            groupId: item.convoyId,
            data: { convoyId: item.convoyId, event: item.event, scheduledAt: item.scheduledAt },
          }),
        ),
      );
    },
    start(handler) {
      worker = new Worker<QueuedEvent>({
        queue,
        concurrency: target.concurrency,
        handler,
        onError: () => undefined,
        blockingTimeoutSec: 1,
      });
      worker.on('error', () => undefined);
    },
    async close() {
      await worker?.close(5_000);
      await queue.close();
      redis.disconnect();
    },
  };
}
