/// <reference lib="dom" />
/**
 * What waits on or is held by a convoy: its dead letters (with Redrive and Discard), pending inbox,
 * deferred events and armed timers, each from its own API route.
 */
import { html } from 'htm/preact';
import type { DeadLetterItem, DeferredItem, InboxItem, ItemList, TimerItem } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { api, getJson } from './api.ts';
import { formatTime } from './format.ts';
import { eventCells, Table } from './ui.ts';

/** Everything the panels show. */
export interface ConvoyWork {
  readonly deadLetters: readonly DeadLetterItem[];
  readonly inbox: readonly InboxItem[];
  readonly deferred: readonly DeferredItem[];
  readonly timers: readonly TimerItem[];
}

/** Read the four lists (the inbox's first 100 events). */
export async function readWork(type: string, id: string): Promise<ConvoyWork> {
  const items = <T>(url: string): Promise<readonly T[]> =>
    getJson<ItemList<T>>(url).then((list) => list.items);
  const [deadLetters, inbox, deferred, timers] = await Promise.all([
    items<DeadLetterItem>(api`/convoys/${type}/${id}/dead-letters`),
    items<InboxItem>(`${api`/convoys/${type}/${id}/inbox`}?limit=100`),
    items<DeferredItem>(api`/convoys/${type}/${id}/deferred`),
    items<TimerItem>(api`/convoys/${type}/${id}/timers`),
  ]);
  return { deadLetters, inbox, deferred, timers };
}

function Panel(props: { title: string; testid: string; columns: readonly string[]; rows: VNode[] }): VNode {
  return html`<section class="card" data-testid=${props.testid}>
    <h2>${props.title} <span class="count">${props.rows.length}</span></h2>
    <p class="muted empty" hidden=${props.rows.length > 0}>None</p>
    <${Table} columns=${props.columns}>${props.rows}<//>
  </section>`;
}

/** The dead letters panel; `act` runs an operator action. */
export function DeadLetterPanel(props: {
  letters: readonly DeadLetterItem[];
  act: (method: 'POST' | 'DELETE', path: string, body?: object) => void;
}): VNode {
  const rows = props.letters.map(
    (d) =>
      html`<tr key=${d.seq} data-seq=${d.seq}>
        ${eventCells(d.seq, d.event)}
        <td class="muted">
          ${d.effect ? html`<div class="failure-note">effect <strong>${d.effect.action}</strong> failed</div>` : null}
          ${d.reason.replace(/_/g, ' ')} ${d.error ? html`<div class="error-text">${d.error}</div>` : null}
        </td>
        <td class="muted time">${formatTime(d.at)}</td>
        <td class="row-actions">
          <button
            type="button"
            class="button small"
            data-action="redrive"
            onClick=${() => props.act('POST', '/dead-letters/redrive', { seq: d.seq })}
          >
            Redrive
          </button>
          <button
            type="button"
            class="button small secondary"
            data-action="discard"
            onClick=${() => props.act('DELETE', `/dead-letters/${d.seq}`)}
          >
            Discard
          </button>
        </td>
      </tr>`,
  );
  return html`<${Panel}
    title="Dead letters"
    testid="dead-letters"
    columns=${['Seq', 'Event', 'Reason', 'Time', '']}
    rows=${rows}
  />`;
}

/** The pending inbox panel. */
export function InboxPanel(props: { events: readonly InboxItem[] }): VNode {
  const rows = props.events.map(
    (e) =>
      html`<tr key=${e.seq} data-seq=${e.seq}>
        ${eventCells(e.seq, e.event)}
        <td class="muted">${e.source.kind}</td>
        <td class="muted time">${formatTime(e.acceptedAt)}</td>
      </tr>`,
  );
  return html`<${Panel}
    title="Pending inbox"
    testid="inbox"
    columns=${['Seq', 'Event', 'Source', 'Accepted']}
    rows=${rows}
  />`;
}

/** The deferred events panel. */
export function DeferredPanel(props: { events: readonly DeferredItem[] }): VNode {
  const rows = props.events.map(
    (e) =>
      html`<tr key=${e.seq} data-seq=${e.seq}>
        ${eventCells(e.seq, e.event)}
        <td class="muted time">${formatTime(e.deferredAt)}</td>
      </tr>`,
  );
  return html`<${Panel}
    title="Deferred events"
    testid="deferred-events"
    columns=${['Seq', 'Event', 'Deferred at']}
    rows=${rows}
  />`;
}

/** The armed timers panel. */
export function TimerPanel(props: { timers: readonly TimerItem[] }): VNode {
  const rows = props.timers.map(
    (t) =>
      html`<tr key=${t.token}>
        <td><code>${t.timerId}</code></td>
        <td><span class="event-type">${t.event.type}</span></td>
        <td class="time" title=${t.dueAt}>${formatTime(t.dueAt)}</td>
      </tr>`,
  );
  return html`<${Panel}
    title="Armed timers"
    testid="timers"
    columns=${['Timer', 'Event', 'Due']}
    rows=${rows}
  />`;
}
