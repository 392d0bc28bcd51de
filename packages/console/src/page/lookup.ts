/// <reference lib="dom" />
/**
 * "Find a convoy": a type and an id, opening the convoy's page; and the convoys recently opened in
 * this browser (a shortcut; each type's page lists its convoys from the API).
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ConvoyTypeSummary } from '@convoy/core';
import type { VNode } from 'preact';
import { api, ApiError, consoleBase, getJson } from './api.ts';
import { failureView } from './use-load.ts';
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

/** The `<select>` value that searches every type. */
const anyTypeValue = '*';

/** Where a convoy id exists: every type holding a convoy under it (one GET per type). */
async function typesHolding(types: readonly ConvoyTypeSummary[], id: string): Promise<string[]> {
  const found = await Promise.all(
    types.map(async (t) => {
      try {
        await getJson(api`/convoys/${t.type}/${id}`);
        return t.type;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    }),
  );
  return found.filter((type): type is string => type !== null);
}

/** The lookup form; with `anyType`, it can search one id across every type. */
export function LookupForm(props: {
  types: readonly ConvoyTypeSummary[];
  selected?: string;
  anyType?: boolean;
}): VNode {
  const [type, setType] = useState(
    props.selected ?? (props.anyType ? anyTypeValue : (props.types[0]?.type ?? '')),
  );
  const [id, setId] = useState('');
  const [matches, setMatches] = useState<{ id: string; types: string[] } | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const submit = (event: Event): void => {
    event.preventDefault();
    const trimmed = id.trim();
    if (!trimmed) return;
    if (type !== anyTypeValue) {
      location.assign(`${consoleBase}${convoyPath(type, trimmed)}`);
      return;
    }
    setProblem(null);
    typesHolding(props.types, trimmed).then((types) => {
      const [only] = types;
      if (types.length === 1 && only !== undefined)
        location.assign(`${consoleBase}${convoyPath(only, trimmed)}`);
      else setMatches({ id: trimmed, types });
    }, setProblem);
  };
  return html`<div class="lookup-box">
    <form class="lookup" onSubmit=${submit}>
      <select
        name="type"
        aria-label="Convoy type"
        value=${type}
        onChange=${(e: Event) => setType((e.currentTarget as HTMLSelectElement).value)}
      >
        ${props.anyType ? html`<option value=${anyTypeValue}>any type</option>` : null}
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
    </form>
    ${problem === null ? null : failureView(problem)}
    ${
      matches === null
        ? null
        : html`<p class="lookup-result" data-testid="lookup-result">
            ${
              matches.types.length === 0
                ? `No convoy "${matches.id}" in any type.`
                : html`"${matches.id}" exists in ${matches.types.length} types:
                  ${matches.types.map(
                    (t) =>
                      html` <${Link} path=${convoyPath(t, matches.id)} class="chip">${t}/${matches.id}<//>`,
                  )}`
            }
          </p>`
    }
  </div>`;
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
