/**
 * Baseline: "what a user would build" — groupmq for per-convoy FIFO, and in the processor: load the
 * convoy's snapshot JSON from Redis, hydrate it, run XState's pure `transition()` on the same order
 * machine, save it back. Two extra round trips per event, no fencing, no history, no outbox.
 */
import { createActor, initialTransition, transition, type SnapshotFrom } from 'xstate';
import { contextProblem, orderMachine } from '../order-machine.ts';
import { openGroupQueue } from './groupmq-queue.ts';
import type { Contender, ContenderInstance, ContenderTarget } from './contender.ts';

type OrderSnapshot = SnapshotFrom<typeof orderMachine>;

function hydrate(json: string | null): OrderSnapshot {
  if (json === null) return initialTransition(orderMachine, undefined)[0];
  // transition() refuses raw JSON: restore through an unstarted actor (no effects run).
  return createActor(orderMachine, { snapshot: JSON.parse(json) as OrderSnapshot }).getSnapshot();
}

async function openGroupmqXstate(target: ContenderTarget): Promise<ContenderInstance> {
  const group = await openGroupQueue(target);
  const snapshotKey = (convoyId: string): string => `${target.prefix}:snapshot:${convoyId}`;
  return {
    send: (items) => group.send(items),
    async start() {
      group.start(async (job) => {
        const key = snapshotKey(job.data.convoyId);
        const snapshot = hydrate(await group.redis.get(key));
        const [next] = transition(orderMachine, snapshot, job.data.event);
        await group.redis.set(key, JSON.stringify(orderMachine.getPersistedSnapshot(next)));
        target.ledger.applied(job.data.convoyId, job.data.event.n, job.data.scheduledAt);
      });
    },
    async verifyStored(expected) {
      const problems: string[] = [];
      const ids = [...expected.keys()];
      const stored = ids.length === 0 ? [] : await group.redis.mget(ids.map(snapshotKey));
      ids.forEach((convoyId, index) => {
        const json = stored[index] ?? null;
        if (json === null) {
          problems.push(`${convoyId}: no snapshot`);
          return;
        }
        const snapshot = JSON.parse(json) as { context: unknown; status: string };
        const problem = contextProblem(snapshot.context, snapshot.status, expected.get(convoyId) ?? 0);
        if (problem) problems.push(`${convoyId}: ${problem}`);
      });
      return problems;
    },
    close: () => group.close(),
  };
}

/** groupmq + the user's own XState persistence. */
export const groupmqXstate: Contender = {
  id: 'groupmq-xstate',
  name: 'groupmq + own XState persistence',
  ordered: true,
  stateful: true,
  usesRedis: true,
  open: openGroupmqXstate,
};
