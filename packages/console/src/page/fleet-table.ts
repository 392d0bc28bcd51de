/// <reference lib="dom" />
/**
 * The fleet at a glance, from `GET /fleet` (re-read every few seconds): per type, convoys per status
 * and with dead letters (from the indexes), and events received / processed in the last minute on the
 * answering node. Every count links to the list it counts; a type with blocked, stalled or dead-lettered
 * convoys is marked as needing attention.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { convoyStatuses } from '@convoy/core/wire';
import type { FleetItem, FleetTypeItem } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { api, getJson } from './api.ts';
import { formatTime } from './format.ts';
import { failureView } from './use-load.ts';
import { Card, Link } from './ui.ts';

/** How often the overview is re-read. */
const refreshMs = 5000;

/** Statuses an operator must look at. */
const alarming = new Set(['blocked', 'stalled']);

function needsAttention(item: FleetTypeItem): boolean {
  return item.counts.blocked + item.counts.stalled + item.deadLetterConvoys > 0;
}

function countCell(type: string, status: string, count: number): VNode {
  const alert = count > 0 && alarming.has(status);
  return html`<td class=${`count-cell${alert ? ' alert' : ''}`} data-status=${status}>
    <${Link} path=${`/types/${encodeURIComponent(type)}?status=${status}`}>${count}<//>
  </td>`;
}

/** An age as the table shows it: `—` (nothing waits), `850 ms`, `12 s`, `4 min`, `3 h`. */
function formatAge(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** The fleet card. */
export function FleetTable(): VNode {
  const [fleet, setFleet] = useState<FleetItem | null>(null);
  const [problem, setProblem] = useState<unknown>(null);

  useEffect(() => {
    let current = true;
    const read = (): void => {
      getJson<FleetItem>(api`/fleet`).then(
        (next) => {
          if (!current) return;
          setFleet(next);
          setProblem(null);
        },
        (error: unknown) => current && setProblem(error),
      );
    };
    read();
    const timer = setInterval(read, refreshMs);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, []);

  if (fleet === null) return problem === null ? html`<p class="muted">Loading…</p>` : failureView(problem);
  const attention = fleet.items.filter(needsAttention).length;
  return html`<${Card} title="Fleet" testid="fleet">
    <p class="muted">
      <span data-testid="fleet-attention" class=${attention > 0 ? 'attention-note' : ''}>
        ${attention === 0 ? 'Nothing needs attention' : `${attention} of ${fleet.items.length} types need attention`}
      </span>
      ${' · as of '}<span class="time" title=${fleet.at}>${formatTime(fleet.at)}</span>
    </p>
    ${problem === null ? null : failureView(problem)}
    <table class="timeline fleet-table" data-testid="fleet-table">
      <thead>
        <tr>
          <th>Type</th>
          ${convoyStatuses.map((status) => html`<th>${status}</th>`)}
          <th>dead letters</th>
          <th title="How long the oldest unprocessed event has waited">oldest waiting</th>
          <th title="Counted by the node that answered, over the last 60 s">received / min</th>
          <th title="Counted by the node that answered, over the last 60 s">processed / min</th>
        </tr>
      </thead>
      <tbody>
        ${fleet.items.map(
          (item) =>
            html`<tr key=${item.type} data-type=${item.type} class=${needsAttention(item) ? 'attention' : ''}>
              <td>
                <${Link} path=${`/types/${encodeURIComponent(item.type)}`}>${item.type}<//>
                <span class="version">v${item.version}</span>
              </td>
              ${convoyStatuses.map((status) => countCell(item.type, status, item.counts[status]))}
              <td
                class=${`count-cell${item.deadLetterConvoys > 0 ? ' alert' : ''}`}
                data-status="dead-letters"
              >
                <${Link} path=${`/dead-letters/${encodeURIComponent(item.type)}`}
                  >${item.deadLetterConvoys}<//
                >
              </td>
              <td class="count-cell" data-age="oldest-waiting">${formatAge(item.oldestWaitingAgeMs)}</td>
              <td class="count-cell" data-rate="received">${item.lastMinute?.received ?? '—'}</td>
              <td class="count-cell" data-rate="processed">${item.lastMinute?.processed ?? '—'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  <//>`;
}
