/**
 * The e-commerce order convoy of the Sequential Convoy pattern's classic diagram:
 *
 * ```
 * New ─OrderPlaced─▶ AwaitingPayment ─PaymentConfirmed─▶ AwaitingShipment ─ItemsShipped─▶ Shipped ─OrderCompleted─▶ Completed
 *                          │ PaymentFailed / OrderCanceled        │ OrderCanceled
 *                          └──────────────────────▶ Canceled ◀────┘
 * ```
 *
 * Events that arrive early (an `ItemsShipped` before `PaymentConfirmed`) are deferred, the default
 * policy, and applied as soon as the order reaches a state that takes them.
 *
 * `convoy serve apps/demo/src/order-convoy.ts` serves it (the default export).
 */
import { defineConvoy } from '@convoy/core';
import type { EffectIntent } from '@convoy/core';
import { assign, setup } from 'xstate';

/** One order line. */
export interface OrderItem {
  readonly sku: string;
  readonly qty: number;
}

/** What an order convoy remembers. */
export interface OrderContext {
  readonly orderId: string;
  readonly amount: number;
  readonly items: readonly OrderItem[];
  /** Event types applied to this order, in order. */
  readonly log: readonly string[];
}

/** Events of the order convoy (the payload fields are optional except OrderPlaced's). */
export type OrderEvent =
  | { type: 'OrderPlaced'; amount: number; items: OrderItem[] }
  | { type: 'PaymentConfirmed'; paymentId?: string }
  | { type: 'PaymentFailed'; reason?: string }
  | { type: 'ItemsShipped'; trackingId?: string }
  | { type: 'OrderCanceled'; reason?: string }
  | { type: 'OrderCompleted' };

/** Params of the `notifyCustomer` effect. */
export interface NotifyCustomerParams {
  readonly template: 'order-confirmed' | 'order-shipped' | 'order-canceled';
}

/** The order machine (XState v5). `notifyCustomer` is a durable effect run by the runtime after commit. */
export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as { readonly id: string },
  },
  actions: {
    recordEvent: assign({ log: ({ context, event }) => [...context.log, event.type] }),
    takeOrder: assign(({ event }) =>
      event.type === 'OrderPlaced' ? { amount: event.amount, items: event.items } : {},
    ),
    // Declared for typing only: Convoy runs effects from its outbox (see `effects` below), never inline.
    notifyCustomer: (_: unknown, _params: NotifyCustomerParams) => undefined,
  },
}).createMachine({
  id: 'order',
  initial: 'New',
  context: ({ input }) => ({ orderId: input.id, amount: 0, items: [], log: [] }),
  states: {
    New: {
      on: { OrderPlaced: { target: 'AwaitingPayment', actions: ['takeOrder', 'recordEvent'] } },
    },
    AwaitingPayment: {
      on: {
        PaymentConfirmed: {
          target: 'AwaitingShipment',
          actions: ['recordEvent', { type: 'notifyCustomer', params: { template: 'order-confirmed' } }],
        },
        PaymentFailed: {
          target: 'Canceled',
          actions: ['recordEvent', { type: 'notifyCustomer', params: { template: 'order-canceled' } }],
        },
        OrderCanceled: {
          target: 'Canceled',
          actions: ['recordEvent', { type: 'notifyCustomer', params: { template: 'order-canceled' } }],
        },
      },
    },
    AwaitingShipment: {
      on: {
        ItemsShipped: {
          target: 'Shipped',
          actions: ['recordEvent', { type: 'notifyCustomer', params: { template: 'order-shipped' } }],
        },
        OrderCanceled: {
          target: 'Canceled',
          actions: ['recordEvent', { type: 'notifyCustomer', params: { template: 'order-canceled' } }],
        },
      },
    },
    Shipped: {
      on: { OrderCompleted: { target: 'Completed', actions: 'recordEvent' } },
    },
    Completed: { type: 'final' },
    Canceled: { type: 'final' },
  },
});

/** Where `notifyCustomer` sends its messages. */
export type CustomerNotifier = (
  orderId: string,
  params: NotifyCustomerParams,
  idempotencyKey: string,
) => void;

/** Logs each notification (what `convoy serve` of this module does). */
export const logNotifier: CustomerNotifier = (orderId, params, idempotencyKey) => {
  console.log(`[notifyCustomer] order ${orderId}: ${params.template} (${idempotencyKey})`);
};

function orderIdOf(effect: EffectIntent): string {
  const context = effect.context;
  if (typeof context === 'object' && context !== null && !Array.isArray(context)) {
    const orderId = context['orderId'];
    if (typeof orderId === 'string') return orderId;
  }
  return 'unknown';
}

/**
 * Define the order convoy with a given notifier (the demo collects notifications to check them).
 *
 * @example
 * ```ts
 * const sent: string[] = [];
 * const order = createOrderConvoy((orderId, { template }) => sent.push(`${orderId}:${template}`));
 * ```
 */
export function createOrderConvoy(notify: CustomerNotifier = logNotifier) {
  return defineConvoy({
    type: 'order',
    machine: orderMachine,
    description: 'An e-commerce order: placed, paid, shipped, completed (or canceled)',
    unexpected: 'defer',
    input: (key) => ({ id: key.id }),
    effects: {
      notifyCustomer: (effect, { idempotencyKey }) => {
        notify(orderIdOf(effect), effect.params as unknown as NotifyCustomerParams, idempotencyKey);
      },
    },
  });
}

/** The order convoy, logging its notifications. */
const orderConvoy = createOrderConvoy();
export default orderConvoy;
