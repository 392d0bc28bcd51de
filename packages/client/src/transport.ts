/**
 * One place where the client meets HTTP: builds URLs, sends, and turns every non-2xx answer into a
 * `ConvoyError` carrying the server's code, so callers branch on `error.code` like on the server.
 */
import { ConvoyError, errorStatusByCode } from '@convoy/core';
import type { ConvoyErrorCode } from '@convoy/core';

/** Options of the transport (see `ConvoyClientOptions`). */
export interface TransportOptions {
  readonly baseUrl: string;
  readonly token?: string;
  readonly fetch?: typeof fetch;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A query string's values; undefined ones are left out. */
export type Query = Readonly<Record<string, string | number | undefined>>;

/** One request. */
export interface RequestSpec {
  readonly method?: 'GET' | 'POST' | 'DELETE';
  /** Path segments are encoded by the caller ({@link path}). */
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Abort the request (and, for a stream, its body). */
  readonly signal?: AbortSignal;
}

/** Build a path from literal parts and values, encoding each value as one segment. */
export function path(strings: TemplateStringsArray, ...values: ReadonlyArray<string | number>): string {
  return strings.reduce(
    (out, part, index) =>
      out + part + (index < values.length ? encodeURIComponent(String(values[index])) : ''),
    '',
  );
}

const knownCodes: ReadonlySet<string> = new Set(Object.keys(errorStatusByCode));

/** A code for an answer whose body carries none we know (a proxy's 502, a bare 404…). */
function codeForStatus(status: number): ConvoyErrorCode {
  if (status === 400) return 'invalid_request';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'route_not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 408) return 'wait_timeout';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'backlog_full';
  if (status === 503) return 'store_unavailable';
  return 'internal_error';
}

/** The error for a non-2xx answer. `details.status` is the HTTP status actually received. */
export async function errorFromResponse(
  response: Response,
  method: string,
  url: string,
): Promise<ConvoyError> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code =
    typeof fields['code'] === 'string' && knownCodes.has(fields['code']) ? fields['code'] : undefined;
  const message =
    typeof fields['message'] === 'string'
      ? fields['message']
      : `${method} ${url} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const { statusCode: _statusCode, code: _code, message: _message, ...rest } = fields;
  return new ConvoyError((code as ConvoyErrorCode | undefined) ?? codeForStatus(response.status), message, {
    ...rest,
    status: response.status,
    ...(code === undefined && typeof fields['code'] === 'string' ? { serverCode: fields['code'] } : {}),
  });
}

/** Sends requests to one Convoy server. */
export class Transport {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: TransportOptions) {
    // `new URL(path, base)` would drop a base path like `/api`: keep it by joining strings.
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#headers = {
      ...options.headers,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    };
  }

  /** The absolute URL of a path and query. */
  url(path: string, query: Query = {}): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) search.set(name, String(value));
    const qs = search.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Send a request; resolve with the raw 2xx response, throw `ConvoyError` otherwise. */
  async send(spec: RequestSpec): Promise<Response> {
    const method = spec.method ?? 'GET';
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = { ...this.#headers, ...spec.headers };
    let body: string | undefined;
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    // The server refuses a state-changing request that a form of another site could have sent: one with
    // neither a JSON body nor this header (e.g. a body-less pause or DELETE).
    if (method !== 'GET') headers['x-convoy-request'] = '1';
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(spec.signal === undefined ? {} : { signal: spec.signal }),
      });
    } catch (error) {
      // No answer at all: say where we tried, keep the network error as the cause.
      const reason =
        error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : '';
      throw new Error(`Cannot reach Convoy at ${this.baseUrl}${reason ? ` (${reason})` : ''}`, {
        cause: error,
      });
    }
    if (!response.ok) throw await errorFromResponse(response, method, url);
    return response;
  }

  /** Send and parse the JSON answer (undefined for an empty body such as a 204). */
  async json<T>(spec: RequestSpec): Promise<T> {
    const response = await this.send(spec);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Send and return the body as text. */
  async text(spec: RequestSpec): Promise<string> {
    return (await this.send(spec)).text();
  }
}
