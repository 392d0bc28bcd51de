/**
 * The one order machine every stateful contender runs, and the event sequence of one convoy.
 *
 * Every event carries `n`, its 1-based position in its convoy. The machine counts applied events and
 * remembers the last `n`, and counts every event applied out of sequence. So the final context alone
 * proves a convoy's run: `count === N`, `lastN === N`, `outOfOrder === 0`, final state reached. A lost,
 * duplicated or reordered event breaks one of these.
 */
import { assign, setup } from 'xstate';

/** Events of the order convoy; `n` is the event's position in its convoy. */
export type OrderEvent =
  | { readonly type: 'OrderPlaced'; readonly n: number }
  | { readonly type: 'PaymentConfirmed'; readonly n: number }
  | { readonly type: 'ItemsShipped'; readonly n: number }
  | { readonly type: 'OrderCompleted'; readonly n: number }
  | { readonly type: 'NoteAdded'; readonly n: number };

/** The machine's context: the running proof of order and count. */
export interface OrderContext {
  readonly count: number;
  readonly lastN: number;
  readonly outOfOrder: number;
}

/** The order machine: new → awaitingPayment → awaitingShipment → shipped → completed (final). */
export const orderMachine = setup({
  types: { context: {} as OrderContext, events: {} as OrderEvent },
  actions: {
    track: assign(({ context, event }) => ({
      count: context.count + 1,
      lastN: event.n,
      outOfOrder: context.outOfOrder + (event.n === context.lastN + 1 ? 0 : 1),
    })),
  },
}).createMachine({
  id: 'order',
  initial: 'new',
  context: { count: 0, lastN: 0, outOfOrder: 0 },
  states: {
    new: { on: { OrderPlaced: { target: 'awaitingPayment', actions: 'track' } } },
    awaitingPayment: {
      on: {
        PaymentConfirmed: { target: 'awaitingShipment', actions: 'track' },
        NoteAdded: { actions: 'track' },
      },
    },
    awaitingShipment: {
      on: { ItemsShipped: { target: 'shipped', actions: 'track' }, NoteAdded: { actions: 'track' } },
    },
    shipped: {
      on: { OrderCompleted: { target: 'completed', actions: 'track' }, NoteAdded: { actions: 'track' } },
    },
    completed: { type: 'final' },
  },
});

/**
 * The events of one convoy of `count` events (count >= 4): the four lifecycle events spread evenly,
 * `NoteAdded` self-loops filling the gaps, `OrderCompleted` last.
 */
export function orderEvents(count: number): OrderEvent[] {
  if (!Number.isSafeInteger(count) || count < 4)
    throw new Error(`a convoy needs at least 4 events, got ${count}`);
  const gap = Math.floor((count - 4) / 3);
  const paymentAt = 2 + gap;
  const shippedAt = paymentAt + 1 + gap;
  const events: OrderEvent[] = [];
  for (let n = 1; n <= count; n += 1) {
    if (n === 1) events.push({ type: 'OrderPlaced', n });
    else if (n === count) events.push({ type: 'OrderCompleted', n });
    else if (n === paymentAt) events.push({ type: 'PaymentConfirmed', n });
    else if (n === shippedAt) events.push({ type: 'ItemsShipped', n });
    else events.push({ type: 'NoteAdded', n });
  }
  return events;
}

/** Why a finished convoy's context does not prove a clean run, or null when it does. */
export function contextProblem(context: unknown, status: string, expected: number): string | null {
  if (typeof context !== 'object' || context === null) return 'no context';
  const { count, lastN, outOfOrder } = context as Partial<OrderContext>;
  if (outOfOrder !== 0) return `out_of_order=${String(outOfOrder)}`;
  if (count !== expected) return `count=${String(count)} expected=${expected}`;
  if (lastN !== expected) return `lastN=${String(lastN)} expected=${expected}`;
  if (status !== 'done') return `status=${status}`;
  return null;
}
