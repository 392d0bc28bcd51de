/// <reference lib="dom" />
/**
 * The page's only way out: the public Convoy HTTP API, at the mount path the server wrote into the
 * page. Every request carries the bearer token the user gave (kept in this tab's sessionStorage), so the
 * console is guarded exactly like the API; a host whose guard reads a cookie needs no token at all.
 */
import type { ErrorReplyBody } from '@convoy/core/wire';

const tokenKey = 'convoy-console.token';

/** A refusal from the API, with its stable code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, body: Partial<ErrorReplyBody> | null) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? 'error';
  }
}

/** The bearer token of this tab, if the user gave one. */
export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(tokenKey);
  } catch {
    return null;
  }
}

/** Keep (or with null, forget) the bearer token for this tab. */
export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(tokenKey);
    else sessionStorage.setItem(tokenKey, token);
  } catch {
    // Storage may be disabled: the token then lasts as long as nothing reloads the page.
  }
}

const meta = (name: string): string =>
  document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';

/** Where the console is mounted (its own pages), e.g. `/console`. */
export const consoleBase = meta('convoy-console-base');
/** Where the API is mounted, e.g. `''` or `/api`. */
export const apiBase = meta('convoy-api-base');

/** A path of the API with every dynamic segment encoded: api`/convoys/${type}/${id}`. */
export function api(strings: TemplateStringsArray, ...values: ReadonlyArray<string | number>): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    apiBase,
  );
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = storedToken();
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function failure(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as Partial<ErrorReplyBody> | null;
  return new ApiError(response.status, body);
}

/** GET JSON. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: headers() });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** GET text (a diagram). */
export async function getText(url: string): Promise<string> {
  const response = await fetch(url, { headers: headers({ accept: '*/*' }) });
  if (!response.ok) throw await failure(response);
  return response.text();
}

/**
 * An operator action: POST with a JSON body (`{}` when none), or DELETE. Both carry `X-Convoy-Request`:
 * the API refuses state-changing requests with neither a JSON body nor that header (a form could send them).
 */
export async function send<T>(method: 'POST' | 'DELETE', url: string, body?: object): Promise<T | null> {
  const response = await fetch(url, {
    method,
    headers: headers({
      'x-convoy-request': '1',
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    }),
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : ((await response.json()) as T);
}
