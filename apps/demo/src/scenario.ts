/**
 * The demo's scripted scenario, driven over real HTTP against a running Convoy server: several orders in
 * parallel, an early event that is deferred, cancellations, a retried POST, a conflicting retry and an
 * unknown event. Every expectation is checked and reported; nothing is assumed.
 */
import { ConvoyClient, isReceipt } from './convoy-client.ts';
import type { ConvoyBody, ErrorBody, HistoryItemBody } from './convoy-client.ts';

/** One expectation of the scenario and whether it held. */
export interface ScenarioCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What was observed (and expected, when it failed). */
  readonly detail: string;
}

/** How one order ended, as read back over HTTP. */
export interface OrderOutcome {
  readonly id: string;
  readonly story: string;
  readonly status: string;
  readonly state: string;
  readonly context: Record<string, unknown>;
  readonly history: readonly HistoryItemBody[];
}

/** Everything the scenario did and found. `ok` is true only when every check held. */
export interface ScenarioResult {
  readonly ok: boolean;
  readonly orders: readonly OrderOutcome[];
  readonly checks: readonly ScenarioCheck[];
  readonly failures: readonly ScenarioCheck[];
  readonly durationMs: number;
  /** `<orderId>:<template>` for every customer notification the scenario should cause (sorted). */
  readonly expectedNotifications: readonly string[];
}

/** Options of {@link runScenario}. */
export interface ScenarioOptions {
  /**
   * Appended to every order id so that repeated runs against one durable server do not collide.
   * @defaultValue '' (ids 1001, 1002, ...)
   */
  readonly idSuffix?: string;
  /**
   * Maximum time to wait for an order to process its events.
   * @defaultValue 10000
   */
  readonly timeoutMs?: number;
}

/** An event the scenario POSTs. */
type ScriptedEvent = { readonly type: string; readonly [field: string]: unknown };

/**
 * Wait (polling GET) until the order processed everything sent so far and has left `state`: the order
 * is waiting on the carrier (an invoke) or a timer, whose result enters its inbox after the client's events.
 */
interface WaitStep {
  readonly waitWhile: string;
}

interface ScriptedOrder {
  readonly id: string;
  readonly story: string;
  readonly events: ReadonlyArray<ScriptedEvent | WaitStep>;
  readonly expectState: string;
  /** Expected history lines: `<seq> <event> <outcome>`. */
  readonly expectHistory: readonly string[];
  /** Templates the `notifyCustomer` effect should send for this order. */
  readonly notifies: readonly string[];
}

const place = (amount: number, sku: string) => ({ type: 'OrderPlaced', amount, items: [{ sku, qty: 1 }] });
/** The carrier's answer moves a shipping order on; the scenario waits for it before completing. */
const carrierAnswered: WaitStep = { waitWhile: 'Shipping' };

function isWait(step: ScriptedEvent | WaitStep): step is WaitStep {
  return 'waitWhile' in step;
}

function scriptedOrders(suffix: string): ScriptedOrder[] {
  const id = (n: number) => `${n}${suffix}`;
  const happy = (n: number, amount: number, sku: string): ScriptedOrder => ({
    id: id(n),
    story: 'happy path',
    events: [
      place(amount, sku),
      { type: 'PaymentConfirmed' },
      { type: 'ItemsShipped' },
      carrierAnswered,
      { type: 'OrderCompleted' },
    ],
    expectState: 'Completed',
    expectHistory: [
      '1 OrderPlaced applied',
      '2 PaymentConfirmed applied',
      '3 ItemsShipped applied',
      '4 xstate.done.actor.carrier applied',
      '5 OrderCompleted applied',
    ],
    notifies: ['order-confirmed', 'order-shipped'],
  });
  return [
    happy(1001, 42, 'book'),
    happy(1002, 15, 'mug'),
    happy(1003, 230, 'chair'),
    {
      id: id(1004),
      story: 'shipped before paid: deferred, then applied',
      events: [
        place(99, 'lamp'),
        { type: 'ItemsShipped' },
        { type: 'PaymentConfirmed' },
        carrierAnswered,
        { type: 'OrderCompleted' },
      ],
      expectState: 'Completed',
      expectHistory: [
        '1 OrderPlaced applied',
        '2 ItemsShipped deferred',
        '3 PaymentConfirmed applied',
        '2 ItemsShipped applied',
        '4 xstate.done.actor.carrier applied',
        '5 OrderCompleted applied',
      ],
      notifies: ['order-confirmed', 'order-shipped'],
    },
    {
      id: id(1005),
      story: 'canceled after payment; a late shipment is refused',
      events: [
        place(60, 'desk'),
        { type: 'PaymentConfirmed' },
        { type: 'OrderCanceled' },
        { type: 'ItemsShipped' },
      ],
      expectState: 'Canceled',
      expectHistory: [
        '1 OrderPlaced applied',
        '2 PaymentConfirmed applied',
        '3 OrderCanceled applied',
        '4 ItemsShipped rejected',
      ],
      notifies: ['order-confirmed', 'order-canceled'],
    },
    {
      id: id(1006),
      story: 'payment failed',
      events: [place(5, 'pen'), { type: 'PaymentFailed', reason: 'card declined' }],
      expectState: 'Canceled',
      expectHistory: ['1 OrderPlaced applied', '2 PaymentFailed applied'],
      notifies: ['order-canceled'],
    },
    {
      id: id(1007),
      story: 'never paid: canceled by the payment timeout',
      events: [place(12, 'cup'), { waitWhile: 'AwaitingPayment' }],
      expectState: 'Canceled',
      expectHistory: ['1 OrderPlaced applied', '2 xstate.after.paymentTimeout.order.AwaitingPayment applied'],
      notifies: ['order-canceled'],
    },
  ];
}

