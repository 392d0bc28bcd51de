/// <reference lib="dom" />
/**
 * `/dead-letters/:type`: every dead letter of a type (from `GET /dead-letters/:type`, a page of convoys
 * at a time), with bulk Redrive (the selected letters' convoys, each in order) and bulk Discard (the
 * selected letters), each confirmed first and recorded in every convoy's history by the API.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BulkDiscardResult, BulkRedriveResult, DeadLetterItem, ItemPage } from '@convoy/core/wire';
import type { VNode } from 'preact';
import { api, getJson, send } from './api.ts';
import { formatTime } from './format.ts';
import { failureView } from './use-load.ts';
import { Card, convoyPath, eventCells, Link } from './ui.ts';

const letterKey = (letter: { readonly id: string; readonly seq: number }): string =>
  `${letter.seq}:${letter.id}`;

/** What the last bulk action did, in words. */
function summary(results: ReadonlyArray<BulkRedriveResult | BulkDiscardResult>, verb: string): string {
  const refused = results.filter((r) => r.error !== undefined);
  const done = results.length - refused.length;
  const reasons = [...new Set(refused.map((r) => r.error?.code))].join(', ');
  return refused.length === 0
    ? `${verb} ${done}.`
    : `${verb} ${done}; ${refused.length} refused (${reasons}).`;
}

/** The page. */
export function DeadLetterListView(props: { type: string }): VNode {
  const { type } = props;
  document.title = `Dead letters of ${type} · Convoy console`;
  const [letters, setLetters] = useState<DeadLetterItem[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const generation = useRef(0);

  const load = async (after: string | null): Promise<void> => {
    const mine = ++generation.current;
    try {
      const query = after === null ? '?limit=100' : `?limit=100&cursor=${encodeURIComponent(after)}`;
      const page = await getJson<ItemPage<DeadLetterItem>>(`${api`/dead-letters/${type}`}${query}`);
      if (mine !== generation.current) return;
      setLetters((before) => (after === null ? [...page.items] : [...(before ?? []), ...page.items]));
      setCursor(page.cursor);
      setProblem(null);
    } catch (error) {
      if (mine === generation.current) setProblem(error);
    }
  };
  useEffect(() => {
    void load(null);
  }, [type]);

  const list = letters ?? [];
  const chosen = list.filter((letter) => selected.has(letterKey(letter)));
  const convoys = [...new Set(chosen.map((letter) => letter.id))];
  const toggle = (letter: DeadLetterItem): void => {
    const next = new Set(selected);
    const key = letterKey(letter);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setSelected(next);
  };
  const toggleAll = (): void =>
    setSelected(chosen.length === list.length ? new Set() : new Set(list.map(letterKey)));

  const act = async (action: 'redrive' | 'discard'): Promise<void> => {
    const question =
      action === 'redrive'
        ? `Redrive every dead letter of ${convoys.length} convoy(s) of ${type}, each in order?`
        : `Discard ${chosen.length} dead letter(s) of ${type}? This cannot be undone.`;
    if (!window.confirm(question)) return;
    try {
      const answer =
        action === 'redrive'
          ? await send<{ items: BulkRedriveResult[] }>('POST', api`/dead-letters/${type}/redrive`, {
              ids: convoys,
            })
          : await send<{ items: BulkDiscardResult[] }>('POST', api`/dead-letters/${type}/discard`, {
              letters: chosen.map(({ id, seq }) => ({ id, seq })),
            });
      const items = answer?.items ?? [];
      setOutcome(summary(items, action === 'redrive' ? 'Redriven convoys:' : 'Discarded:'));
      setSelected(new Set());
      await load(null);
    } catch (error) {
      setProblem(error);
    }
  };

  return html`
    <nav class="crumbs">
      <${Link} path="">Fleet<//> / <${Link} path=${`/types/${encodeURIComponent(type)}`}>${type}<//> / dead
      letters
    </nav>
    <div class="page-head">
      <h1>Dead letters of ${type}</h1>
      <p class="muted" data-testid="dead-letter-count">${list.length}${cursor === null ? '' : '+'} letters</p>
    </div>
    ${problem === null ? null : failureView(problem)}
    ${outcome === null ? null : html`<p class="notice" role="status" data-testid="bulk-outcome">${outcome}</p>`}
    <${Card}>
      <div class="bulk-actions">
        <button
          type="button"
          class="button"
          data-action="bulk-redrive"
          disabled=${chosen.length === 0}
          onClick=${() => void act('redrive')}
        >
          Redrive ${convoys.length} convoy(s)
        </button>
        <button
          type="button"
          class="button secondary"
          data-action="bulk-discard"
          disabled=${chosen.length === 0}
          onClick=${() => void act('discard')}
        >
          Discard ${chosen.length} letter(s)
        </button>
      </div>
      <p class="muted empty" hidden=${list.length > 0}>
        ${letters === null ? 'Loading…' : 'No dead letters.'}
      </p>
      <table class="timeline dead-letter-list" data-testid="dead-letter-list" hidden=${list.length === 0}>
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select all"
                data-testid="select-all"
                checked=${list.length > 0 && chosen.length === list.length}
                onChange=${toggleAll}
              />
            </th>
            <th>Convoy</th>
            <th>Seq</th>
            <th>Event</th>
            <th>Reason</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          ${list.map(
            (letter) =>
              html`<tr key=${letterKey(letter)} data-id=${letter.id} data-seq=${letter.seq}>
                <td>
                  <input
                    type="checkbox"
                    aria-label=${`Select ${letter.id} #${letter.seq}`}
                    checked=${selected.has(letterKey(letter))}
                    onChange=${() => toggle(letter)}
                  />
                </td>
                <td><${Link} path=${convoyPath(type, letter.id)}>${letter.id}<//></td>
                ${eventCells(letter.seq, letter.event)}
                <td class="muted">
                  ${letter.reason.replace(/_/g, ' ')}
                  ${letter.error ? html`<div class="error-text">${letter.error}</div>` : null}
                </td>
                <td class="muted time" title=${letter.at}>${formatTime(letter.at)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <button
        type="button"
        class="button"
        hidden=${cursor === null}
        data-testid="next"
        onClick=${() => void load(cursor)}
      >
        Next
      </button>
    <//>
  `;
}
