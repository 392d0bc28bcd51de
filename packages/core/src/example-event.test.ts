/**
 * `exampleEvent`: the start-up banner offers an event a new convoy applies, never one it refuses.
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { defineConvoy } from './definition.ts';
import { exampleEvent } from './example-event.ts';

const machine = setup({
  types: { events: {} as { type: 'Ship' } | { type: 'Place'; amount: number } | { type: 'Cancel' } },
  guards: { hasAmount: ({ event }) => event.type === 'Place' && typeof event.amount === 'number' },
}).createMachine({
  id: 'order',
  initial: 'New',
  // Placed first: the machine's first event (Ship) is not one a new convoy takes.
  states: {
    Placed: { on: { Ship: 'Shipped' } },
    New: { on: { Place: { guard: 'hasAmount', target: 'Placed' }, Cancel: 'Canceled' } },
    Shipped: { type: 'final' },
    Canceled: { type: 'final' },
  },
});

describe('exampleEvent', () => {
  it('skips events the initial state does not take, and events whose guard refuses a bare body', () => {
    // Place's guard needs an amount no schema describes: Cancel is the event a new convoy applies.
    expect(exampleEvent(defineConvoy({ type: 'orderPlain', machine }))).toEqual({ type: 'Cancel' });
  });

  it('is undefined when no event of the initial state can be applied without unknown data', () => {
    const guarded = setup({
      types: { events: {} as { type: 'Start'; token: string } },
      guards: { token: ({ event }) => typeof event.token === 'string' },
    }).createMachine({
      id: 'guarded',
      initial: 'a',
      states: { a: { on: { Start: { guard: 'token', target: 'b' } } }, b: {} },
    });
    expect(exampleEvent(defineConvoy({ type: 'guarded', machine: guarded }))).toBeUndefined();
  });
});
