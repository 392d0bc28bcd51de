/// <reference lib="dom" />
/**
 * A convoy's page, live: its diagram with the active states highlighted, status and actions, context,
 * timeline and work panels. Reads `GET /convoys/:type/:id` and its history, then follows
 * `GET /convoys/:type/:id/stream`; a convoy not seen yet is polled for until its first event.
 */
import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ConvoyTypeDescription, ConvoyView } from '@convoy/core';
import { statusTransitions } from '@convoy/core/wire';
import type { HistoryItem, ItemList, StatusAction } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { activeStateIds } from './active-states.ts';
import { api, ApiError, getJson, send } from './api.ts';
import { Diagram } from './diagram.ts';
import { formatTime, formatValue } from './format.ts';
import { remember } from './lookup.ts';
import { followStream } from './stream.ts';
import { failureView, useLoad } from './use-load.ts';
import { Card, Link } from './ui.ts';
import { Timeline } from './timeline.ts';
import { DeadLetterPanel, DeferredPanel, InboxPanel, readWork, TimerPanel } from './work-panels.ts';
import type { ConvoyWork } from './work-panels.ts';

const statusActions = Object.keys(statusTransitions) as StatusAction[];

/** The convoy's view, or null when it has never received an event. */
async function readView(type: string, id: string): Promise<ConvoyView | null> {
  try {
    return await getJson<ConvoyView>(api`/convoys/${type}/${id}`);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'convoy_not_found') return null;
    throw error;
  }
}

/** `/convoys/:type/:id`. */
export function ConvoyView(props: { type: string; id: string }): VNode {
  const { type, id } = props;
  document.title = `${type}/${id} · Convoy console`;
  const loaded = useLoad(() => getJson<ConvoyTypeDescription>(api`/convoy-types/${type}`), [type]);
  useEffect(() => remember(type, id), [type, id]);
  if (loaded.state !== 'ready') return loaded.view;
  return html`<${LiveConvoy} type=${type} id=${id} description=${loaded.value} />`;
}

