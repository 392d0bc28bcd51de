/**
 * Load data for a view: a loading note, the value, or the error box (a 401 shows the sign-in form).
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { VNode } from 'preact';
import { ApiError } from './api.ts';
import { SignIn } from './sign-in.ts';
import { ErrorBox } from './ui.ts';

/** The state of a load: `view` is what to show until it is ready. */
export type Loaded<T> =
  { readonly state: 'ready'; readonly value: T } | { readonly state: 'waiting'; readonly view: VNode };

/** What to show for a failure: the sign-in form for a missing or refused token, else the error. */
export function failureView(error: unknown): VNode {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    return html`<${SignIn} error=${error} />`;
  }
  const shown = error instanceof Error ? error : new Error(String(error));
  return html`<${ErrorBox} error=${shown} />`;
}

/** Run `load` when `deps` change. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [result, setResult] = useState<{ value: T } | { error: unknown } | null>(null);
  useEffect(() => {
    let current = true;
    setResult(null);
    load().then(
      (value) => current && setResult({ value }),
      (error: unknown) => current && setResult({ error }),
    );
    return () => {
      current = false;
    };
  }, deps);
  if (result === null) return { state: 'waiting', view: html`<p class="muted">Loading…</p>` };
  if ('error' in result) return { state: 'waiting', view: failureView(result.error) };
  return { state: 'ready', value: result.value };
}
