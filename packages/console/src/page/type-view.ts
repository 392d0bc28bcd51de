/**
 * A type's page: its description, the lookup form, its convoys (from the status index), its diagram,
 * events, states and Mermaid source.
 */
import { html } from 'htm/preact';
import type { ConvoyTypeDescription, ConvoyTypeSummary } from '@convoy/core';
import type { ItemList } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { api, getJson } from './api.ts';
import { ConvoyList } from './convoy-list.ts';
import { Diagram } from './diagram.ts';
import { LookupForm } from './lookup.ts';
import { useLoad } from './use-load.ts';
import { Card, Link } from './ui.ts';

/** `/types/:type`. */
export function TypeView(props: { type: string; status?: string }): VNode {
  const { type } = props;
  document.title = `${type} · Convoy console`;
  const loaded = useLoad(
    () =>
      Promise.all([
        getJson<ConvoyTypeDescription>(api`/convoy-types/${type}`),
        getJson<ItemList<ConvoyTypeSummary>>(api`/convoy-types`),
      ]),
    [type],
  );
  if (loaded.state !== 'ready') return loaded.view;
  const [description, types] = loaded.value;
  return html`
    <nav class="crumbs"><${Link} path="">Fleet<//> / ${type}</nav>
    <div class="page-head">
      <h1>${type}<span class="version">v${description.version}</span></h1>
      ${description.description ? html`<p class="muted">${description.description}</p>` : null}
    </div>
    <${Card} title="Find a convoy"><${LookupForm} types=${types.items} selected=${type} /><//>
    <${ConvoyList} type=${type} status=${props.status} />
    <p><${Link} path=${`/dead-letters/${encodeURIComponent(type)}`}>Dead letters of ${type}<//></p>
    <${Card} title="Diagram"><${Diagram} type=${type} zoomable=${true} /><//>
    <div class="columns">
      <${Card} title="Events">
        <div class="chips">${description.events.map((e) => html`<span class="chip">${e}</span>`)}</div>
      <//>
      <${Card} title="States">
        <ul class="states">
          ${description.states.map((s) => html`<li><code>${s}</code></li>`)}
        </ul>
      <//>
    </div>
    <${Card} title="Mermaid">
      <details>
        <summary>stateDiagram-v2 source</summary>
        <pre class="code">${description.mermaid}</pre>
      </details>
    <//>
  `;
}
