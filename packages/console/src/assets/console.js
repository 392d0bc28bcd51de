// Convoy console: one plain script, no framework, no request outside this server.
// Views: home (types + lookup), a type (its diagram), a convoy (diagram with active states, context,
// timeline), the convoy view kept live over Server-Sent Events.
'use strict';

(() => {
  const base = document.querySelector('meta[name="convoy-console-base"]').getAttribute('content');
  const main = document.getElementById('main');
  const api = (path) => `${base}/api${path}`;
  const enc = encodeURIComponent;
  const outcomes = ['applied', 'deferred', 'rejected', 'deadLettered', 'ignored'];

  /** Create an element: h('a', { href, class }, child...). Text children are never parsed as HTML. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.code;
    }
  }

  async function getJson(path) {
    const response = await fetch(api(path), { headers: { accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  /** Parse the server's SVG into this document (never via innerHTML of untrusted text). */
  async function loadDiagram(type) {
    const response = await fetch(api(`/types/${enc(type)}/diagram.svg`));
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    const doc = new DOMParser().parseFromString(await response.text(), 'image/svg+xml');
    const svg = document.importNode(doc.documentElement, true);
    // Never drawn larger than Graphviz laid it out (pt → px), shrunk to fit narrower screens. CSSOM writes
    // are allowed by the page's CSP, unlike style attributes.
    const widthPt = Number.parseFloat(svg.getAttribute('width') || '');
    if (Number.isFinite(widthPt)) svg.style.maxWidth = `${Math.round((widthPt * 4) / 3)}px`;
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.setAttribute('class', 'diagram-svg');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `State diagram of ${type}`);
    return svg;
  }

  const link = (path, text, cls) => h('a', { href: `${base}${path}`, class: cls }, text);
  const convoyPath = (type, id) => `/convoys/${enc(type)}/${enc(id)}`;
  const card = (title, ...body) =>
    h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
  const errorBox = (error) =>
    h('div', { class: 'error', role: 'alert' }, h('strong', {}, error.code || 'error'), ' ', error.message);

  function formatValue(value) {
    if (value === null || value === undefined) return '—';
    if (typeof value === 'string') return value;
    const leaves = [];
    const walk = (v, prefix) => {
      if (typeof v === 'string') return void leaves.push([...prefix, v].join('.'));
      const keys = Object.keys(v || {});
      if (keys.length === 0) return void leaves.push(prefix.join('.'));
      for (const key of keys) walk(v[key], [...prefix, key]);
    };
    walk(value, []);
    return leaves.join(' ∥ ');
  }

  const formatTime = (ms) => {
    const d = new Date(ms);
    return Number.isNaN(d.getTime())
      ? '—'
      : d.toLocaleTimeString([], { hour12: false }) + `.${String(d.getMilliseconds()).padStart(3, '0')}`;
  };

  // Recently opened convoys, kept in this browser only (the gateway has no listing yet).
  const recentKey = 'convoy-console.recent';
  const recent = () => {
    try {
      return JSON.parse(localStorage.getItem(recentKey) || '[]');
    } catch {
      return [];
    }
  };
  const remember = (type, id) => {
    const list = [{ type, id }, ...recent().filter((r) => r.type !== type || r.id !== id)].slice(0, 12);
    try {
      localStorage.setItem(recentKey, JSON.stringify(list));
    } catch {
      // Storage may be disabled; the list is a convenience only.
    }
  };

  function lookupForm(types, selected) {
    const select = h(
      'select',
      { name: 'type', 'aria-label': 'Convoy type' },
      types.map((t) => h('option', { value: t.type, selected: t.type === selected }, t.type)),
    );
    const input = h('input', {
      name: 'id',
      placeholder: 'convoy id, e.g. order-42',
      required: true,
      'aria-label': 'Convoy id',
      autocomplete: 'off',
    });
    return h(
      'form',
      {
        class: 'lookup',
        onsubmit: (event) => {
          event.preventDefault();
          const id = input.value.trim();
          if (id) location.assign(`${base}${convoyPath(select.value, id)}`);
        },
      },
      select,
      input,
      h('button', { type: 'submit' }, 'Open convoy'),
    );
  }

  async function homeView() {
    document.title = 'Convoy console';
    const types = await getJson('/types');
    const recents = recent();
    main.replaceChildren(
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, 'Convoy types'),
        h('p', { class: 'muted' }, `${types.length} registered`),
      ),
      card(
        'Find a convoy',
        lookupForm(types),
        recents.length === 0
          ? null
          : h(
              'div',
              { class: 'recent' },
              h('span', { class: 'muted' }, 'Recent:'),
              recents.map((r) => link(convoyPath(r.type, r.id), `${r.type}/${r.id}`, 'chip')),
            ),
      ),
      h(
        'div',
        { class: 'type-grid' },
        types.map((t) =>
          h(
            'a',
            { class: 'card type-card', href: `${base}/types/${enc(t.type)}` },
            h('h2', {}, t.type, h('span', { class: 'version' }, `v${t.version}`)),
            t.description ? h('p', { class: 'muted' }, t.description) : null,
            h('img', {
              class: 'diagram-img',
              src: api(`/types/${enc(t.type)}/diagram.svg`),
              alt: `State diagram of ${t.type}`,
            }),
            h(
              'div',
              { class: 'chips' },
              t.events.map((e) => h('span', { class: 'chip' }, e)),
            ),
          ),
        ),
      ),
    );
  }

  async function typeView(type) {
    document.title = `${type} · Convoy console`;
    const [description, types, svg] = await Promise.all([
      getJson(`/types/${enc(type)}`),
      getJson('/types'),
      loadDiagram(type),
    ]);
    main.replaceChildren(
      h('nav', { class: 'crumbs' }, link('', 'Types'), ' / ', type),
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, type, h('span', { class: 'version' }, `v${description.version}`)),
        description.description ? h('p', { class: 'muted' }, description.description) : null,
      ),
      card('Find a convoy', lookupForm(types, type)),
      card('Diagram', h('div', { class: 'diagram' }, svg)),
      h(
        'div',
        { class: 'columns' },
        card(
          'Events',
          h(
            'div',
            { class: 'chips' },
            description.events.map((e) => h('span', { class: 'chip' }, e)),
          ),
        ),
        card(
          'States',
          h(
            'ul',
            { class: 'states' },
            description.states.map((s) => h('li', {}, h('code', {}, s))),
          ),
        ),
      ),
      card(
        'Mermaid',
        h(
          'details',
          {},
          h('summary', {}, 'stateDiagram-v2 source'),
          h('pre', { class: 'code' }, description.mermaid),
        ),
      ),
    );
  }

  function timelineRow(entry, fresh) {
    const payload = Object.fromEntries(Object.entries(entry.event).filter(([k]) => k !== 'type'));
    const hasPayload = Object.keys(payload).length > 0;
    const outcome = outcomes.includes(entry.outcome) ? entry.outcome : 'ignored';
    return h(
      'tr',
      {
        class: `timeline-row outcome-${outcome}${fresh ? ' fresh' : ''}`,
        'data-outcome': outcome,
        'data-seq': entry.seq,
      },
      h('td', { class: 'seq' }, `#${entry.seq}`),
      h(
        'td',
        {},
        h('span', { class: 'event-type' }, entry.event.type),
        hasPayload ? h('code', { class: 'payload' }, JSON.stringify(payload)) : null,
      ),
      h('td', {}, h('span', { class: `badge badge-${outcome}` }, outcome)),
      h(
        'td',
        { class: 'transition' },
        // An event that was not applied left the convoy where it was.
        outcome === 'applied'
          ? [formatValue(entry.from), h('span', { class: 'arrow' }, ' → '), formatValue(entry.to)]
          : [h('span', { class: 'arrow' }, 'stayed in '), formatValue(entry.from)],
      ),
      h(
        'td',
        { class: 'muted' },
        entry.reason ? entry.reason.replace(/_/g, ' ') : '',
        entry.error ? h('div', { class: 'error-text' }, entry.error) : null,
      ),
      h('td', { class: 'muted time' }, formatTime(entry.at)),
    );
  }

  async function convoyView(type, id) {
    document.title = `${type}/${id} · Convoy console`;
    remember(type, id);
    const [svg, initial] = await Promise.all([
      loadDiagram(type),
      getJson(`/convoys/${enc(type)}/${enc(id)}`).catch((error) => {
        if (error.code === 'convoy_not_found') return null;
        throw error;
      }),
    ]);

    const live = h('span', { class: 'live', 'data-state': 'connecting' }, 'connecting');
    const status = h('span', { class: 'badge', 'data-testid': 'status' }, 'not seen yet');
    const stat = (label, testid) => {
      const value = h('dd', { 'data-testid': testid }, '—');
      return [h('div', { class: 'stat' }, h('dt', {}, label), value), value];
    };
    const [stateStat, stateValue] = stat('State', 'state');
    const [seqStat, seqValue] = stat('Processed / accepted', 'seq');
    const [deferredStat, deferredValue] = stat('Deferred', 'deferred');
    const [versionStat, versionValue] = stat('Version', 'version');
    const [updatedStat, updatedValue] = stat('Updated', 'updated');
    const context = h('pre', { class: 'code context', 'data-testid': 'context', hidden: true }, '');
    const rows = h('tbody', {});
    const empty = h('p', { class: 'muted empty' }, 'Waiting for this convoy’s first event…');
    const blocked = h('div', { class: 'error', hidden: true });
    const timeline = [];

    main.replaceChildren(
      h('nav', { class: 'crumbs' }, link('', 'Types'), ' / ', link(`/types/${enc(type)}`, type), ' / ', id),
      h('div', { class: 'page-head' }, h('h1', {}, id), status, live),
      blocked,
      h('dl', { class: 'stats' }, stateStat, seqStat, deferredStat, versionStat, updatedStat),
      card('Diagram', h('div', { class: 'diagram' }, svg)),
      h(
        'div',
        { class: 'columns convoy-columns' },
        card(
          'Timeline',
          empty,
          h(
            'table',
            { class: 'timeline', hidden: true },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Seq', 'Event', 'Outcome', 'Transition', 'Reason', 'Time'].map((c) => h('th', {}, c)),
              ),
            ),
            rows,
          ),
        ),
        card('Context', context),
      ),
    );

    const render = (state, fromStream) => {
      const { convoy, active, history } = state;
      const activeSet = new Set(active);
      for (const el of svg.querySelectorAll('g.node, g.cluster'))
        el.classList.toggle('active', activeSet.has(el.id));
      status.textContent = convoy.status;
      status.className = `badge status-${convoy.status}`;
      // One line per active leaf (parallel regions), not one long ∥-joined string.
      stateValue.textContent = formatValue(convoy.value).split(' ∥ ').join('\n');
      seqValue.textContent = `${convoy.seq} / ${convoy.accepted}`;
      deferredValue.textContent = String(convoy.deferred);
      deferredValue.classList.toggle('warn', convoy.deferred > 0);
      versionValue.textContent = `v${convoy.version}`;
      updatedValue.textContent = formatTime(Date.parse(convoy.updatedAt));
      updatedValue.title = convoy.updatedAt;
      context.textContent = JSON.stringify(convoy.context, null, 2);
      blocked.hidden = !convoy.blockedReason;
      blocked.textContent = convoy.blockedReason ? `Blocked: ${convoy.blockedReason}` : '';
      const known = timeline.length;
      timeline.length = Math.min(history.from, timeline.length);
      timeline.push(...history.entries);
      // Newest first; rows the stream just added flash once.
      rows.replaceChildren(
        ...timeline.map((entry, i) => timelineRow(entry, fromStream && i >= known)).reverse(),
      );
      empty.hidden = timeline.length > 0;
      rows.parentElement.hidden = timeline.length === 0;
      context.hidden = false;
      document.body.dataset.seq = String(convoy.seq);
    };

    if (initial) render(initial, false);
    const query = initial ? `?lastEventId=${initial.convoy.seq}` : '';
    const source = new EventSource(api(`/convoys/${enc(type)}/${enc(id)}/events${query}`));
    source.addEventListener('open', () => {
      live.dataset.state = 'live';
      live.textContent = 'live';
    });
    source.addEventListener('error', () => {
      live.dataset.state = 'reconnecting';
      live.textContent = 'reconnecting';
    });
    source.addEventListener('convoy', (event) => render(JSON.parse(event.data), true));
  }

  async function route() {
    const path = location.pathname.startsWith(base)
      ? location.pathname.slice(base.length)
      : location.pathname;
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (parts.length === 0) return await homeView();
      if (parts[0] === 'types' && parts.length === 2) return await typeView(parts[1]);
      if (parts[0] === 'convoys' && parts.length === 3) return await convoyView(parts[1], parts[2]);
      main.replaceChildren(
        errorBox({ code: 'route_not_found', message: `Nothing at ${path}` }),
        link('', 'Back to the types'),
      );
    } catch (error) {
      main.replaceChildren(errorBox(error), h('p', {}, link('', 'Back to the types')));
    }
  }

  void route();
})();
