/**
 * Live read models on `@xstate/store` (v4): a store per convoy and per type listing, kept up to date
 * from the API's public SSE streams and reconnected with `Last-Event-ID`, so an application (or a
 * React component through `@xstate/store-react`'s `useSelector`) subscribes to a convoy's state with
 * selectors instead of polling. The stores are read models: the server stays the source of truth.
 */
import { createStore } from '@xstate/store';
import type { Store, StoreSnapshot } from '@xstate/store';
import { isConvoyError } from '@convoy/core';
import type { ConvoyError, ConvoyStatus } from '@convoy/core';
import type { ConvoyClient, StreamEvent } from './client.ts';
import type { AnyConvoyDefinition, ConvoyView } from './types.ts';

/** The link to the server: `live` while a stream is open, `reconnecting` between attempts. */
export type LiveConnection = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Options of the live stores. */
export interface LiveStoreOptions {
  /**
   * Wait between a dropped stream and the next attempt (ms).
   * @defaultValue 1000
   */
  readonly retryMs?: number;
}

/** The context of a {@link LiveConvoyStore}. */
export interface ConvoyStoreContext {
  /** The convoy's view (status, value, context, seq, attention…); null until its first event. */
  readonly view: ConvoyView | null;
  readonly connection: LiveConnection;
  /** The refusal that stopped the store (e.g. `unauthorized`, `unknown_convoy_type`); null otherwise. */
  readonly error: ConvoyError | null;
  /** The id of the last stream event (the processed seq): sent as `Last-Event-ID` on reconnect. */
  readonly lastEventId: string | null;
}

/** The context of a {@link LiveConvoyListStore}. */
export interface ConvoyListStoreContext {
  /** The type's convoys (filtered by status when asked), most recently updated first. */
  readonly items: readonly ConvoyView[];
  readonly connection: LiveConnection;
  readonly error: ConvoyError | null;
  /** The id of the last stream event (`<updatedAt ms>-<id>`): sent as `Last-Event-ID` on reconnect. */
  readonly lastEventId: string | null;
}

/** Events the live stores take from their stream (internal: applications only read and select). */
type LinkEvents = {
  opened: Record<string, never>;
  dropped: Record<string, never>;
  refused: { error: ConvoyError };
  closed: Record<string, never>;
};

/** A store of one convoy's view, live. Call `close()` to end its stream. */
export type LiveConvoyStore = Store<ConvoyStoreContext, LinkEvents & { changed: StreamEvent }, never> & {
  close(): void;
};

/** A store of a type's convoys, live. Call `close()` to end its stream. */
export type LiveConvoyListStore = Store<
  ConvoyListStoreContext,
  LinkEvents & { changed: StreamEvent; listed: { items: readonly ConvoyView[] } },
  never
> & { close(): void };

/** Snapshot type of a live store (for selectors written apart from the store). */
export type LiveStoreSnapshot<TContext> = StoreSnapshot<TContext>;

const link = <TContext extends { connection: LiveConnection; error: ConvoyError | null }>() => ({
  opened: (context: TContext): TContext => ({ ...context, connection: 'live', error: null }),
  dropped: (context: TContext): TContext =>
    context.connection === 'closed' ? context : { ...context, connection: 'reconnecting' },
  refused: (context: TContext, event: { error: ConvoyError }): TContext => ({
    ...context,
    connection: 'closed',
    error: event.error,
  }),
  closed: (context: TContext): TContext => ({ ...context, connection: 'closed' }),
});

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Follow a stream until `signal` aborts: each dropped connection (the server ended the stream, the
 * network failed, a 5xx) is retried after `retryMs` with the last event id; `retryOn` decides which
 * refusals are retried too (e.g. a convoy not seen yet); any other refusal stops and is reported.
 */
async function follow(options: {
  readonly open: (lastEventId: string | undefined, onOpen: () => void) => AsyncGenerator<StreamEvent>;
  readonly lastEventId: () => string | undefined;
  readonly signal: AbortSignal;
  readonly retryMs: number;
  readonly retryOn?: (error: ConvoyError) => boolean;
  readonly onOpen: () => void;
  readonly onEvent: (event: StreamEvent) => void;
  readonly onDropped: () => void;
  readonly onRefused: (error: ConvoyError) => void;
}): Promise<void> {
  while (!options.signal.aborted) {
    try {
      for await (const event of options.open(options.lastEventId(), options.onOpen)) options.onEvent(event);
    } catch (error) {
      if (options.signal.aborted) return;
      const status = isConvoyError(error) ? Number(error.details?.['status'] ?? 0) : 0;
      if (isConvoyError(error) && status >= 400 && status < 500 && !(options.retryOn?.(error) ?? false)) {
        options.onRefused(error);
        return;
      }
    }
    if (options.signal.aborted) return;
    options.onDropped();
    await sleep(options.retryMs, options.signal);
  }
}

/**
 * A live store of one convoy: its snapshot's `context.view` is the convoy's view, kept up to date from
 * `GET /convoys/:type/:id/stream` and resumed with `Last-Event-ID` after a dropped connection. A convoy
 * not seen yet is waited for (retried every `retryMs`).
 *
 * @example
 * ```ts
 * const order = createConvoyStore(client, { type: 'order', id: 'o-1' });
 * const state = order.select((context) => context.view?.value);
 * state.subscribe((value) => console.log('order o-1 is now', value));
 * // later: order.close();
 * ```
 */
