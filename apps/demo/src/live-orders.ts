/**
 * With `pnpm demo --keep`: orders that keep moving on their own, one event every `stepMs`, so that a
 * reviewer who opens the console sees a convoy change state live without typing anything.
 */
import { ConvoyClient } from './convoy-client.ts';

/** Options of {@link startLiveOrders}. */
export interface LiveOrdersOptions {
  /**
   * Time between two events of an order. Below the demo's payment timeout (1.5 s), so the payment
   * usually arrives in time; when it does not, the order is canceled by its timer, which shows too.
   * @defaultValue 1000
   */
  readonly stepMs?: number;
  /**
   * Order ids are `<prefix>-1`, `<prefix>-2`, … (give each run its own prefix on a store that keeps
   * earlier runs' orders).
   * @defaultValue 'live'
   */
  readonly prefix?: string;
  /** Called when a new live order starts (its id). */
  readonly onOrder?: (id: string) => void;
}

/** The events one live order receives, in order. */
const lifecycle = (n: number) => [
  { type: 'OrderPlaced', amount: 10 + (n % 7) * 5, items: [{ sku: 'tea', qty: 1 + (n % 3) }] },
  { type: 'PaymentConfirmed' },
  { type: 'ItemsShipped' },
  // Sent while the carrier is booking (Shipping): deferred, then applied once the order is Shipped.
  { type: 'OrderCompleted' },
];

/**
 * Drive orders `live-1`, `live-2`, … (see `prefix`) through their lifecycle until the returned stop function is
 * called. HTTP failures are ignored (the next step tries again with the next event).
 */
export function startLiveOrders(url: string, options: LiveOrdersOptions = {}): () => void {
  const client = new ConvoyClient(url, 'order');
  const stepMs = options.stepMs ?? 1000;
  const prefix = options.prefix ?? 'live';
  let order = 0;
  let step = Number.POSITIVE_INFINITY;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    const events = lifecycle(order);
    if (step >= events.length + 2) {
      // Two idle steps between orders: the finished one stays on screen for a moment.
      order += 1;
      step = 0;
      options.onOrder?.(`${prefix}-${order}`);
    }
    const event = lifecycle(order)[step];
    step += 1;
    if (event)
      await client.send(`${prefix}-${order}`, event, `${prefix}-${order}-${step}`).catch(() => undefined);
  };
  const loop = () => {
    timer = setTimeout(() => {
      void tick().finally(() => {
        if (!stopped) loop();
      });
    }, stepMs);
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
