/** Baseline: groupmq, per-group (per-convoy) FIFO, with a no-op processor and no state. */
import { openGroupQueue } from './groupmq-queue.ts';
import type { Contender, ContenderInstance, ContenderTarget } from './contender.ts';

async function openGroupmqNoop(target: ContenderTarget): Promise<ContenderInstance> {
  const group = await openGroupQueue(target);
  return {
    send: (items) => group.send(items),
    async start() {
      group.start(async (job) => {
        target.ledger.applied(job.data.convoyId, job.data.event.n, job.data.scheduledAt);
      });
    },
    async verifyStored() {
      return [];
    },
    close: () => group.close(),
  };
}

/** groupmq with a no-op processor. */
export const groupmqNoop: Contender = {
  id: 'groupmq',
  name: 'groupmq no-op (FIFO)',
  ordered: true,
  stateful: false,
  usesRedis: true,
  open: openGroupmqNoop,
};
