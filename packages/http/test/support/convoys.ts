/**
 * Small convoys for the HTTP tests, defined the way a user would, and a real engine on the memory store.
 */
import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinition } from '@convoy/core';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import { assign, setup } from 'xstate';

/** Order: New → AwaitingPayment → AwaitingShipment → Shipped → Completed, or → Canceled. Early events defer. */
const parcelMachine = setup({
  types: {
    context: {} as { readonly paid: number; readonly shippedWith: string | null },
    events: {} as
      | { type: 'OrderPlaced' }
      | { type: 'PaymentConfirmed'; amount: number }
      | { type: 'ItemsShipped'; carrier: string }
      | { type: 'OrderCanceled' }
      | { type: 'OrderCompleted' },
  },
}).createMachine({
  id: 'parcel',
  initial: 'New',
  context: { paid: 0, shippedWith: null },
  states: {
    New: { on: { OrderPlaced: 'AwaitingPayment' } },
    AwaitingPayment: {
      on: {
        PaymentConfirmed: {
          target: 'AwaitingShipment',
          actions: assign({ paid: ({ event }) => event.amount }),
        },
        OrderCanceled: 'Canceled',
      },
    },
    AwaitingShipment: {
      on: {
        ItemsShipped: { target: 'Shipped', actions: assign({ shippedWith: ({ event }) => event.carrier }) },
        OrderCanceled: 'Canceled',
      },
    },
    Shipped: { on: { OrderCompleted: 'Completed' } },
    Completed: { type: 'final' },
    Canceled: { type: 'final' },
  },
});

/** The parcel convoy: every unexpected event is deferred. */
export const parcel = defineConvoy({
  type: 'parcel',
  machine: parcelMachine,
  description: 'An order, shipped',
});

/** Ledger: one state; every `Tick` appends its `eventId` to `context.applied` (to see double applies). */
const ledgerMachine = setup({
  types: {
    context: {} as { readonly applied: readonly string[] },
    events: {} as { type: 'Tick'; eventId: string },
  },
}).createMachine({
  id: 'ledger',
  initial: 'Open',
  context: { applied: [] },
  states: {
    Open: {
      on: {
        Tick: { actions: assign({ applied: ({ context, event }) => [...context.applied, event.eventId] }) },
      },
    },
  },
});

/** The ledger convoy. */
export const ledger = defineConvoy({ type: 'ledger', machine: ledgerMachine });

/** A real engine over the memory store; `started: false` leaves events unprocessed. */
export async function memoryEngine(
  definitions: readonly ConvoyDefinition[] = [parcel, ledger],
  options: { readonly started?: boolean } = {},
): Promise<ConvoyEngine> {
  const engine = createConvoyEngine({
    definitions,
    store: new MemoryConvoyStore(),
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
    waitPollMs: 20,
  });
  if (options.started !== false) await engine.start();
  return engine;
}
