/**
 * A convoy's history, newest first: one row per event with its outcome, the transition it made (or the
 * state it stayed in, or for an `effectFailed` row the effect or invoke that failed), the reason or
 * operator note, the error text as written, and the time. Rows that arrived live flash once.
 */
import { html } from 'htm/preact';
import { eventOutcomes } from '@convoy/core/wire';
import type { EventOutcome, HistoryItem } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { formatTime, formatValue } from './format.ts';
import { eventCells, Table } from './ui.ts';

function Row(props: { entry: HistoryItem; fresh: boolean }): VNode {
  const { entry } = props;
  const outcome: EventOutcome = eventOutcomes.includes(entry.outcome) ? entry.outcome : 'ignored';
  const cells = eventCells(entry.seq, entry.event);
  return html`<tr
    class=${`timeline-row outcome-${outcome}${props.fresh ? ' fresh' : ''}`}
    data-outcome=${outcome}
    data-seq=${entry.seq}
  >
    ${cells}
    <td><span class=${`badge badge-${outcome}`}>${outcome}</span></td>
    <td class="transition">
      ${
        entry.failure
          ? html`<span class="failure-note" data-kind=${entry.failure.kind}
              >${entry.failure.kind} <strong>${entry.failure.name}</strong> failed${
                entry.failure.deadLettered ? ' · dead-lettered' : ' · error sent to the machine'
              }</span
            >`
          : outcome === 'applied'
            ? html`${formatValue(entry.from)}<span class="arrow"> → </span>${formatValue(entry.to)}`
            : html`<span class="arrow">stayed in </span>${formatValue(entry.from)}`
      }
    </td>
    <td class="muted">
      ${entry.reason ? entry.reason.replace(/_/g, ' ') : ''}
      ${
        entry.operator
          ? html`<span class="operator-note" data-action=${entry.operator.action}
              >${entry.operator.action}${entry.operator.newSeq === undefined ? '' : ` → #${entry.operator.newSeq}`}${
                entry.operator.by ? ` by ${entry.operator.by}` : ''
              }</span
            >`
          : null
      }
      ${entry.error ? html`<div class="error-text">${entry.error}</div>` : null}
    </td>
    <td class="muted time">${formatTime(entry.at)}</td>
  </tr>`;
}

/** The timeline table; entries from index `freshFrom` on flash. */
export function Timeline(props: { entries: readonly HistoryItem[]; freshFrom: number }): VNode {
  const rows = props.entries
    .map(
      (entry, index) =>
        html`<${Row}
          key=${`${entry.seq}|${entry.at}|${entry.outcome}`}
          entry=${entry}
          fresh=${index >= props.freshFrom}
        />`,
    )
    .reverse();
  return html`
    <p class="muted empty" hidden=${rows.length > 0}>Waiting for this convoy’s first event…</p>
    <${Table} columns=${['Seq', 'Event', 'Outcome', 'Transition', 'Reason', 'Time']}>${rows}<//>
  `;
}