function LiveConvoy(props: { type: string; id: string; description: ConvoyTypeDescription }): VNode {
  const { type, id, description } = props;
  const [view, setView] = useState<ConvoyView | null>(null);
  const [history, setHistory] = useState<readonly HistoryItem[]>([]);
  const [freshFrom, setFreshFrom] = useState(Number.POSITIVE_INFINITY);
  const [work, setWork] = useState<ConvoyWork>({ deadLetters: [], inbox: [], deferred: [], timers: [] });
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [failure, setFailure] = useState<unknown>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const generation = useRef(0);
  const workGeneration = useRef(0);
  const shown = useRef(0);

  const refreshWork = useCallback(async (): Promise<void> => {
    const mine = ++workGeneration.current;
    const next = await readWork(type, id).catch(() => null);
    if (next !== null && mine === workGeneration.current) setWork(next);
  }, [type, id]);

  /** Re-read the view and the history; `fromStream` makes new timeline rows flash. */
  const refresh = useCallback(
    async (fromStream: boolean): Promise<ConvoyView | null> => {
      const mine = ++generation.current;
      const next = await readView(type, id);
      if (next === null) return null;
      const entries = await getJson<ItemList<HistoryItem>>(api`/convoys/${type}/${id}/history`);
      if (mine !== generation.current) return next;
      setFreshFrom(fromStream ? shown.current : Number.POSITIVE_INFINITY);
      shown.current = entries.items.length;
      setView(next);
      setHistory(entries.items);
      document.body.dataset['seq'] = String(next.seq);
      void refreshWork();
      return next;
    },
    [type, id, refreshWork],
  );

  // First read, then the live stream (after polling for a convoy that does not exist yet).
  useEffect(() => {
    let stop = (): void => undefined;
    let stopped = false;
    const start = async (): Promise<void> => {
      let first = await refresh(false);
      while (first === null && !stopped) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (!stopped) first = await refresh(true);
      }
      if (stopped || first === null) return;
      stop = followStream(
        api`/convoys/${type}/${id}/stream`,
        {
          onEvent: () => void refresh(true).catch(setFailure),
          onLive: (isLive) => setLive(isLive ? 'live' : 'reconnecting'),
          onError: setFailure,
        },
        String(first.seq),
      );
    };
    start().catch(setFailure);
    return () => {
      stopped = true;
      stop();
    };
  }, [type, id, refresh]);

  // The work panels are re-read every second while the tab is visible: an accepted event (e.g. one
  // posted to a paused convoy) does not change the processed state the stream follows.
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) void refreshWork();
    }, 1000);
    return () => clearInterval(timer);
  }, [refreshWork]);

  const act = (method: 'POST' | 'DELETE', path: string, body?: object): void => {
    setActionError(null);
    send(method, `${api`/convoys/${type}/${id}`}${path}`, body)
      .then(() => refresh(true))
      .catch((error: unknown) => {
        setActionError(error instanceof ApiError ? error : new ApiError(0, { message: String(error) }));
        void refreshWork();
      });
  };

  if (failure !== null) return failureView(failure);
  const active = view === null ? [] : activeStateIds(description.graph, view.value);
  const stat = (label: string, testid: string, value: string, extra: Record<string, unknown> = {}) =>
    html`<div class="stat">
      <dt>${label}</dt>
      <dd data-testid=${testid} ...${extra}>${value}</dd>
    </div>`;
  return html`
    <nav class="crumbs">
      <${Link} path="">Fleet<//> / <${Link} path=${`/types/${encodeURIComponent(type)}`}>${type}<//> / ${id}
    </nav>
    <div class="page-head">
      <h1>${id}</h1>
      <span class=${view === null ? 'badge' : `badge status-${view.status}`} data-testid="status">
        ${view === null ? 'not seen yet' : view.status}
      </span>
      <span class="actions">
        ${statusActions.map(
          (action) =>
            html`<button
              type="button"
              class="button"
              data-action=${action}
              hidden=${view === null || !(statusTransitions[action].from as readonly string[]).includes(view.status)}
              onClick=${() => act('POST', `/${action}`)}
            >
              ${action[0]?.toUpperCase()}${action.slice(1)}
            </button>`,
        )}
      </span>
      <span class="live" data-state=${live}>${live}</span>
    </div>
    <div class="error" hidden=${!view?.blockedReason}>
      ${view?.blockedReason ? `Blocked: ${view.blockedReason}` : ''}
    </div>
    <div data-testid="action-error" hidden=${actionError === null}>
      ${actionError === null ? null : failureView(actionError)}
    </div>
    <dl class="stats">
      ${stat('State', 'state', view === null ? '—' : formatValue(view.value).split(' ∥ ').join('\n'))}
      ${stat('Processed / accepted', 'seq', view === null ? '—' : `${view.seq} / ${view.accepted}`)}
      ${stat('Deferred', 'deferred', view === null ? '—' : String(view.deferred), {
        class: view !== null && view.deferred > 0 ? 'warn' : undefined,
      })}
      ${stat('Version', 'version', view === null ? '—' : `v${view.version}`)}
      ${stat('Updated', 'updated', view === null ? '—' : formatTime(view.updatedAt), { title: view?.updatedAt })}
    </dl>
    <${Card} title="Diagram"><${Diagram} type=${type} active=${active} /><//>
    <div class="columns convoy-columns">
      <${Card} title="Timeline"><${Timeline} entries=${history} freshFrom=${freshFrom} /><//>
      <${Card} title="Context">
        <pre class="code context" data-testid="context" hidden=${view === null}>
${view === null ? '' : JSON.stringify(view.context, null, 2)}</pre>
      <//>
    </div>
    <div class="columns work-columns">
      <${DeadLetterPanel} letters=${work.deadLetters} act=${act} />
      <${InboxPanel} events=${work.inbox} />
    </div>
    <div class="columns work-columns">
      <${DeferredPanel} events=${work.deferred} />
      <${TimerPanel} timers=${work.timers} />
    </div>
  `;
}
