/**
 * The e-commerce order convoy of the Sequential Convoy pattern's classic diagram:
 *
 * ```
 * New ─OrderPlaced─▶ AwaitingPayment ─PaymentConfirmed─▶ AwaitingShipment ─ItemsShipped─▶ Shipping ─carrier done─▶ Shipped ─OrderCompleted─▶ Completed
 *                          │ PaymentFailed / OrderCanceled /      │ OrderCanceled            │ carrier error
 *                          │ payment timeout (after)              │                          ▼
 *                          └──────────────────────▶ Canceled ◀────┘                  AwaitingShipment
 * ```
 *
 * Events that arrive early (an `ItemsShipped` before `PaymentConfirmed`) are deferred, the default
 * policy, and applied as soon as the order reaches a state that takes them. An unpaid order is canceled
 * by a durable timer (`after`) once its payment timeout passes. `Shipping` invokes the carrier (a
 * `fromPromise` actor) as a durable effect: its result comes back through the inbox and moves the order
 * on to `Shipped`.
 *
 * `convoy serve apps/demo/src/order-convoy.ts` serves it (the default export).
 */
import { defineConvoy } from '@convoy/core';
import type { EffectIntent } from '@convoy/core';
import { assign, fromPromise, setup } from 'xstate';

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
  /** How long an unpaid order waits before it is canceled. */
  readonly paymentTimeoutMs: number;
  /** The carrier's tracking id, once the shipment is booked. */
  readonly trackingId?: string;
}

/** Input of the order machine. */
export interface OrderInput {
  readonly id: string;
  /** @defaultValue {@link defaultPaymentTimeoutMs} */
  readonly paymentTimeoutMs?: number;
}

/** Default payment timeout: 30 minutes (`CONVOY_DEMO_PAYMENT_TIMEOUT_MS` overrides it for the default export). */
export const defaultPaymentTimeoutMs = 30 * 60_000;

/** What the carrier is asked to ship. */
export interface CarrierRequest {
  readonly orderId: string;
  readonly items: readonly OrderItem[];
}

/**
 * The simulated carrier: books a shipment after a short delay and answers with a tracking id. Run by the
 * runtime as a durable effect (at least once), so a real carrier call would pass the effect's
 * idempotency key along.
 */
export const bookCarrier = fromPromise<{ trackingId: string }, CarrierRequest>(async ({ input }) => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { trackingId: `TRK-${input.orderId}` };
});

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
    input: {} as OrderInput,
  },
  actors: { bookCarrier },
  delays: { paymentTimeout: ({ context }) => context.paymentTimeoutMs },
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
  context: ({ input }) => ({
    orderId: input.id,
    amount: 0,
    items: [],
    log: [],
    paymentTimeoutMs: input.paymentTimeoutMs ?? defaultPaymentTimeoutMs,
  }),
  states: {
    New: {
      on: { OrderPlaced: { target: 'AwaitingPayment', actions: ['takeOrder', 'recordEvent'] } },
    },
    AwaitingPayment: {
      after: {
        paymentTimeout: {
          target: 'Canceled',
          actions: [
            assign({ log: ({ context }) => [...context.log, 'PaymentTimedOut'] }),
            { type: 'notifyCustomer', params: { template: 'order-canceled' } },
          ],
        },
      },
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
        ItemsShipped: { target: 'Shipping', actions: 'recordEvent' },
        OrderCanceled: {
          target: 'Canceled',
          actions: ['recordEvent', { type: 'notifyCustomer', params: { template: 'order-canceled' } }],
        },
      },
    },
    Shipping: {
      invoke: {
        id: 'carrier',
        src: 'bookCarrier',
        input: ({ context }) => ({ orderId: context.orderId, items: context.items }),
        onDone: {
          target: 'Shipped',
          actions: [
            assign(({ context, event }) => ({
              trackingId: event.output.trackingId,
              log: [...context.log, 'CarrierBooked'],
            })),
            { type: 'notifyCustomer', params: { template: 'order-shipped' } },
          ],
        },
        // The carrier refused (after the runtime's retries): back to waiting, the shipment can be re-sent.
        onError: {
          target: 'AwaitingShipment',
          actions: assign({ log: ({ context }) => [...context.log, 'CarrierFailed'] }),
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

/** `CONVOY_DEMO_PAYMENT_TIMEOUT_MS` when set to a positive number, else the default (30 min). */
function paymentTimeoutFromEnv(): number {
  const value = Number(process.env['CONVOY_DEMO_PAYMENT_TIMEOUT_MS']);
  return Number.isFinite(value) && value > 0 ? value : defaultPaymentTimeoutMs;
}

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
export function createOrderConvoy(
  notify: CustomerNotifier = logNotifier,
  options: { readonly paymentTimeoutMs?: number } = {},
) {
  const paymentTimeoutMs = options.paymentTimeoutMs ?? paymentTimeoutFromEnv();
  return defineConvoy({
    type: 'order',
    machine: orderMachine,
    description:
      'An e-commerce order: placed, paid, shipped by the carrier, completed (or canceled, also by a payment timeout)',
    unexpected: 'defer',
    input: (key) => ({ id: key.id, paymentTimeoutMs }),
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
