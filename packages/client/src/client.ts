/**
 * `createConvoyClient`: the Convoy HTTP API as typed methods. Event types are inferred from the
 * definitions the caller names, so a typo in an event type or a missing field does not compile.
 */
import { isConvoyError } from '@convoy/core';
import { readSse } from './sse.ts';
import { path, Transport } from './transport.ts';
import type { BulkDiscardResult, BulkRedriveResult, FleetItem } from '@convoy/core/wire';
import type {
  AnyConvoyDefinition,
  ClientEventOf,
  ConvoyTypeDescription,
  ConvoyTypeOf,
  ConvoyTypeSummary,
  ConvoyView,
  DeadLetterItem,
  DeferredItem,
  DiagramFormat,
  HistoryItem,
  InboxItem,
  ListOptions,
  Page,
  PageOptions,
  RedriveReceipt,
  SendOptions,
  SendReceipt,
  TimerItem,
  WaitOptions,
  WaitResult,
} from './types.ts';

/** Options of {@link createConvoyClient}. */
export interface ConvoyClientOptions {
  /** Where the API is mounted, e.g. `http://127.0.0.1:3000` (or `https://host/api` under a prefix). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** @defaultValue the global `fetch` */
  readonly fetch?: typeof fetch;
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of {@link ConvoyClient.follow}. */
export interface FollowOptions {
  /** Stop following when aborted. */
  readonly signal?: AbortSignal;
  /** @defaultValue 500 */
  readonly intervalMs?: number;
  /** Skip the first `from` entries (e.g. the ones already shown). @defaultValue 0 */
  readonly from?: number;
  /**
   * End once the convoy is done (status `done`), after yielding every entry up to that point. A done
   * convoy only records refusals (`convoy_done`) from then on.
   * @defaultValue false
   */
  readonly untilDone?: boolean;
}

/** Options of {@link ConvoyClient.stream}. */
export interface StreamOptions {
  /** Sent as `Last-Event-ID`: resume after the last event seen (a seq, or `<ms>-<id>` for a type). */
  readonly lastEventId?: string;
  /** Close the stream when aborted. */
  readonly signal?: AbortSignal;
  /** Called once the server accepted the stream (200), before its first event. */
  readonly onOpen?: () => void;
}

/** One `event: convoy` of a live stream: the convoy's view and the event's id (the resume point). */
export interface StreamEvent {
  readonly id: string | undefined;
  readonly view: ConvoyView;
}

/**
 * A client of one Convoy server. `TDefinitions` is the union of the served definitions
 * (`typeof order | typeof ticket`); left out, any type and event is accepted.
 * Every method throws `ConvoyError` with the server's code on a non-2xx answer.
 */
export interface ConvoyClient<TDefinitions extends AnyConvoyDefinition = AnyConvoyDefinition> {
  /** The base URL requests go to (no trailing slash). */
  readonly baseUrl: string;
  /** Send one event (`POST /convoys/:type/:id/events`). */
  send<TType extends ConvoyTypeOf<TDefinitions>>(
    type: TType,
    id: string,
    event: ClientEventOf<TDefinitions, TType>,
    options?: SendOptions,
  ): Promise<SendReceipt>;
  /** The convoy's current state. `convoy_not_found` if it never accepted an event. */
  get(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<ConvoyView>;
  /** What happened to every event, in processing order. */
  history(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<HistoryItem[]>;
  /** New history entries as they are committed (polling), until `signal` aborts (or, `untilDone`, the convoy is done). */
  follow(type: ConvoyTypeOf<TDefinitions>, id: string, options?: FollowOptions): AsyncGenerator<HistoryItem>;
  /**
   * Resolve with the outcome of event `seq` once it is processed (with `final`, once it is no longer
   * deferred, or deferred at the timeout); `wait_timeout` (408) when it is not processed within
   * `timeoutMs` (server default 5000).
   */
  wait(
    type: ConvoyTypeOf<TDefinitions>,
    id: string,
    seq: number,
    timeoutMs?: number,
    options?: WaitOptions,
  ): Promise<WaitResult>;
  /** A page of the type's convoys, newest update first. */
  list(type: ConvoyTypeOf<TDefinitions>, options?: ListOptions): Promise<Page<ConvoyView>>;
  /** One convoy's dead letters, oldest first. */
  deadLetters(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<DeadLetterItem[]>;
  /** Dead letters of every convoy of a type, a page of convoys at a time. */
  listDeadLetters(type: ConvoyTypeOf<TDefinitions>, options?: PageOptions): Promise<Page<DeadLetterItem>>;
  /** Put dead letters back into their convoy: all of them, or the one `seq`. */
  redrive(
    type: ConvoyTypeOf<TDefinitions>,
    id: string,
    options?: { readonly seq?: number },
  ): Promise<RedriveReceipt>;
  /** Drop one dead letter. */
  discard(type: ConvoyTypeOf<TDefinitions>, id: string, seq: number): Promise<void>;
  /** Redrive the dead letters of up to 100 convoys of a type; one result per convoy, refusals included. */
  redriveMany(type: ConvoyTypeOf<TDefinitions>, ids: readonly string[]): Promise<BulkRedriveResult[]>;
  /** Discard up to 100 dead letters of a type; one result per letter, refusals included. */
  discardMany(
    type: ConvoyTypeOf<TDefinitions>,
    letters: ReadonlyArray<{ readonly id: string; readonly seq: number }>,
  ): Promise<BulkDiscardResult[]>;
  /** Every type at a glance: convoys per status, with dead letters, events of the last minute. */
  fleet(): Promise<FleetItem>;
  /** Stop processing the convoy (events are still accepted). */
  pause(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<ConvoyView>;
  /** Process a paused convoy again. */
  resume(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<ConvoyView>;
  /** Un-block (or un-stall) a convoy and take a turn now. */
  retry(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<ConvoyView>;
  /** Accepted events not processed yet, in seq order (at most `limit`). */
  inbox(type: ConvoyTypeOf<TDefinitions>, id: string, limit?: number): Promise<InboxItem[]>;
  /** Events held by the `defer` policy. */
  deferred(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<DeferredItem[]>;
  /** Armed timers, earliest first. */
  timers(type: ConvoyTypeOf<TDefinitions>, id: string): Promise<TimerItem[]>;
  /**
   * One connection to a live stream (SSE): `GET /convoys/:type/:id/stream` with an `id`, else
   * `GET /convoys/:type/stream`. Yields each change until the server ends the stream or `signal`
   * aborts; a refusal (404, 401…) throws `ConvoyError`. It does not reconnect: the live stores
   * (`createConvoyStore`, `createConvoyListStore`) do, with `Last-Event-ID`.
   */
  stream(
    target: { readonly type: ConvoyTypeOf<TDefinitions>; readonly id?: string },
    options?: StreamOptions,
  ): AsyncGenerator<StreamEvent>;
  /** The registered convoy types. */
  types(): Promise<ConvoyTypeSummary[]>;
  /** One type: events, states, Mermaid, Stately code, graph. */
  describe(type: ConvoyTypeOf<TDefinitions>): Promise<ConvoyTypeDescription>;
  /**
   * The type's diagram as text: `mermaid` and `stately` from the type's description, `dot` and `svg`
   * from `GET /convoy-types/:type/diagram.dot|svg`.
   */
  diagram(type: ConvoyTypeOf<TDefinitions>, format?: DiagramFormat): Promise<string>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Create a typed client of a Convoy server.
 *
 * @example
 * ```ts
 * import { createConvoyClient } from '@convoy/client';
 * import type { orderConvoy, ticketConvoy } from './convoys.ts';
 *
 * const convoy = createConvoyClient<typeof orderConvoy | typeof ticketConvoy>({ baseUrl: 'http://127.0.0.1:3000' });
 * const { seq } = await convoy.send('order', 'o-1', { type: 'OrderPlaced', amount: 42 }, { idempotencyKey: 'o-1-placed' });
 * await convoy.wait('order', 'o-1', seq, 2000);
 * const view = await convoy.get('order', 'o-1'); // { status, value, context, ... }
 * ```
 */
export function createConvoyClient<TDefinitions extends AnyConvoyDefinition = AnyConvoyDefinition>(
  options: ConvoyClientOptions,
): ConvoyClient<TDefinitions> {
  const http = new Transport(options);

  const history = async (type: string, id: string) =>
    (await http.json<{ items: HistoryItem[] }>({ path: path`/convoys/${type}/${id}/history` })).items;

  const operate = (type: string, id: string, action: 'pause' | 'resume' | 'retry') =>
    http.json<ConvoyView>({ method: 'POST', path: path`/convoys/${type}/${id}/${action}` });

  return {
    baseUrl: http.baseUrl,
    send: (type, id, event, sendOptions = {}) =>
      http.json<SendReceipt>({
        method: 'POST',
        path: path`/convoys/${type}/${id}/events`,
        query: { wait: sendOptions.wait, final: sendOptions.final ? 1 : undefined },
        body: event,
        ...(sendOptions.idempotencyKey ? { headers: { 'idempotency-key': sendOptions.idempotencyKey } } : {}),
      }),
    get: (type, id) => http.json<ConvoyView>({ path: path`/convoys/${type}/${id}` }),
    history,
    async *follow(type, id, followOptions = {}) {
      const { signal, intervalMs = 500, untilDone = false } = followOptions;
      let seen = followOptions.from ?? 0;
      while (!signal?.aborted) {
        let items: HistoryItem[] = [];
        let done = false;
        try {
          // The view first: when it says done, the history read after it holds every entry up to then.
          if (untilDone)
            done = (await http.json<ConvoyView>({ path: path`/convoys/${type}/${id}` })).status === 'done';
          items = await history(type, id);
        } catch (error) {
          // A convoy that has not received its first event yet is followed until it does.
          if (!isConvoyError(error) || error.code !== 'convoy_not_found') throw error;
        }
        for (; seen < items.length; seen++) yield items[seen] as HistoryItem;
        if (done) return;
        await sleep(intervalMs, signal);
      }
    },
    wait: (type, id, seq, timeoutMs, waitOptions = {}) =>
      http.json<WaitResult>({
        path: path`/convoys/${type}/${id}/wait`,
        query: { seq, timeout: timeoutMs, final: waitOptions.final ? 1 : undefined },
      }),
    list: (type, { attention, ...listOptions } = {}) =>
      http.json<Page<ConvoyView>>({
        path: path`/convoys/${type}`,
        query: { ...listOptions, ...(attention === undefined ? {} : { attention: attention ? '1' : '0' }) },
      }),
    deadLetters: async (type, id) =>
      (await http.json<{ items: DeadLetterItem[] }>({ path: path`/convoys/${type}/${id}/dead-letters` }))
        .items,
    listDeadLetters: (type, pageOptions = {}) =>
      http.json<Page<DeadLetterItem>>({ path: path`/dead-letters/${type}`, query: { ...pageOptions } }),
    redrive: (type, id, redriveOptions = {}) =>
      http.json<RedriveReceipt>({
        method: 'POST',
        path: path`/convoys/${type}/${id}/dead-letters/redrive`,
        body: redriveOptions.seq === undefined ? {} : { seq: redriveOptions.seq },
      }),
    discard: async (type, id, seq) => {
      await http.send({ method: 'DELETE', path: path`/convoys/${type}/${id}/dead-letters/${seq}` });
    },
    redriveMany: async (type, ids) =>
      (
        await http.json<{ items: BulkRedriveResult[] }>({
          method: 'POST',
          path: path`/dead-letters/${type}/redrive`,
          body: { ids },
        })
      ).items,
    discardMany: async (type, letters) =>
      (
        await http.json<{ items: BulkDiscardResult[] }>({
          method: 'POST',
          path: path`/dead-letters/${type}/discard`,
          body: { letters },
        })
      ).items,
    fleet: () => http.json<FleetItem>({ path: '/fleet' }),
    pause: (type, id) => operate(type, id, 'pause'),
    resume: (type, id) => operate(type, id, 'resume'),
    retry: (type, id) => operate(type, id, 'retry'),
    inbox: async (type, id, limit) =>
      (
        await http.json<{ items: InboxItem[] }>({
          path: path`/convoys/${type}/${id}/inbox`,
          query: { limit },
        })
      ).items,
    deferred: async (type, id) =>
      (await http.json<{ items: DeferredItem[] }>({ path: path`/convoys/${type}/${id}/deferred` })).items,
    timers: async (type, id) =>
      (await http.json<{ items: TimerItem[] }>({ path: path`/convoys/${type}/${id}/timers` })).items,
    async *stream(target, streamOptions = {}) {
      const response = await http.send({
        path:
          target.id === undefined
            ? path`/convoys/${target.type}/stream`
            : path`/convoys/${target.type}/${target.id}/stream`,
        headers: {
          accept: 'text/event-stream',
          ...(streamOptions.lastEventId === undefined ? {} : { 'last-event-id': streamOptions.lastEventId }),
        },
        ...(streamOptions.signal === undefined ? {} : { signal: streamOptions.signal }),
      });
      streamOptions.onOpen?.();
      if (response.body === null) return;
      for await (const message of readSse(response.body)) {
        if (message.event !== 'convoy' || message.data === '') continue;
        yield { id: message.id, view: JSON.parse(message.data) as ConvoyView };
      }
    },
    types: async () => (await http.json<{ items: ConvoyTypeSummary[] }>({ path: '/convoy-types' })).items,
    describe: (type) => http.json<ConvoyTypeDescription>({ path: path`/convoy-types/${type}` }),
    async diagram(type, format = 'mermaid') {
      if (format === 'mermaid' || format === 'stately') {
        const description = await http.json<ConvoyTypeDescription>({ path: path`/convoy-types/${type}` });
        return description[format];
      }
      return http.text({ path: path`/convoy-types/${type}/diagram.${format}` });
    },
  };
}
