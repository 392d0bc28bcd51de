/// <reference lib="dom" />
/**
 * The convoys of a type, from `GET /convoys/:type` (the status index, newest update first): filters by
 * status, state and update time, then pages followed with Next.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConvoyView } from '@convoy/core';
import { convoyStatuses } from '@convoy/core/wire';
import type { ItemPage } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { api, getJson } from './api.ts';
import { formatTime, formatValue } from './format.ts';
import { failureView } from './use-load.ts';
import { Card, convoyPath, Link, Table } from './ui.ts';

interface Filters {
  readonly status: string;
  readonly state: string;
  readonly after: string;
}

function query(filters: Filters, cursor: string | null): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.state.trim()) params.set('state', filters.state.trim());
  if (filters.after) params.set('updatedAfter', new Date(filters.after).toISOString());
  if (cursor !== null) params.set('cursor', cursor);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The list card. */
export function ConvoyList(props: { type: string; status?: string }): VNode {
  const { type } = props;
  const [filters, setFilters] = useState<Filters>({ status: props.status ?? '', state: '', after: '' });
  const [draft, setDraft] = useState<Filters>(filters);
  const [rows, setRows] = useState<ConvoyView[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const generation = useRef(0);

  const load = async (applied: Filters, after: string | null): Promise<void> => {
    const mine = ++generation.current;
    try {
      const page = await getJson<ItemPage<ConvoyView>>(`${api`/convoys/${type}`}${query(applied, after)}`);
      if (mine !== generation.current) return;
      setProblem(null);
      setRows((before) => (after === null ? [...page.items] : [...(before ?? []), ...page.items]));
      setCursor(page.cursor);
    } catch (error) {
      if (mine === generation.current) setProblem(error);
    }
  };
  useEffect(() => {
    void load(filters, null);
  }, [type, filters]);

  const submit = (event: Event): void => {
    event.preventDefault();
    setFilters(draft);
  };
  const field =
    (name: keyof Filters) =>
    (event: Event): void => {
      const value = (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;
      const next = { ...draft, [name]: value };
      setDraft(next);
      // A status is one click: apply it at once.
      if (name === 'status') setFilters(next);
    };

  const list = rows ?? [];
  return html`<${Card} title="Convoys">
    <form class="lookup filters" onSubmit=${submit}>
      <select
        name="status"
        aria-label="Status"
        data-testid="filter-status"
        value=${draft.status}
        onChange=${field('status')}
      >
        <option value="">any status</option>
        ${convoyStatuses.map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      <input
        name="state"
        placeholder="state, e.g. Shipping.Packing"
        aria-label="State"
        autocomplete="off"
        data-testid="filter-state"
        value=${draft.state}
        onInput=${field('state')}
      />
      <input
        name="updatedAfter"
        type="datetime-local"
        step="1"
        aria-label="Updated after"
        data-testid="filter-after"
        value=${draft.after}
        onInput=${field('after')}
      />
      <button type="submit">Filter</button>
    </form>
    ${problem === null ? null : failureView(problem)}
    <p class="muted empty" data-testid="convoy-list-note" hidden=${list.length > 0}>
      ${rows === null ? 'Loading…' : 'No convoy matches.'}
    </p>
    <${Table}
      class="timeline convoy-list"
      testid="convoy-list"
      columns=${['Convoy', 'Status', 'State', 'Seq', 'Updated']}
    >
      ${list.map(
        (c) =>
          html`<tr key=${c.id} data-id=${c.id}>
            <td><${Link} path=${convoyPath(type, c.id)}>${c.id}<//></td>
            <td><span class=${`badge status-${c.status}`}>${c.status}</span></td>
            <td>${formatValue(c.value)}</td>
            <td class="seq">${c.seq} / ${c.accepted}</td>
            <td class="muted time" title=${c.updatedAt}>${formatTime(c.updatedAt)}</td>
          </tr>`,
      )}
    <//>
    <button
      type="button"
      class="button"
      hidden=${cursor === null}
      data-testid="next"
      onClick=${() => void load(filters, cursor)}
    >
      Next
    </button>
  <//>`;
}