export function createConvoyStore<TDefinitions extends AnyConvoyDefinition>(
  client: ConvoyClient<TDefinitions>,
  key: { readonly type: TDefinitions['type']; readonly id: string },
  options: LiveStoreOptions = {},
): LiveConvoyStore {
  const initial: ConvoyStoreContext = {
    view: null,
    connection: 'connecting',
    error: null,
    lastEventId: null,
  };
  const store = createStore({
    context: initial,
    on: {
      ...link<ConvoyStoreContext>(),
      changed: (context, event: StreamEvent): ConvoyStoreContext => ({
        ...context,
        view: event.view,
        lastEventId: event.id ?? context.lastEventId,
      }),
    },
  });
  const abort = new AbortController();
  void follow({
    open: (lastEventId, onOpen) =>
      client.stream(
        { type: key.type, id: key.id },
        { signal: abort.signal, onOpen, ...(lastEventId === undefined ? {} : { lastEventId }) },
      ),
    lastEventId: () => store.getSnapshot().context.lastEventId ?? undefined,
    signal: abort.signal,
    retryMs: options.retryMs ?? 1000,
    retryOn: (error) => error.code === 'convoy_not_found',
    onOpen: () => store.trigger.opened({}),
    onEvent: (event) => store.trigger.changed(event),
    onDropped: () => store.trigger.dropped({}),
    onRefused: (error) => store.trigger.refused({ error }),
  });
  return Object.assign(store, {
    close(): void {
      abort.abort();
      store.trigger.closed({});
    },
  });
}

/** Options of {@link createConvoyListStore}. */
export interface ConvoyListStoreOptions extends LiveStoreOptions {
  /** Only convoys in this status (a convoy leaving it leaves the list). */
  readonly status?: ConvoyStatus;
  /**
   * How many convoys the list holds (the most recently updated).
   * @defaultValue 50
   */
  readonly limit?: number;
}

/** The stream id of a view in the per-type stream (`<updatedAt ms>-<id>`). */
const typeEventId = (view: ConvoyView): string => `${Date.parse(view.updatedAt)}-${view.id}`;

/**
 * A live store of a type's convoys: starts from `GET /convoys/:type` (filtered by `status`), then
 * follows `GET /convoys/:type/stream`, resuming with `Last-Event-ID` (first from the newest listed
 * convoy, so nothing updated between the list and the stream is missed; then from the last event).
 *
 * @example
 * ```ts
 * const stalled = createConvoyListStore(client, { type: 'order', status: 'stalled' });
 * stalled.select((context) => context.items.length).subscribe((n) => console.log(n, 'stalled orders'));
 * ```
 */
export function createConvoyListStore<TDefinitions extends AnyConvoyDefinition>(
  client: ConvoyClient<TDefinitions>,
  options: ConvoyListStoreOptions & { readonly type: TDefinitions['type'] },
): LiveConvoyListStore {
  const limit = options.limit ?? 50;
  const { status } = options;
  const fits = (view: ConvoyView): boolean => status === undefined || view.status === status;
  const newestFirst = (a: ConvoyView, b: ConvoyView): number =>
    Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const initial: ConvoyListStoreContext = {
    items: [],
    connection: 'connecting',
    error: null,
    lastEventId: null,
  };
  const store = createStore({
    context: initial,
    on: {
      ...link<ConvoyListStoreContext>(),
      listed: (context, event: { items: readonly ConvoyView[] }): ConvoyListStoreContext => {
        const newest = event.items.reduce<ConvoyView | undefined>(
          (best, view) => (best === undefined || newestFirst(view, best) < 0 ? view : best),
          undefined,
        );
        return {
          ...context,
          items: [...event.items].sort(newestFirst).slice(0, limit),
          lastEventId: newest === undefined ? context.lastEventId : typeEventId(newest),
        };
      },
      changed: (context, event: StreamEvent): ConvoyListStoreContext => {
        const others = context.items.filter((item) => item.id !== event.view.id);
        const items = fits(event.view) ? [...others, event.view].sort(newestFirst).slice(0, limit) : others;
        return { ...context, items, lastEventId: event.id ?? context.lastEventId };
      },
    },
  });
  const abort = new AbortController();
  const start = async (): Promise<void> => {
    try {
      const page = await client.list(options.type, { limit, ...(status === undefined ? {} : { status }) });
      store.trigger.listed({ items: page.items });
    } catch (error) {
      if (isConvoyError(error)) {
        store.trigger.refused({ error });
        return;
      }
      // Unreachable for now: the stream's retries take over (and the list fills from its events).
    }
    await follow({
      open: (lastEventId, onOpen) =>
        client.stream(
          { type: options.type },
          { signal: abort.signal, onOpen, ...(lastEventId === undefined ? {} : { lastEventId }) },
        ),
      lastEventId: () => store.getSnapshot().context.lastEventId ?? undefined,
      signal: abort.signal,
      retryMs: options.retryMs ?? 1000,
      onOpen: () => store.trigger.opened({}),
      onEvent: (event) => store.trigger.changed(event),
      onDropped: () => store.trigger.dropped({}),
      onRefused: (error) => store.trigger.refused({ error }),
    });
  };
  void start();
  return Object.assign(store, {
    close(): void {
      abort.abort();
      store.trigger.closed({});
    },
  });
}
