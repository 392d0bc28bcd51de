/**
 * The Convoy contenders' shared driver: an engine (API-less: `engine.accept`, no HTTP) over a given
 * store and scheduler, with commits observed by the ledger and the stored records read back for the
 * check.
 */
import type { ConvoyGateway } from '@convoy/core';
import type { ConvoyStore, TurnScheduler } from '@convoy/core/store';
import { createConvoyEngine, silentLogger } from '@convoy/runtime';
import { orderConvoy } from '../order-convoy.ts';
import { contextProblem } from '../order-machine.ts';
import type { ContenderInstance, ContenderTarget, SendItem } from './contender.ts';
import { observeCommits, scheduledKey, type ScheduledTimes } from './observed-store.ts';

export { orderConvoy } from '../order-convoy.ts';

/** Group items by convoy, keeping each convoy's order. */
export function byConvoy(items: readonly SendItem[]): SendItem[][] {
  const groups = new Map<string, SendItem[]>();
  for (const item of items) {
    const group = groups.get(item.convoyId);
    if (group) group.push(item);
    else groups.set(item.convoyId, [item]);
  }
  return [...groups.values()];
}

/** A Convoy contender instance, plus its gateway for an HTTP front and a hook to note sent events. */
export interface ConvoyInstance extends ContenderInstance {
  /** The engine, as the HTTP layer sees it. */
  readonly gateway: ConvoyGateway;
  /** Remember an event's scheduled time (for latency) when it is sent by another way than `send`. */
  expect(item: SendItem): void;
}

/** Run the engine over `store` and `scheduler`; `closeStore` releases what the contender opened. */
export function convoyInstance(
  target: ContenderTarget,
  store: ConvoyStore,
  scheduler: TurnScheduler,
  closeStore: () => Promise<void>,
  /** Engine options: local turns, and `processing: false` for an accept-only node (`--no-worker`). */
  engineOptions: { readonly localTurns?: number; readonly processing?: boolean } = {},
): ConvoyInstance {
  const scheduled: ScheduledTimes = new Map();
  const observed = observeCommits(store, target.ledger, scheduled);
  const engine = createConvoyEngine({
    definitions: [orderConvoy],
    store: observed,
    scheduler,
    logger: silentLogger,
    ...engineOptions,
  });
  return {
    gateway: engine,
    expect(item) {
      scheduled.set(scheduledKey(item.convoyId, item.event.n), item.scheduledAt);
    },
    async send(items) {
      // Convoys in parallel; within a convoy each accept waits for the previous one (acceptance order).
      await Promise.all(
        byConvoy(items).map(async (group) => {
          for (const item of group) {
            scheduled.set(scheduledKey(item.convoyId, item.event.n), item.scheduledAt);
            await engine.accept({ type: orderConvoy.type, id: item.convoyId, event: item.event });
          }
        }),
      );
    },
    start: () => engine.start(),
    async verifyStored(expected) {
      const problems: string[] = [];
      for (const [convoyId, count] of expected) {
        const stored = await store.get({ type: orderConvoy.type, id: convoyId });
        const record = stored?.record;
        if (!record) {
          problems.push(`${convoyId}: no record`);
          continue;
        }
        const problem = contextProblem(record.context, record.status, count);
        if (problem) problems.push(`${convoyId}: ${problem}`);
      }
      return problems;
    },
    async close() {
      await engine.close();
      await closeStore();
    },
  };
}
