/**
 * The convoys the store conformance suite drives: a ledger (order and concurrency) and an order with
 * guards, a timer and an effect, registered once per unexpected-event policy.
 */
import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinition, EffectIntent, UnexpectedPolicy } from '@convoy/core';
import { assign, setup } from 'xstate';

/** Records every effect run, and lets a test hold an effect open (to prove parallelism). */
export class EffectLog {
  readonly runs: EffectIntent[] = [];
  readonly #gates = new Map<string, Promise<void>>();

  /** Make `hold` effects of convoy `id` wait until `release` is called. */
  gate(id: string): () => void {
    let release: () => void = () => undefined;
    this.#gates.set(
      id,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return () => release();
  }

  /** Runs recorded for one effect id (at-least-once: a re-run shows up twice). */
  runsOf(effectId: string): number {
    return this.runs.filter((run) => run.id === effectId).length;
  }

  /** Runs recorded for one convoy id. */
  runsFor(convoyId: string): EffectIntent[] {
    return this.runs.filter((run) => run.id.split('|')[1] === convoyId);
  }

  async hold(effect: EffectIntent): Promise<void> {
    const convoyId = effect.id.split('|')[1] ?? '';
    await this.#gates.get(convoyId);
    this.runs.push(effect);
  }
}

const ledgerMachine = setup({
  types: {
    context: {} as { items: number[] },
    events: {} as { type: 'Add'; n: number } | { type: 'Hold' } | { type: 'Close' },
  },
  // Declared so the machine type-checks; the definition's durable `effects.hold` is what runs.
  actions: { hold: () => undefined },
}).createMachine({
  id: 'ledger',
  initial: 'open',
  context: { items: [] },
  states: {
    open: {
      on: {
        Add: { actions: assign({ items: ({ context, event }) => [...context.items, event.n] }) },
        Hold: { actions: 'hold' },
        Close: 'closed',
      },
    },
    closed: { type: 'final' },
  },
});

/** Retention of the finished `cf-order-retained` convoys, in ms (real time on Redis, where keys expire). */
export const conformanceRetentionMs = 300;

/** Payment timeout of the conformance order, in ms. */
export const conformancePaymentTimeoutMs = 1000;

const orderMachine = setup({
  types: {
    context: {} as { paid: number },
    events: {} as
      | { type: 'OrderPlaced' }
      | { type: 'PaymentConfirmed'; amount: number }
      | { type: 'ItemsShipped' }
      | { type: 'OrderCompleted' }
      | { type: 'OrderCanceled' },
  },
  actions: { notifyCustomer: (_args, _params: { amount: number }) => undefined },
  guards: {
    positiveAmount: ({ event }) => event.type === 'PaymentConfirmed' && event.amount > 0,
  },
}).createMachine({
  id: 'order',
  initial: 'New',
  context: { paid: 0 },
  states: {
    New: { on: { OrderPlaced: 'AwaitingPayment', OrderCanceled: 'Canceled' } },
    AwaitingPayment: {
      after: { [conformancePaymentTimeoutMs]: 'Expired' },
      on: {
        PaymentConfirmed: {
          guard: 'positiveAmount',
          target: 'AwaitingShipment',
          actions: [
            assign({ paid: ({ event }) => event.amount }),
            { type: 'notifyCustomer', params: ({ event }) => ({ amount: event.amount }) },
          ],
        },
        OrderCanceled: 'Canceled',
      },
    },
    AwaitingShipment: { on: { ItemsShipped: 'Shipped', OrderCanceled: 'Canceled' } },
    Shipped: { on: { OrderCompleted: 'Completed' } },
    Completed: { type: 'final' },
    Canceled: { type: 'final' },
    Expired: { type: 'final' },
  },
});

/** The convoy types of the conformance suite. */
export interface ConformanceConvoys {
  /** Type `cf-ledger`: `Add {n}` appends n to `context.items`; `Hold` runs the gated `hold` effect. */
  readonly ledger: ConvoyDefinition;
  /** Type `cf-small`: the ledger with `maxBacklog: 3`. */
  readonly small: ConvoyDefinition;
  /** Types `cf-order-<policy>`: the order machine under each unexpected-event policy. */
  readonly orders: Readonly<Record<UnexpectedPolicy, ConvoyDefinition>>;
  /** Type `cf-order-retained`: the order (policy `ignore`) kept {@link conformanceRetentionMs} once finished. */
  readonly retained: ConvoyDefinition;
  readonly all: readonly ConvoyDefinition[];
}

/** Build the conformance convoys; their effects record into `log`. */
export function conformanceConvoys(log: EffectLog): ConformanceConvoys {
  const ledgerEffects = { hold: (effect: EffectIntent) => log.hold(effect) };
  const ledger = defineConvoy({ type: 'cf-ledger', machine: ledgerMachine, effects: ledgerEffects });
  const small = defineConvoy({
    type: 'cf-small',
    machine: ledgerMachine,
    effects: ledgerEffects,
    maxBacklog: 3,
  });
  const order = (policy: UnexpectedPolicy): ConvoyDefinition =>
    defineConvoy({
      type: `cf-order-${policy}`,
      machine: orderMachine,
      unexpected: policy,
      effects: {
        notifyCustomer: (effect) => {
          log.runs.push(effect);
        },
      },
    });
  const orders = {
    defer: order('defer'),
    reject: order('reject'),
    deadLetter: order('deadLetter'),
    ignore: order('ignore'),
  };
  const retained = defineConvoy({
    type: 'cf-order-retained',
    machine: orderMachine,
    unexpected: 'ignore',
    retention: { finishedMs: conformanceRetentionMs },
    effects: { notifyCustomer: (effect) => void log.runs.push(effect) },
  });
  return { ledger, small, orders, retained, all: [ledger, small, ...Object.values(orders), retained] };
}
