/**
 * Two convoys with typed events, defined as a user would: what the typed client infers from.
 */
import { defineConvoy } from '@convoy/core';
import { assign, setup } from 'xstate';

const orderMachine = setup({
  types: {
    context: {} as { readonly amount: number },
    events: {} as
      | { type: 'OrderPlaced'; amount: number }
      | { type: 'PaymentConfirmed' }
      | { type: 'Shipped'; carrier: string }
      | { type: 'Refund' },
  },
}).createMachine({
  id: 'order',
  initial: 'New',
  context: { amount: 0 },
  states: {
    New: {
      on: {
        OrderPlaced: { target: 'AwaitingPayment', actions: assign({ amount: ({ event }) => event.amount }) },
      },
    },
    AwaitingPayment: { on: { PaymentConfirmed: 'Paid' } },
    Paid: { on: { Shipped: 'Shipped', Refund: 'Refunded' } },
    Shipped: { type: 'final' },
    Refunded: { type: 'final' },
  },
});

/** Order: a `Refund` before payment is dead-lettered (for the dead-letter tests). */
export const orderConvoy = defineConvoy({
  type: 'order',
  machine: orderMachine,
  unexpected: { Refund: 'deadLetter', '*': 'defer' },
});

const ticketMachine = setup({
  types: { events: {} as { type: 'Opened'; title: string } | { type: 'Closed' } },
}).createMachine({
  id: 'ticket',
  initial: 'New',
  states: { New: { on: { Opened: 'Open' } }, Open: { on: { Closed: 'Closed' } }, Closed: { type: 'final' } },
});

/** Ticket: a second type with other events. */
export const ticketConvoy = defineConvoy({ type: 'ticket', machine: ticketMachine });

/** The definitions the test server serves. */
export type TestConvoys = typeof orderConvoy | typeof ticketConvoy;
