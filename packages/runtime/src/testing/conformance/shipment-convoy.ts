/**
 * The shipment convoy of the time-and-trouble conformance tests (and the runtime tests): a shipment that invokes a flaky carrier,
 * waits with a timeout, escalates when idle, and has a guard that can throw.
 */
import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinitionOptions } from '@convoy/core';
import { assign, fromPromise, setup } from 'xstate';

/** Counts carrier calls per parcel and fails the first `failures` of them. */
export class FlakyCarrier {
  readonly calls = new Map<string, number>();
  /** When set, every call waits for it (to act while a call is in flight). */
  gate: Promise<void> | undefined;
  constructor(public failures: number) {}

  async call(parcel: string): Promise<string> {
    const n = (this.calls.get(parcel) ?? 0) + 1;
    this.calls.set(parcel, n);
    await this.gate;
    if (n <= this.failures) throw new Error(`carrier unavailable (call ${n})`);
    return `TRACK-${parcel}`;
  }
}

/** Timeout of the `waiting` state, in ms. */
export const shipmentTimeoutMs = 60_000;

/** The shipment machine; `carrier` is the invoked promise logic. */
export function shipmentMachine(carrier: FlakyCarrier, explode: { on: boolean } = { on: false }) {
  return setup({
    types: {
      context: {} as { parcel: string; tracking: string; error: string },
      events: {} as
        | { type: 'Ship'; parcel: string }
        | { type: 'Wait' }
        | { type: 'Poke' }
        | { type: 'Cancel' }
        | { type: 'Stalled'; reason: string },
    },
    actors: {
      carrier: fromPromise(async ({ input }: { input: { parcel: string } }) => carrier.call(input.parcel)),
    },
    guards: {
      pokeable: () => {
        if (explode.on) throw new Error('guard exploded');
        return true;
      },
    },
  }).createMachine({
    id: 'shipment',
    initial: 'ready',
    context: { parcel: '', tracking: '', error: '' },
    states: {
      ready: {
        on: {
          Ship: { target: 'shipping', actions: assign({ parcel: ({ event }) => event.parcel }) },
          Wait: 'waiting',
          Poke: { guard: 'pokeable', target: 'poked' },
          Stalled: 'escalated',
        },
      },
      shipping: {
        invoke: {
          id: 'carrierCall',
          src: 'carrier',
          input: ({ context }) => ({ parcel: context.parcel }),
          onDone: { target: 'shipped', actions: assign({ tracking: ({ event }) => event.output }) },
          onError: {
            target: 'failed',
            actions: assign({ error: ({ event }) => String(event.error) }),
          },
        },
        on: { Cancel: 'canceled' },
      },
      waiting: { after: { [shipmentTimeoutMs]: 'timedOut' }, on: { Cancel: 'canceled' } },
      poked: { on: { Poke: 'ready' } },
      escalated: { on: { Cancel: 'canceled' } },
      shipped: { type: 'final' },
      failed: { type: 'final' },
      timedOut: { type: 'final' },
      canceled: { type: 'final' },
    },
  });
}

/** The shipment convoy (type `shipment` unless overridden). */
export function shipmentConvoy(
  carrier: FlakyCarrier,
  options: Partial<ConvoyDefinitionOptions<ReturnType<typeof shipmentMachine>>> = {},
  explode: { on: boolean } = { on: false },
) {
  return defineConvoy({ type: 'shipment', machine: shipmentMachine(carrier, explode), ...options });
}
