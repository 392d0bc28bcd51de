import { describe, expect, it } from 'vitest';
import { ConvoyClient } from '../src/convoy-client.ts';
import { startDemoEnvironment } from '../src/demo.ts';
import { startLiveOrders } from '../src/live-orders.ts';

describe('the live orders of pnpm demo --keep', () => {
  it('move an order through its whole lifecycle on their own, then start the next one', async () => {
    const environment = await startDemoEnvironment({ paymentTimeoutMs: 60_000 });
    const started: string[] = [];
    const stop = startLiveOrders(environment.url, { stepMs: 30, onOrder: (id) => started.push(id) });
    try {
      const client = new ConvoyClient(environment.url, 'order');
      const until = async (condition: () => Promise<boolean> | boolean) => {
        const deadline = Date.now() + 15_000;
        while (!(await condition()) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      };
      // The carrier books asynchronously: OrderCompleted is deferred until the order is Shipped.
      const status = async (id: string) => {
        const { body } = await client.get(id);
        return 'status' in body ? body.status : null;
      };
      await until(async () => (await status('live-1')) === 'done');
      expect((await client.get('live-1')).body).toMatchObject({ status: 'done', value: 'Completed' });
      await until(() => started.includes('live-2'));
      expect(started.slice(0, 2)).toEqual(['live-1', 'live-2']);
    } finally {
      stop();
      await environment.close();
    }
  }, 30_000);
});
