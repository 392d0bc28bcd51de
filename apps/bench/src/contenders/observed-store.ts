/**
 * Observes a Convoy store without changing it: after a commit resolves (durably, on Redis), every
 * history entry it wrote with outcome `applied` is reported to the ledger. So "applied" means what it
 * means for users — committed — and the bench needs no hook inside the engine.
 */
import type { Claim, CommitOptions, CommitResult, ConvoyStore, TurnCommit } from '@convoy/core/store';
import type { OrderLedger } from '../order-ledger.ts';

/** Scheduled send times of sent events, by `<convoyId>#<n>`, for latency. */
export type ScheduledTimes = Map<string, number>;

/** Key of {@link ScheduledTimes}. */
export const scheduledKey = (convoyId: string, n: number): string => `${convoyId}#${n}`;

/** Wrap `store` so that committed `applied` events reach `ledger`. */
export function observeCommits(
  store: ConvoyStore,
  ledger: OrderLedger,
  scheduled: ScheduledTimes,
): ConvoyStore {
  const commit = async (claim: Claim, turn: TurnCommit, options?: CommitOptions): Promise<CommitResult> => {
    const result = await store.commit(claim, turn, options);
    for (const entry of turn.history) {
      if (entry.outcome !== 'applied') continue;
      const n = typeof entry.event['n'] === 'number' ? entry.event['n'] : -1;
      const key = scheduledKey(claim.key.id, n);
      ledger.applied(claim.key.id, n, scheduled.get(key));
      scheduled.delete(key);
    }
    return result;
  };
  // A prototype-preserving wrapper: every other method is the store's own, bound to it.
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'commit') return commit;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
