/**
 * Convoys for the console tests, defined the way a user would, and a real engine on the memory store.
 */
import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinition, ConvoyMetricsSink } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import { assign, setup } from 'xstate';

/**
 * Order: AwaitingPayment → Shipping (nested: Packing → InTransit → Arrived) → Delivered, or → Cancelled.
 * Its unexpected-event policies give every history outcome: `AddressChanged` after payment is rejected,
 * `Note` outside AwaitingPayment ignored, `Refund` before cancellation dead-lettered, anything else deferred.
 */
const orderMachine = setup({
  types: {
    context: {} as { readonly paid: number; readonly address: string; readonly notes: number },
    events: {} as
      | { type: 'PaymentReceived'; amount: number }
      | { type: 'AddressChanged'; address: string }
      | { type: 'Note'; text: string }
      | { type: 'Packed' }
      | { type: 'Shipped'; carrier: string }
      | { type: 'Arrived' }
      | { type: 'ConfirmDelivery' }
      | { type: 'Cancel' }
      | { type: 'Refund' },
  },
}).createMachine({
  id: 'order',
  initial: 'AwaitingPayment',
  context: { paid: 0, address: 'unknown', notes: 0 },
  states: {
    AwaitingPayment: {
      on: {
        PaymentReceived: { target: 'Shipping', actions: assign({ paid: ({ event }) => event.amount }) },
        AddressChanged: { actions: assign({ address: ({ event }) => event.address }) },
        Note: { actions: assign({ notes: ({ context }) => context.notes + 1 }) },
        Cancel: 'Cancelled',
      },
    },
    Shipping: {
      initial: 'Packing',
      on: { Cancel: 'Cancelled' },
      states: {
        Packing: { on: { Packed: 'InTransit' } },
        InTransit: { on: { Arrived: 'Arrived' }, tags: ['on-the-road'] },
        Arrived: { on: { ConfirmDelivery: '#order.Delivered' } },
      },
    },
    Delivered: { type: 'final' },
    Cancelled: { on: { Refund: 'Refunded' } },
    Refunded: { type: 'final' },
  },
});

/** The order convoy. */
export const order = defineConvoy({
  type: 'order',
  machine: orderMachine,
  description: 'An order: paid, packed, shipped, delivered',
  unexpected: { AddressChanged: 'reject', Note: 'ignore', Refund: 'deadLetter', '*': 'defer' },
});

/** Review: a parallel state (legal and finance sign off independently), then Closed. */
const reviewMachine = setup({
  types: { events: {} as { type: 'LegalOk' } | { type: 'FinanceOk' } },
}).createMachine({
  id: 'review',
  initial: 'Reviewing',
  states: {
    Reviewing: {
      type: 'parallel',
      onDone: 'Closed',
      states: {
        Legal: {
          initial: 'Pending',
          states: { Pending: { on: { LegalOk: 'Approved' } }, Approved: { type: 'final' } },
        },
        Finance: {
          initial: 'Pending',
          states: { Pending: { on: { FinanceOk: 'Approved' } }, Approved: { type: 'final' } },
        },
      },
    },
    Closed: { type: 'final' },
  },
});

/** The review convoy. */
export const review = defineConvoy({ type: 'review', machine: reviewMachine });

/** A started engine over the memory store, as an embedded app would run it. */
export async function memoryEngine(
  definitions: readonly ConvoyDefinition[] = [order, review],
  metrics?: ConvoyMetricsSink,
): Promise<ConvoyEngine> {
  const engine = createConvoyEngine({
    definitions,
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
    ...(metrics === undefined ? {} : { metrics }),
  });
  await engine.start();
  return engine;
}

/** Accept an event and wait until the convoy processed it. */
export async function sendAndWait(
  engine: ConvoyEngine,
  type: string,
  id: string,
  event: object,
): Promise<number> {
  const { seq } = await engine.accept({ type, id, event });
  if (!(await engine.waitForSeq({ type, id }, seq, 5000)))
    throw new Error(`event ${seq} of ${type}/${id} not processed`);
  return seq;
}
