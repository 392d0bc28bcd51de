/**
 * The home page: the fleet at a glance (what is failing across every type), the lookup form (any type),
 * and every registered type with its diagram.
 */
import { html } from 'htm/preact';
import type { ConvoyTypeSummary } from '@convoy/core';
import type { ItemList } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { api, getJson } from './api.ts';
import { Diagram } from './diagram.ts';
import { FleetTable } from './fleet-table.ts';
import { LookupForm, RecentChips } from './lookup.ts';
import { useLoad } from './use-load.ts';
import { Card, Link } from './ui.ts';

/** `/`: the fleet and the types. */
export function HomeView(): VNode {
  const types = useLoad(() => getJson<ItemList<ConvoyTypeSummary>>(api`/convoy-types`), []);
  if (types.state !== 'ready') return types.view;
  const items = types.value.items;
  return html`
    <div class="page-head">
      <h1>Fleet</h1>
      <p class="muted">${items.length} convoy types registered</p>
    </div>
    <${FleetTable} />
    <${Card} title="Find a convoy"><${LookupForm} types=${items} anyType=${true} /><${RecentChips} /><//>
    <div class="type-grid">
      ${items.map(
        (t) =>
          html`<section class="card type-card" data-type=${t.type}>
            <h2>
              <${Link} path=${`/types/${encodeURIComponent(t.type)}`}>${t.type}<//>
              <span class="version">v${t.version}</span>
            </h2>
            ${t.description ? html`<p class="muted">${t.description}</p>` : null}
            <${Diagram} type=${t.type} zoomable=${true} />
            <div class="chips">${t.events.map((e) => html`<span class="chip">${e}</span>`)}</div>
          </section>`,
      )}
    </div>
  `;
}
