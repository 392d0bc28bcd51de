/**
 * Human output of the remote commands: aligned tables and one-line renderings of state values and
 * events. `--json` bypasses all of this.
 */
import type { ConvoyView, DeadLetterItem, EventOutcomeReport, HistoryItem } from '@convoy/client';

/** Render rows as a table with a header, columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * A state value in one line: `Shipped`, `Shipping.Packing`, or the active leaves of parallel regions
 * separated by commas (`Reviewing.Legal.Pending, Reviewing.Finance.Approved`).
 */
export function stateText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return JSON.stringify(value);
  const leaves: string[] = [];
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === 'string') leaves.push(`${prefix}${node}`);
    else if (node && typeof node === 'object') {
      const entries = Object.entries(node);
      if (entries.length === 0) leaves.push(prefix.slice(0, -1));
      for (const [name, child] of entries) walk(child, `${prefix}${name}.`);
    }
  };
  walk(value, '');
  return leaves.join(', ');
}

/**
 * A waited event's outcome in one line: `applied`, `deferred (not_accepted_in_state), may still be
 * applied`, `rejected (convoy_done)`, then the convoy's status and state after its turn.
 */
export function outcomeText(report: EventOutcomeReport): string {
  const outcome = report.outcome ?? 'outcome unknown (history entry trimmed)';
  const why =
    report.reason === undefined ? '' : ` (${report.reason}${report.error ? `: ${report.error}` : ''})`;
  const pending = report.final ? '' : ', may still be applied or refused';
  return `${outcome}${why}${pending}; the convoy is ${report.status}, in state ${stateText(report.value)}`;
}

/** An event in one line: its type, then its payload as compact JSON when it has one. */
export function eventText(event: { readonly type: string }): string {
  const { type, ...payload } = event;
  return Object.keys(payload).length === 0 ? type : `${type} ${JSON.stringify(payload)}`;
}

/** `14:02:03.120` from an ISO time (the date is noise in a live timeline). */
function timeText(iso: string): string {
  return iso.length >= 23 ? iso.slice(11, 23) : iso;
}

/** The convoy's view as `field: value` lines and its context as indented JSON. */
export function viewLines(view: ConvoyView): string[] {
  const lines = [
    `${view.type}/${view.id}`,
    `  status:   ${view.status}${view.blockedReason ? ` (${view.blockedReason})` : ''}`,
    `  state:    ${stateText(view.value)}`,
    `  seq:      ${view.seq} processed, ${view.accepted} accepted, ${view.deferred} deferred`,
    `  version:  ${view.version}`,
    `  created:  ${view.createdAt}`,
    `  updated:  ${view.updatedAt}`,
    '  context:',
  ];
  for (const line of JSON.stringify(view.context, null, 2).split('\n')) lines.push(`    ${line}`);
  return lines;
}

/** A row of the history table. */
export function historyRow(item: HistoryItem): string[] {
  const detail = item.operator
    ? `${item.operator.action}${item.operator.newSeq === undefined ? '' : ` → seq ${item.operator.newSeq}`}`
    : [item.reason, item.error].filter(Boolean).join(': ');
  return [
    String(item.seq),
    timeText(item.at),
    eventText(item.event),
    item.outcome,
    `${stateText(item.from)} → ${stateText(item.to)}`,
    detail,
  ];
}

/** The header of the history table. */
export const historyHeader = ['SEQ', 'AT', 'EVENT', 'OUTCOME', 'TRANSITION', 'DETAIL'] as const;

/** The convoy list as a table. */
export function convoyTable(items: readonly ConvoyView[]): string[] {
  return table(
    ['ID', 'STATUS', 'STATE', 'SEQ', 'ACCEPTED', 'UPDATED'],
    items.map((view) => [
      view.id,
      view.status,
      stateText(view.value),
      String(view.seq),
      String(view.accepted),
      view.updatedAt,
    ]),
  );
}

/** Dead letters as a table. */
export function deadLetterTable(items: readonly DeadLetterItem[]): string[] {
  return table(
    ['ID', 'SEQ', 'EVENT', 'REASON', 'AT'],
    items.map((letter) => [
      letter.id,
      String(letter.seq),
      eventText(letter.event),
      [letter.reason, letter.error].filter(Boolean).join(': '),
      letter.at,
    ]),
  );
}
