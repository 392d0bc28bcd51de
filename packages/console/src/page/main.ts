/// <reference lib="dom" />
/**
 * The console page's entry: render the view for the path (home, a type, a convoy) into `#main`.
 * Bundled with preact and htm at build time into `assets/console.js`; it talks only to the Convoy
 * HTTP API (see api.ts).
 */
import { html, render } from 'htm/preact';
import type { VNode } from 'preact';
import { consoleBase } from './api.ts';
import { ConvoyView } from './convoy-view.ts';
import { DeadLetterListView } from './dead-letter-list.ts';
import { HomeView } from './home-view.ts';
import { TypeView } from './type-view.ts';
import { ErrorBox, Link } from './ui.ts';

function route(pathname: string): VNode {
  const path = pathname.startsWith(consoleBase) ? pathname.slice(consoleBase.length) : pathname;
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = ['?'];
  }
  const [view, first, second] = parts;
  if (parts.length === 0) {
    document.title = 'Convoy console';
    return html`<${HomeView} />`;
  }
  if (view === 'types' && parts.length === 2 && first !== undefined) {
    const status = new URLSearchParams(location.search).get('status') ?? undefined;
    return html`<${TypeView} type=${first} status=${status} />`;
  }
  if (view === 'dead-letters' && parts.length === 2 && first !== undefined)
    return html`<${DeadLetterListView} type=${first} />`;
  if (view === 'convoys' && parts.length === 3 && first !== undefined && second !== undefined) {
    return html`<${ConvoyView} type=${first} id=${second} />`;
  }
  return html`<${ErrorBox} error=${{ code: 'route_not_found', message: `Nothing at ${path}` }} />
    <p><${Link} path="">Back to the fleet<//></p>`;
}

const main = document.getElementById('main');
if (main !== null) {
  main.replaceChildren();
  render(route(location.pathname), main);
}
