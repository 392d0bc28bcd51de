// Convoy console: one plain script, no framework, no request outside this server.
// Views: home (types + lookup), a type (its diagram), a convoy (diagram with active states, context,
// timeline), the convoy view kept live over Server-Sent Events.
'use strict';

(() => {
  const base = document.querySelector('meta[name="convoy-console-base"]').getAttribute('content');
  const main = document.getElementById('main');
  const api = (path) => `${base}/api${path}`;
  const enc = encodeURIComponent;
  const outcomes = ['applied', 'deferred', 'rejected', 'deadLettered', 'ignored', 'operator'];
  const statuses = ['active', 'done', 'blocked', 'stalled', 'paused'];

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

  /** POST (or DELETE) an operator action; the answer's error body becomes an ApiError. */
  async function sendAction(method, path, body) {
    const response = await fetch(api(path), {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, answer);
    return answer;
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

  // Recently opened convoys, kept in this browser only (a shortcut; each type's page lists its convoys).
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
      convoyList(type),
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

  /** The convoys of a type from the status index: filters, then pages followed with Next. */
  function convoyList(type) {
    const status = h(
      'select',
      { name: 'status', 'aria-label': 'Status', 'data-testid': 'filter-status' },
      h('option', { value: '' }, 'any status'),
      statuses.map((s) => h('option', { value: s }, s)),
    );
    const state = h('input', {
      name: 'state',
      placeholder: 'state, e.g. Shipping.Packing',
      'aria-label': 'State',
      autocomplete: 'off',
      'data-testid': 'filter-state',
    });
    const after = h('input', {
      name: 'updatedAfter',
      type: 'datetime-local',
      step: 1,
      'aria-label': 'Updated after',
      'data-testid': 'filter-after',
    });
    const rows = h('tbody', {});
    const table = h(
      'table',
      { class: 'timeline convoy-list', 'data-testid': 'convoy-list' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Convoy', 'Status', 'State', 'Seq', 'Updated'].map((c) => h('th', {}, c)),
        ),
      ),
      rows,
    );
    const note = h('p', { class: 'muted empty', 'data-testid': 'convoy-list-note' }, 'Loading…');
    const next = h(
      'button',
      { type: 'button', class: 'button', hidden: true, 'data-testid': 'next' },
      'Next',
    );
    const problem = h('div', { hidden: true });
    let cursor = null;
    let generation = 0;

    const load = async (more) => {
      const mine = ++generation;
      const params = new URLSearchParams();
      if (status.value) params.set('status', status.value);
      if (state.value.trim()) params.set('state', state.value.trim());
      if (after.value) params.set('updatedAfter', new Date(after.value).toISOString());
      if (more && cursor) params.set('cursor', cursor);
      try {
        const page = await getJson(`/types/${enc(type)}/convoys?${params}`);
        if (mine !== generation) return;
        problem.hidden = true;
        const items = page.items.map((c) =>
          h(
            'tr',
            { 'data-id': c.id },
            h('td', {}, link(convoyPath(type, c.id), c.id)),
            h('td', {}, h('span', { class: `badge status-${c.status}` }, c.status)),
            h('td', {}, formatValue(c.value)),
            h('td', { class: 'seq' }, `${c.seq} / ${c.accepted}`),
            h('td', { class: 'muted time', title: c.updatedAt }, formatTime(Date.parse(c.updatedAt))),
          ),
        );
        if (more) rows.append(...items);
        else rows.replaceChildren(...items);
        cursor = page.cursor;
        next.hidden = cursor === null;
        note.hidden = rows.children.length > 0;
        note.textContent = 'No convoy matches.';
        table.hidden = rows.children.length === 0;
      } catch (error) {
        if (mine !== generation) return;
        problem.replaceChildren(errorBox(error));
        problem.hidden = false;
      }
    };
    const form = h(
      'form',
      {
        class: 'lookup filters',
        onsubmit: (event) => {
          event.preventDefault();
          void load(false);
        },
      },
      status,
      state,
      after,
      h('button', { type: 'submit' }, 'Filter'),
    );
    status.addEventListener('change', () => void load(false));
    next.addEventListener('click', () => void load(true));
    void load(false);
    return card('Convoys', form, problem, note, table, next);
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
        entry.operator
          ? h(
              'span',
              { class: 'operator-note', 'data-action': entry.operator.action },
              entry.operator.action,
              entry.operator.newSeq === undefined ? '' : ` → #${entry.operator.newSeq}`,
              entry.operator.by ? ` by ${entry.operator.by}` : '',
            )
          : null,
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
    const actionError = h('div', { hidden: true, 'data-testid': 'action-error' });
    const button = (label, action) =>
      h('button', { type: 'button', class: 'button', 'data-action': action, hidden: true }, label);
    const buttons = {
      pause: button('Pause', 'pause'),
      resume: button('Resume', 'resume'),
      retry: button('Retry', 'retry'),
    };
    // Which actions the gateway allows from which status (others would answer 409 operation_not_allowed).
    const allowed = { pause: ['active', 'stalled'], resume: ['paused'], retry: ['blocked', 'stalled'] };
    const panel = (title, testid, columns) => {
      const body = h('tbody', {});
      const none = h('p', { class: 'muted empty' }, 'None');
      const count = h('span', { class: 'count' }, '0');
      const table = h(
        'table',
        { class: 'timeline', hidden: true },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map((c) => h('th', {}, c)),
          ),
        ),
        body,
      );
      const section = h(
        'section',
        { class: 'card', 'data-testid': testid },
        h('h2', {}, title, ' ', count),
        none,
        table,
      );
      const fill = (rowsOf) => {
        body.replaceChildren(...rowsOf);
        count.textContent = String(rowsOf.length);
        none.hidden = rowsOf.length > 0;
        table.hidden = rowsOf.length === 0;
      };
      return [section, fill];
    };
    const eventCells = (seq, event) => {
      const payload = Object.fromEntries(Object.entries(event).filter(([k]) => k !== 'type'));
      return [
        h('td', { class: 'seq' }, `#${seq}`),
        h(
          'td',
          {},
          h('span', { class: 'event-type' }, event.type),
          Object.keys(payload).length > 0 ? h('code', { class: 'payload' }, JSON.stringify(payload)) : null,
        ),
      ];
    };
    const [deadSection, fillDead] = panel('Dead letters', 'dead-letters', [
      'Seq',
      'Event',
      'Reason',
      'Time',
      '',
    ]);
    const [inboxSection, fillInbox] = panel('Pending inbox', 'inbox', ['Seq', 'Event', 'Source', 'Accepted']);
    const [deferredSection, fillDeferred] = panel('Deferred events', 'deferred-events', [
      'Seq',
      'Event',
      'Deferred at',
    ]);
    const [timerSection, fillTimers] = panel('Armed timers', 'timers', ['Timer', 'Event', 'Due']);

    main.replaceChildren(
      h('nav', { class: 'crumbs' }, link('', 'Types'), ' / ', link(`/types/${enc(type)}`, type), ' / ', id),
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, id),
        status,
        h('span', { class: 'actions' }, buttons.pause, buttons.resume, buttons.retry),
        live,
      ),
      blocked,
      actionError,
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
      h('div', { class: 'columns work-columns' }, deadSection, inboxSection),
      h('div', { class: 'columns work-columns' }, deferredSection, timerSection),
    );

    const convoyApi = `/convoys/${enc(type)}/${enc(id)}`;
    let current = initial ? initial.convoy : null;
    let workGeneration = 0;
    const showButtons = () => {
      for (const [action, el] of Object.entries(buttons))
        el.hidden = current === null || !allowed[action].includes(current.status);
    };
    // Dead letters, inbox, deferred events and timers are read on every change and every second (an
    // accepted event does not change the processed state the live stream follows).
    const refreshWork = async () => {
      const mine = ++workGeneration;
      const work = await getJson(`${convoyApi}/work`).catch(() => null);
      if (work === null || mine !== workGeneration) return;
      fillDead(
        work.deadLetters.map((d) =>
          h(
            'tr',
            { 'data-seq': d.seq },
            eventCells(d.seq, d.event),
            h(
              'td',
              { class: 'muted' },
              d.reason.replace(/_/g, ' '),
              d.error ? h('div', { class: 'error-text' }, d.error) : null,
            ),
            h('td', { class: 'muted time' }, formatTime(d.at)),
            h(
              'td',
              { class: 'row-actions' },
              h(
                'button',
                {
                  type: 'button',
                  class: 'button small',
                  'data-action': 'redrive',
                  onclick: () => act('POST', '/dead-letters/redrive', { seq: d.seq }),
                },
                'Redrive',
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'button small secondary',
                  'data-action': 'discard',
                  onclick: () => act('DELETE', `/dead-letters/${d.seq}`),
                },
                'Discard',
              ),
            ),
          ),
        ),
      );
      fillInbox(
        work.inbox.map((e) =>
          h(
            'tr',
            { 'data-seq': e.seq },
            eventCells(e.seq, e.event),
            h('td', { class: 'muted' }, e.source.kind),
            h('td', { class: 'muted time' }, formatTime(e.acceptedAt)),
          ),
        ),
      );
      fillDeferred(
        work.deferred.map((e) =>
          h(
            'tr',
            { 'data-seq': e.seq },
            eventCells(e.seq, e.event),
            h('td', { class: 'muted time' }, formatTime(e.deferredAt)),
          ),
        ),
      );
      fillTimers(
        work.timers.map((t) =>
          h(
            'tr',
            {},
            h('td', {}, h('code', {}, t.timerId)),
            h('td', {}, h('span', { class: 'event-type' }, t.event.type)),
            h('td', { class: 'time', title: new Date(t.dueAt).toISOString() }, formatTime(t.dueAt)),
          ),
        ),
      );
    };
    // An action answers with the new view; the full state is re-read so the timeline gets its entry.
    const act = async (method, path, body) => {
      actionError.hidden = true;
      try {
        await sendAction(method, `${convoyApi}${path}`, body);
        render(await getJson(convoyApi), true);
      } catch (error) {
        actionError.replaceChildren(errorBox(error));
        actionError.hidden = false;
        void refreshWork();
      }
    };
    for (const [action, el] of Object.entries(buttons))
      el.addEventListener('click', () => act('POST', `/${action}`, {}));

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
      current = convoy;
      showButtons();
      void refreshWork();
    };
    setInterval(() => {
      if (current !== null && !document.hidden) void refreshWork();
    }, 1000);

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
