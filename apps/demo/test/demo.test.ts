import { startServer } from '@convoy/cli';
import { defineConvoy } from '@convoy/core';
import { describe, expect, it } from 'vitest';
import { orderMachine } from '../src/order-convoy.ts';
import { runScenario } from '../src/scenario.ts';
import { runDemo } from '../src/demo.ts';
import { formatReport } from '../src/report.ts';

describe('the demo scenario over real HTTP on the embedded store', () => {
  it('meets every expectation: parallel orders, deferral, cancel, retries, unknown event, effects', async () => {
    const result = await runDemo();
    // On failure, show the printed account rather than a bare boolean.
    expect(result.failures, formatReport({ ...result.scenario, ...result }).join('\n')).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.scenario.orders.map((o) => `${o.id} ${o.state}`)).toEqual([
      '1001 Completed',
      '1002 Completed',
      '1003 Completed',
      '1004 Completed',
      '1005 Canceled',
      '1006 Canceled',
      '1007 Canceled',
    ]);
    const early = result.scenario.orders.find((o) => o.id === '1004');
    expect(early?.history.map((h) => `${h.seq} ${h.outcome}`)).toEqual([
      '1 applied',
      '2 deferred',
      '3 applied',
      '2 applied',
      '4 applied',
      '5 applied',
    ]);
    const unpaid = result.scenario.orders.find((o) => o.id === '1007');
    expect(unpaid?.history.map((h) => `${h.seq} ${h.event.type}`)).toEqual([
      '1 OrderPlaced',
      '2 xstate.after.paymentTimeout.order.AwaitingPayment',
    ]);
    const shipped = result.scenario.orders.find((o) => o.id === '1001');
    expect(shipped?.context).toMatchObject({
      trackingId: 'TRK-1001',
      log: expect.arrayContaining(['CarrierBooked']),
    });
  });

  it('repeats on one server with an id suffix (how a durable store is re-run)', async () => {
    const result = await runDemo({ idSuffix: '-x' });
    expect(result.failures).toEqual([]);
    expect(result.scenario.orders[0]?.id).toBe('1001-x');
  });

  it('can fail: against an order convoy that rejects early events, the deferral check fails', async () => {
    const rejecting = defineConvoy({
      type: 'order',
      machine: orderMachine,
      unexpected: 'reject',
      input: (key) => ({ ...key, paymentTimeoutMs: 300 }),
    });
    const server = await startServer({ definitions: [rejecting], port: 0 });
    try {
      const result = await runScenario(server.url);
      expect(result.ok).toBe(false);
      expect(result.failures.map((c) => c.name)).toEqual([
        'order 1004 (shipped before paid: deferred, then applied) ends Completed',
        'order 1004 history',
      ]);
    } finally {
      await server.close();
    }
  });
});
