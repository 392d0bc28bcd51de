/**
 * The home page: every registered type with its diagram, and the lookup form.
 */
import { html } from 'htm/preact';
import type { ConvoyTypeSummary } from '@convoy/core';
import type { ItemList } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { api, consoleBase, getJson } from './api.ts';
import { Diagram } from './diagram.ts';
import { LookupForm, RecentChips } from './lookup.ts';
import { useLoad } from './use-load.ts';
import { Card } from './ui.ts';

/** `/`: the types. */
export function HomeView(): VNode {
  const types = useLoad(() => getJson<ItemList<ConvoyTypeSummary>>(api`/convoy-types`), []);
  if (types.state !== 'ready') return types.view;
  const items = types.value.items;
  return html`
    <div class="page-head">
      <h1>Convoy types</h1>
      <p class="muted">${items.length} registered</p>
    </div>
    <${Card} title="Find a convoy"><${LookupForm} types=${items} /><${RecentChips} /><//>
    <div class="type-grid">
      ${items.map(
        (t) =>
          html`<a class="card type-card" href=${`${consoleBase}/types/${encodeURIComponent(t.type)}`}>
            <h2>${t.type}<span class="version">v${t.version}</span></h2>
            ${t.description ? html`<p class="muted">${t.description}</p>` : null}
            <${Diagram} type=${t.type} />
            <div class="chips">${t.events.map((e) => html`<span class="chip">${e}</span>`)}</div>
          </a>`,
      )}
    </div>
  `;
}
