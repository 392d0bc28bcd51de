/// <reference lib="dom" />
/**
 * Small pieces every view uses: links inside the console, cards, error boxes, event cells.
 */
import { html } from 'htm/preact';
import type { ComponentChildren, VNode } from 'preact';
import { consoleBase } from './api.ts';
import { payloadOf } from './format.ts';

/** A console path: /convoys/:type/:id with both segments encoded. */
export const convoyPath = (type: string, id: string): string =>
  `/convoys/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;

/** A link to a console page. */
export function Link(props: { path: string; class?: string; children: ComponentChildren }): VNode {
  return html`<a href=${`${consoleBase}${props.path}`} class=${props.class}>${props.children}</a>`;
}

/** A titled card. */
export function Card(props: {
  title?: ComponentChildren;
  testid?: string;
  children: ComponentChildren;
}): VNode {
  return html`<section class="card" data-testid=${props.testid}>
    ${props.title === undefined ? null : html`<h2>${props.title}</h2>`} ${props.children}
  </section>`;
}

/** Anything with a code and a message, as an alert. */
export function ErrorBox(props: { error: { code?: string; message: string } }): VNode {
  return html`<div class="error" role="alert">
    <strong>${props.error.code ?? 'error'}</strong> ${props.error.message}
  </div>`;
}

/** The seq and event cells of a table row. */
export function eventCells(seq: number, event: { readonly type: string }): VNode[] {
  const payload = payloadOf(event);
  return [
    html`<td class="seq">#${seq}</td>`,
    html`<td>
      <span class="event-type">${event.type}</span>
      ${payload === null ? null : html`<code class="payload">${payload}</code>`}
    </td>`,
  ];
}

/** A table with a header row, hidden when empty (the caller shows its own "none"). */
export function Table(props: {
  columns: readonly string[];
  class?: string;
  testid?: string;
  children: VNode[];
}): VNode {
  return html`<table
    class=${props.class ?? 'timeline'}
    data-testid=${props.testid}
    hidden=${props.children.length === 0}
  >
    <thead>
      <tr>
        ${props.columns.map((column) => html`<th>${column}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${props.children}
    </tbody>
  </table>`;
}
