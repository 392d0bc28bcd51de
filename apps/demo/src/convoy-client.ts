/**
 * A small HTTP client for the Convoy API, as any client would write it: `fetch` and JSON, no Convoy
 * internals. The demo drives its scenario through it to show the real contract.
 */

/** An HTTP answer: status and parsed JSON body. */
export interface HttpAnswer<TBody> {
  readonly status: number;
  readonly body: TBody;
}

/** `202` body of `POST /convoys/:type/:id/events`. */
export interface AcceptReceiptBody {
  readonly type: string;
  readonly id: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

/** Error body, `{ statusCode, code, message }`. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
}

/** `GET /convoys/:type/:id`. */
export interface ConvoyBody {
  readonly type: string;
  readonly id: string;
  readonly status: string;
  readonly value: unknown;
  readonly context: Record<string, unknown>;
  readonly seq: number;
  readonly accepted: number;
  readonly deferred: number;
  readonly version: number;
}

/** One item of `GET /convoys/:type/:id/history`. */
export interface HistoryItemBody {
  readonly seq: number;
  readonly event: { readonly type: string };
  readonly outcome: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly reason?: string;
}

/** A convoy's HTTP API at `baseUrl`, for one convoy type. */
export class ConvoyClient {
  readonly #baseUrl: string;
  readonly #type: string;

  constructor(baseUrl: string, type: string) {
    this.#baseUrl = baseUrl.replace(/\/$/, '');
    this.#type = type;
  }

  /** POST an event; the answer is the receipt (202) or an error body. */
  async send(
    id: string,
    event: { readonly type: string; readonly [field: string]: unknown },
    idempotencyKey?: string,
  ): Promise<HttpAnswer<AcceptReceiptBody | ErrorBody>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    const response = await fetch(this.#url(id, '/events'), {
      method: 'POST',
      headers,
      body: JSON.stringify(event),
    });
    return { status: response.status, body: (await response.json()) as AcceptReceiptBody | ErrorBody };
  }

  /** GET the convoy (404 body when never seen). */
  async get(id: string): Promise<HttpAnswer<ConvoyBody | ErrorBody>> {
    const response = await fetch(this.#url(id, ''));
    return { status: response.status, body: (await response.json()) as ConvoyBody | ErrorBody };
  }

  /** GET the convoy's history items; throws unless 200. */
  async history(id: string): Promise<HistoryItemBody[]> {
    const response = await fetch(this.#url(id, '/history'));
    if (response.status !== 200) throw new Error(`GET history of ${id}: HTTP ${response.status}`);
    return ((await response.json()) as { items: HistoryItemBody[] }).items;
  }

  /**
   * Poll until the convoy has processed `seq` (any outcome): how a client reads its own write without
   * depending on server-side waiting.
   */
  async waitProcessed(id: string, seq: number, timeoutMs = 10_000): Promise<ConvoyBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, body } = await this.get(id);
      if (status === 200 && (body as ConvoyBody).seq >= seq) return body as ConvoyBody;
      if (Date.now() > deadline) {
        throw new Error(`convoy ${this.#type}/${id} did not process seq ${seq} within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }

  /**
   * Poll until the convoy has processed `seq` and its state is no longer `state` (it waits on an invoke
   * or a timer whose result enters its inbox later). Returns the view then, or after `timeoutMs` anyway
   * (the scenario's checks report what it found).
   */
  async waitWhile(id: string, seq: number, state: string, timeoutMs = 10_000): Promise<ConvoyBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const convoy = await this.waitProcessed(id, seq, timeoutMs);
      if (convoy.value !== state || Date.now() > deadline) return convoy;
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }

  #url(id: string, suffix: string): string {
    return `${this.#baseUrl}/convoys/${encodeURIComponent(this.#type)}/${encodeURIComponent(id)}${suffix}`;
  }
}

/** True for a 202 receipt body. */
export function isReceipt(body: AcceptReceiptBody | ErrorBody): body is AcceptReceiptBody {
  return 'seq' in body;
}
