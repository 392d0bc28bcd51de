/**
 * `pnpm demo`: start Convoy on the embedded store, drive the order scenario over real HTTP, print what
 * happened, exit 0 when every expectation held (1 otherwise).
 *
 * Flags: `--keep` keeps the server running for curl; `--port <n>` (default: a free port, 3000 with --keep);
 * `--redis <url>` (or `CONVOY_REDIS_URL`) runs the same scenario on Redis, with this process serving HTTP
 * only and `--workers <n>` (default 2) separate `convoy worker` processes processing.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals } from '@convoy/cli';
import { startDemoEnvironment, verifyDemo } from './demo.ts';
import { startLiveOrders } from './live-orders.ts';
import { startRedisDemoEnvironment } from './redis-demo.ts';
import { formatReport } from './report.ts';

// pnpm may forward a literal `--` separator (`pnpm demo -- --keep`); it carries no meaning here.
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    keep: { type: 'boolean', default: false },
    port: { type: 'string' },
    redis: { type: 'string' },
    workers: { type: 'string', default: '2' },
  },
});
const redis = values.redis ?? (process.env['CONVOY_REDIS_URL'] || undefined);
const keep = values.keep;
const port = values.port === undefined ? (keep ? 3000 : 0) : Number(values.port);

// Once the scripted part is over, effects caused by the user's own curl requests are printed as they run.
let echoNotifications = false;
const onNotification = (notification: string) => {
  // The live orders (see below) would print a line a second: only the user's own orders are echoed.
  if (echoNotifications && !notification.startsWith('live-')) console.log(`[notifyCustomer] ${notification}`);
};
const environment = redis
  ? await startRedisDemoEnvironment({ redis, port, workers: Number(values.workers), onNotification })
  : await startDemoEnvironment({ port, onNotification });
console.log(`Convoy demo: the order convoy at ${environment.url}, ${environment.storeDescription}`);
if (environment.consoleUrl) console.log(`Console: ${environment.consoleUrl}`);
console.log('');
let ok = false;
try {
  // Redis keeps earlier runs' orders: give this run's orders their own ids.
  const result = await verifyDemo(environment, redis ? { idSuffix: `-${Date.now().toString(36)}` } : {});
  ok = result.ok;
  for (const line of formatReport({
    ...result.scenario,
    checks: result.checks,
    failures: result.failures,
    ok,
  })) {
    console.log(line);
  }
} catch (error) {
  console.error(`Demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

if (keep) {
  const url = environment.url;
  console.log(`\nServer kept running at ${url} (Ctrl+C to stop).`);
  // Orders that move on their own, one event a second, so the console has something to show.
  const livePrefix = redis ? `live-${Date.now().toString(36)}` : 'live';
  const stopLiveOrders = startLiveOrders(url, { prefix: livePrefix });
  if (environment.consoleUrl) {
    console.log(`\nOpen ${environment.consoleUrl} to watch an order move:`);
    console.log(
      `  ${environment.consoleUrl}/convoys/order/${livePrefix}-1 moves live (${livePrefix}-2, -3, … follow, one event a second)`,
    );
  }
  console.log('\nTry:');
  console.log(`  curl ${url}/convoy-types/order`);
  console.log(`  curl ${url}/convoys/order/1004`);
  console.log(`  curl ${url}/convoys/order/1004/history`);
  console.log(
    `  curl -X POST ${url}/convoys/order/2001/events -H 'content-type: application/json' -H 'idempotency-key: 2001-1' \\\n` +
      `       -d '{"type":"OrderPlaced","amount":12,"items":[{"sku":"tea","qty":2}]}'`,
  );
  console.log(
    `  curl -X POST '${url}/convoys/order/2001/events?wait=2000' -H 'content-type: application/json' -d '{"type":"PaymentConfirmed"}'`,
  );
  console.log('Or with the CLI (in this repository: node packages/cli/bin/convoy.js):');
  console.log(`  convoy ls order --url ${url}`);
  console.log(`  convoy history order ${livePrefix}-1 --follow --url ${url}`);
  console.log(`  convoy diagram order --format mermaid --url ${url}`);
  echoNotifications = true;
  closeOnSignals(
    () => {
      stopLiveOrders();
      return environment.close();
    },
    { log: () => undefined },
  );
} else {
  await environment.close();
  if (!ok) console.error('\nDemo FAILED: see the ✗ lines above.');
  process.exit(ok ? 0 : 1);
}
