/// <reference lib="dom" />
/**
 * "Find a convoy": a type and an id, opening the convoy's page; and the convoys recently opened in
 * this browser (a shortcut; each type's page lists its convoys from the API).
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ConvoyTypeSummary } from '@convoy/core';
import type { VNode } from 'preact';
import { consoleBase } from './api.ts';
import { convoyPath, Link } from './ui.ts';

const recentKey = 'convoy-console.recent';

interface Recent {
  readonly type: string;
  readonly id: string;
}

/** The convoys recently opened here, newest first. */
export function recent(): Recent[] {
  try {
    const list = JSON.parse(localStorage.getItem(recentKey) ?? '[]') as unknown;
    return Array.isArray(list) ? (list as Recent[]) : [];
  } catch {
    return [];
  }
}

/** Remember that this convoy was opened. */
export function remember(type: string, id: string): void {
  const list = [{ type, id }, ...recent().filter((r) => r.type !== type || r.id !== id)].slice(0, 12);
  try {
    localStorage.setItem(recentKey, JSON.stringify(list));
  } catch {
    // Storage may be disabled; the list is a convenience only.
  }
}

/** The lookup form. */
export function LookupForm(props: { types: readonly ConvoyTypeSummary[]; selected?: string }): VNode {
  const [type, setType] = useState(props.selected ?? props.types[0]?.type ?? '');
  const [id, setId] = useState('');
  const submit = (event: Event): void => {
    event.preventDefault();
    const trimmed = id.trim();
    if (trimmed) location.assign(`${consoleBase}${convoyPath(type, trimmed)}`);
  };
  return html`<form class="lookup" onSubmit=${submit}>
    <select
      name="type"
      aria-label="Convoy type"
      value=${type}
      onChange=${(e: Event) => setType((e.currentTarget as HTMLSelectElement).value)}
    >
      ${props.types.map((t) => html`<option value=${t.type}>${t.type}</option>`)}
    </select>
    <input
      name="id"
      placeholder="convoy id, e.g. order-42"
      required
      aria-label="Convoy id"
      autocomplete="off"
      value=${id}
      onInput=${(e: Event) => setId((e.currentTarget as HTMLInputElement).value)}
    />
    <button type="submit">Open convoy</button>
  </form>`;
}

/** The recently opened convoys as chips. */
export function RecentChips(): VNode | null {
  const list = recent();
  if (list.length === 0) return null;
  return html`<div class="recent">
    <span class="muted">Recent:</span>
    ${list.map((r) => html`<${Link} path=${convoyPath(r.type, r.id)} class="chip">${r.type}/${r.id}<//>`)}
  </div>`;
}
