/**
 * The demo's printed account: per order its final state and its history, then the edge-case checks.
 */
import type { HistoryItemBody } from './convoy-client.ts';
import { stateName } from './scenario.ts';
import type { OrderOutcome, ScenarioResult } from './scenario.ts';

function historyRow(item: HistoryItemBody): string {
  const move =
    item.outcome === 'applied'
      ? `${stateName(item.from)} → ${stateName(item.to)}`
      : `in ${stateName(item.from)}`;
  const reason = item.reason ? ` (${item.reason})` : '';
  return `    ${String(item.seq).padStart(3)}  ${item.event.type.padEnd(17)} ${item.outcome.padEnd(9)} ${move}${reason}`;
}

function orderBlock(order: OrderOutcome): string[] {
  const amount = typeof order.context['amount'] === 'number' ? `  ${order.context['amount']} EUR` : '';
  return [
    `  order ${order.id}  ${order.story}${amount}  ⇒ ${order.state} (${order.status})`,
    ...order.history.map(historyRow),
  ];
}

/** The scenario as printable lines. */
export function formatReport(result: ScenarioResult): string[] {
  const orderNames = new Set(result.orders.map((o) => `order ${o.id}`));
  const edgeChecks = result.checks.filter((c) => ![...orderNames].some((name) => c.name.startsWith(name)));
  const lines = ['Orders (seq  event  outcome  transition):'];
  for (const order of result.orders) lines.push(...orderBlock(order));
  lines.push('', 'Retries and bad input:');
  for (const c of edgeChecks) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  lines.push('');
  lines.push(
    result.ok
      ? `All ${result.checks.length} checks passed in ${result.durationMs} ms.`
      : `${result.failures.length} of ${result.checks.length} checks FAILED:\n${result.failures.map((c) => `  ✗ ${c.name}: ${c.detail}`).join('\n')}`,
  );
  return lines;
}
