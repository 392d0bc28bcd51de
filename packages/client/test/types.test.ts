import { describe, expectTypeOf, it } from 'vitest';
import { createConvoyClient } from '../src/index.ts';
import type { ClientEventOf, ConvoyClient } from '../src/index.ts';
import type { orderConvoy, TestConvoys, ticketConvoy } from './support/convoys.ts';

// Type-level tests: `pnpm --filter @convoy/client typecheck` fails if any `@ts-expect-error` line compiles.
// The requests are never sent: every call sits in a function that is not called.
const convoy = createConvoyClient<TestConvoys>({ baseUrl: 'http://127.0.0.1:1' });

describe('event types are inferred from the definitions', () => {
  it("narrows `event` to the named type's client events", () => {
    expectTypeOf<ClientEventOf<TestConvoys, 'ticket'>>().toEqualTypeOf<
      { type: 'Opened'; title: string } | { type: 'Closed' }
    >();
    expectTypeOf<ClientEventOf<typeof orderConvoy, 'order'>['type']>().toEqualTypeOf<
      'OrderPlaced' | 'PaymentConfirmed' | 'Shipped' | 'Refund'
    >();
    expectTypeOf(convoy.send).parameter(0).toEqualTypeOf<'order' | 'ticket'>();
  });

  it('accepts right events and refuses wrong ones at compile time', () => {
    const _calls = () => [
      convoy.send('order', 'o-1', { type: 'OrderPlaced', amount: 1 }),
      convoy.send('ticket', 't-1', { type: 'Closed' }),
      // @ts-expect-error an event of another convoy type
      convoy.send('order', 'o-1', { type: 'Opened', title: 'x' }),
      // @ts-expect-error an event type no machine declares
      convoy.send('order', 'o-1', { type: 'Teleport' }),
      // @ts-expect-error a missing payload field
      convoy.send('order', 'o-1', { type: 'OrderPlaced' }),
      // @ts-expect-error a payload field of the wrong type
      convoy.send('order', 'o-1', { type: 'OrderPlaced', amount: '1' }),
      // @ts-expect-error a convoy type that is not served
      convoy.send('invoice', 'i-1', { type: 'Closed' }),
      // @ts-expect-error reads take served types only, too
      convoy.get('invoice', 'i-1'),
    ];
    expectTypeOf(_calls).toBeFunction();
  });

  it('a client of one definition and an untyped client', () => {
    const tickets: ConvoyClient<typeof ticketConvoy> = createConvoyClient<typeof ticketConvoy>({
      baseUrl: '',
    });
    expectTypeOf(tickets.send).parameter(0).toEqualTypeOf<'ticket'>();
    const untyped = createConvoyClient({ baseUrl: '' });
    expectTypeOf(untyped.send).parameter(0).toEqualTypeOf<string>();
    const _anything = () => untyped.send('whatever', 'x', { type: 'Anything', extra: 1 });
    expectTypeOf(_anything).toBeFunction();
  });
});