/** Renders a state value (a string for flat machines). */
export function stateName(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `<seq> <event> <outcome>`, the comparable form of a history item. */
function historyLine(item: HistoryItemBody): string {
  return `${item.seq} ${item.event.type} ${item.outcome}`;
}

/**
 * Run the scenario against the Convoy server at `baseUrl` (which must serve the demo's `order` convoy).
 * Never throws for a failed expectation: the result lists every check.
 *
 * @example
 * ```ts
 * const result = await runScenario('http://127.0.0.1:3000');
 * if (!result.ok) console.error(result.failures);
 * ```
 */
export async function runScenario(baseUrl: string, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const started = Date.now();
  const suffix = options.idSuffix ?? '';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client = new ConvoyClient(baseUrl, 'order');
  const checks: ScenarioCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const orders = scriptedOrders(suffix);

  // Each order sends its events one after another (a 202 before the next POST fixes their order);
  // the orders themselves run in parallel, as independent convoys do.
  const outcomes = await Promise.all(
    orders.map(async (order): Promise<OrderOutcome> => {
      let lastSeq = 0;
      for (const [index, event] of order.events.entries()) {
        if (isWait(event)) {
          // Results of invokes and timers take seqs too: the next client event follows them.
          lastSeq = (await client.waitWhile(order.id, lastSeq, event.waitWhile, timeoutMs)).accepted;
          continue;
        }
        const key = `${order.id}-${index + 1}-${event.type}`;
        const { status, body } = await client.send(order.id, event, key);
        if (status !== 202 || !isReceipt(body)) {
          check(`order ${order.id}: ${event.type} accepted`, false, `HTTP ${status} ${JSON.stringify(body)}`);
          continue;
        }
        if (body.seq !== lastSeq + 1) {
          check(`order ${order.id}: ${event.type} gets seq ${lastSeq + 1}`, false, `got seq ${body.seq}`);
        }
        lastSeq = body.seq;
      }
      const convoy = await client.waitProcessed(order.id, lastSeq, timeoutMs);
      const history = await client.history(order.id);
      const state = stateName(convoy.value);
      const lines = history.map(historyLine);
      check(
        `order ${order.id} (${order.story}) ends ${order.expectState}`,
        state === order.expectState && convoy.status === 'done',
        `state ${state}, status ${convoy.status}`,
      );
      check(
        `order ${order.id} history`,
        lines.join(' | ') === order.expectHistory.join(' | '),
        `got [${lines.join(' | ')}], expected [${order.expectHistory.join(' | ')}]`,
      );
      return {
        id: order.id,
        story: order.story,
        status: convoy.status,
        state,
        context: convoy.context,
        history,
      };
    }),
  );

  await checkRetries(client, orders[0], checks);
  await checkUnknownEvent(client, `1099${suffix}`, checks);

  const failures = checks.filter((c) => !c.ok);
  const expectedNotifications = orders
    .flatMap((o) => o.notifies.map((template) => `${o.id}:${template}`))
    .sort();
  return {
    ok: failures.length === 0,
    orders: outcomes,
    checks,
    failures,
    durationMs: Date.now() - started,
    expectedNotifications,
  };
}

/** A retried POST returns the original receipt; the same key with another body is a conflict. */
async function checkRetries(client: ConvoyClient, order: ScriptedOrder | undefined, checks: ScenarioCheck[]) {
  const first = order?.events[0];
  if (!order || !first || isWait(first)) return;
  const key = `${order.id}-1-${first.type}`;
  const before = (await client.get(order.id)).body as ConvoyBody;
  const retry = await client.send(order.id, first, key);
  const receipt = isReceipt(retry.body) ? retry.body : undefined;
  checks.push({
    name: `retried ${first.type} on order ${order.id} (same Idempotency-Key) returns the original receipt`,
    ok: retry.status === 202 && receipt?.seq === 1 && receipt.duplicate,
    detail: `HTTP ${retry.status} ${JSON.stringify(retry.body)}`,
  });
  const after = (await client.get(order.id)).body as ConvoyBody;
  checks.push({
    name: `the retry was not accepted again`,
    ok: after.accepted === before.accepted,
    detail: `accepted ${before.accepted} before, ${after.accepted} after`,
  });
  const conflict = await client.send(order.id, { ...first, amount: 1 }, key);
  checks.push({
    name: `same Idempotency-Key with another body is refused`,
    ok: conflict.status === 409 && (conflict.body as ErrorBody).code === 'idempotency_conflict',
    detail: `HTTP ${conflict.status} ${(conflict.body as ErrorBody).code}`,
  });
}

/** An event type the machine does not know is refused at the edge and leaves nothing behind. */
async function checkUnknownEvent(client: ConvoyClient, id: string, checks: ScenarioCheck[]) {
  const answer = await client.send(id, { type: 'OrderTeleported' });
  checks.push({
    name: `unknown event OrderTeleported is refused with 422`,
    ok: answer.status === 422 && (answer.body as ErrorBody).code === 'unknown_event_type',
    detail: `HTTP ${answer.status} ${(answer.body as ErrorBody).code}`,
  });
  const convoy = await client.get(id);
  checks.push({
    name: `the refused event created no convoy`,
    ok: convoy.status === 404,
    detail: `GET order ${id}: HTTP ${convoy.status}`,
  });
}
