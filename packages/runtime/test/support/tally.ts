import { defineConvoy } from '@convoy/core';
import type { ConvoyDefinition, EffectIntent } from '@convoy/core';
import { assign, setup } from 'xstate';

/** A convoy whose every `Add` appends to the context and emits one `recorded` effect. */
export function tallyMachine() {
  return setup({
    types: {
      context: {} as { items: number[] },
      events: {} as { type: 'Add'; n: number } | { type: 'Stop' },
    },
    actions: { recorded: (_args, _params: { n: number }) => undefined },
  }).createMachine({
    id: 'tally',
    initial: 'open',
    context: { items: [] },
    states: {
      open: {
        on: {
          Add: {
            actions: [
              assign({ items: ({ context, event }) => [...context.items, event.n] }),
              { type: 'recorded', params: ({ event }) => ({ n: event.n }) },
            ],
          },
          Stop: 'stopped',
        },
      },
      stopped: { type: 'final' },
    },
  });
}

/** The tally convoy; its effect handler runs `onEffect` (which may throw to simulate a failure). */
export function tallyConvoy(
  onEffect: (effect: EffectIntent) => void | Promise<void>,
  options: { readonly version?: number; readonly type?: string } = {},
): ConvoyDefinition {
  return defineConvoy({
    type: options.type ?? 'tally',
    version: options.version ?? 1,
    machine: tallyMachine(),
    description: 'counts',
    effects: { recorded: (effect) => onEffect(effect) },
  });
}
