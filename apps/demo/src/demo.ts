/**
 * The demo as a function: start a Convoy server for the order convoy, run the scenario over HTTP,
 * check the effects, report. `main.ts` prints it; the test asserts it.
 */
import { startServer } from '@convoy/cli';
import type { ScenarioCheck, ScenarioOptions, ScenarioResult } from './scenario.ts';
import { runScenario } from './scenario.ts';
import { createOrderConvoy } from './order-convoy.ts';

/** A running server (and, with Redis, its worker processes) serving the order convoy. */
export interface DemoEnvironment {
  readonly url: string;
  /** The web console's URL (`<url>/console`), or undefined when it is not mounted. */
  readonly consoleUrl: string | undefined;
  /** The store in words. */
  readonly storeDescription: string;
  /**
   * Customer notifications sent so far (`<orderId>:<template>`), or null when effects run in other
   * processes (Redis mode) and cannot be observed here.
   */
  readonly notifications: readonly string[] | null;
  close(): Promise<void>;
}

/** Options of {@link startDemoEnvironment}. */
export interface DemoEnvironmentOptions {
  /**
   * HTTP port; 0 picks a free one.
   * @defaultValue 0
   */
  readonly port?: number;
  /** Called for every customer notification as it is sent (`--keep` prints them). */
  readonly onNotification?: (notification: string) => void;
  /**
   * Payment timeout of the orders: short, so the scenario shows an unpaid order canceled by its timer.
   * @defaultValue `CONVOY_DEMO_PAYMENT_TIMEOUT_MS`, else {@link demoPaymentTimeoutMs}
   */
  readonly paymentTimeoutMs?: number;
}

/** The demo's payment timeout unless `CONVOY_DEMO_PAYMENT_TIMEOUT_MS` says otherwise. */
export const demoPaymentTimeoutMs = 1500;

/** The payment timeout the demo runs with (the environment variable wins over the demo default). */
export function demoPaymentTimeout(): number {
  const value = Number(process.env['CONVOY_DEMO_PAYMENT_TIMEOUT_MS']);
  return Number.isFinite(value) && value > 0 ? value : demoPaymentTimeoutMs;
}

/** Start the order convoy on the embedded memory store, collecting its notifications. */
export async function startDemoEnvironment(options: DemoEnvironmentOptions = {}): Promise<DemoEnvironment> {
  const notifications: string[] = [];
  const order = createOrderConvoy(
    (orderId, params) => {
      const notification = `${orderId}:${params.template}`;
      notifications.push(notification);
      options.onNotification?.(notification);
    },
    { paymentTimeoutMs: options.paymentTimeoutMs ?? demoPaymentTimeout() },
  );
  const server = await startServer({ definitions: [order], port: options.port ?? 0 });
  return {
    url: server.url,
    consoleUrl: server.consoleUrl,
    storeDescription: server.storeDescription,
    notifications,
    close: () => server.close(),
  };
}

/** The scenario's result plus the effect check. `ok` only when every check held. */
export interface DemoResult {
  readonly ok: boolean;
  readonly scenario: ScenarioResult;
  /** Every check, the scenario's and the effects'. */
  readonly checks: readonly ScenarioCheck[];
  readonly failures: readonly ScenarioCheck[];
}

/**
 * Run the scenario against an environment and check that `notifyCustomer` ran for exactly the
 * expected transitions (effects run after the commit, so this waits for them briefly).
 */
export async function verifyDemo(
  environment: DemoEnvironment,
  options: ScenarioOptions = {},
): Promise<DemoResult> {
  const scenario = await runScenario(environment.url, options);
  const checks = [...scenario.checks];
  const { notifications } = environment;
  if (notifications) {
    const expected = scenario.expectedNotifications.join(', ');
    // At-least-once effects may repeat after a crash, so compare the distinct notifications.
    // Only this run's orders: a long-lived environment may have served earlier runs.
    const ours = new Set(scenario.orders.map((order) => order.id));
    const seen = () =>
      [...new Set(notifications)]
        .filter((n) => ours.has(n.slice(0, n.lastIndexOf(':'))))
        .sort()
        .join(', ');
    const deadline = Date.now() + 3000;
    while (seen() !== expected && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    checks.push({
      name: `notifyCustomer ran once per notifying transition (${scenario.expectedNotifications.length})`,
      ok: seen() === expected,
      detail:
        seen() === expected ? `${notifications.length} sent` : `sent [${seen()}], expected [${expected}]`,
    });
  }
  const failures = checks.filter((c) => !c.ok);
  return { ok: failures.length === 0, scenario, checks, failures };
}

/** Start the embedded demo on a free port, run and verify the scenario, close. */
export async function runDemo(options: ScenarioOptions = {}): Promise<DemoResult> {
  const environment = await startDemoEnvironment();
  try {
    return await verifyDemo(environment, options);
  } finally {
    await environment.close();
  }
}
