/// <reference lib="dom" />
/**
 * The console is guarded like the API: when a call is refused (401, 403), the page asks for a bearer
 * token, keeps it for this tab only, and reloads.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { VNode } from 'preact';
import { storedToken, storeToken } from './api.ts';
import type { ApiError } from './api.ts';
import { Card, ErrorBox } from './ui.ts';

/** The sign-in card. */
export function SignIn(props: { error: ApiError }): VNode {
  const [token, setToken] = useState('');
  const submit = (event: Event): void => {
    event.preventDefault();
    if (token.trim() === '') return;
    storeToken(token.trim());
    location.reload();
  };
  return html`<${Card} title="This Convoy API needs a token" testid="sign-in">
    <${ErrorBox} error=${props.error} />
    <form class="lookup" onSubmit=${submit}>
      <input
        type="password"
        name="token"
        aria-label="Bearer token"
        placeholder="bearer token"
        autocomplete="off"
        value=${token}
        onInput=${(e: Event) => setToken((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit">Use token</button>
      ${
        storedToken() === null
          ? null
          : html`<button
              type="button"
              class="button secondary"
              onClick=${() => (storeToken(null), location.reload())}
            >
              Forget token
            </button>`
      }
    </form>
    <p class="muted">
      Kept in this tab only (sessionStorage) and sent as <code>Authorization: Bearer</code>.
    </p>
  <//>`;
}
