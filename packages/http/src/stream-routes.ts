/**
 * Live streams (Server-Sent Events) of committed changes: every convoy of a type
 * (`GET /convoys/:type/stream`) or one convoy (`GET /convoys/:type/:id/stream`). Each event's data is
 * the convoy view. Woken by the gateway's `subscribe` when present (at once, for commits made in this
 * process) and by polling the store every `pollMs` in any case: on Redis, other processes commit too (an
 * HTTP-only node commits nothing itself), and only the store sees their commits.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyGateway, ConvoyKey, ConvoyView } from '@convoy/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthHooks } from './auth.ts';
import type { ApiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import { notFound } from './not-found.ts';

/** Timings of the streams. */
export interface StreamTimings {
  /** Poll interval: how late a commit made by another process shows on a stream, at most. */
  readonly pollMs: number;
  /** Interval of the `: ping` comments that keep proxies from closing an idle stream. */
  readonly heartbeatMs: number;
}

/** A view's place in the per-type stream: `<updatedAt epoch ms>-<id>` (parsed back at the first `-`). */
const typeEventId = (view: ConvoyView): string => `${Date.parse(view.updatedAt)}-${view.id}`;

/** What a client already has of a convoy: a change of any of these is worth an event. */
const signature = (view: ConvoyView): string =>
  `${view.updatedAt}|${view.seq}|${view.accepted}|${view.status}`;

/** Open an SSE response on a hijacked reply; returns the writer and the function ending it. */
function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  timings: StreamTimings,
  onEnd: () => void,
): { readonly send: (id: string, view: ConvoyView) => void; readonly end: () => void; ended: () => boolean } {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 1000\n\n');
  let ended = false;
  const heartbeat = setInterval(() => raw.write(': ping\n\n'), timings.heartbeatMs);
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    if (!raw.writableEnded) raw.end();
    onEnd();
  };
  // The response's `close` fires when the client disconnects; a write racing a disconnect errors.
  raw.once('close', end);
  raw.once('error', end);
  request.log.debug({ url: request.url }, 'convoy stream opened');
  return {
    send: (id, view) => {
      if (!ended) raw.write(`event: convoy\nid: ${id}\ndata: ${JSON.stringify(view)}\n\n`);
    },
    end,
    ended: () => ended,
  };
}

/** One refresh at a time; a wake-up during a refresh triggers exactly one more (none is lost). */
function serialised(run: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running = false;
  let again = false;
  const trigger = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    run()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          trigger();
        }
      });
  };
  return trigger;
}

function headerLastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  return typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : undefined;
}

/** Register both stream routes; returns nothing, streams end on `preClose`. */
export function registerStreamRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
  routes: ApiRoutes,
  timings: StreamTimings,
): void {
  const streams = new Set<() => void>();
  // Open streams never end on their own: end them so `close()` does not wait for the clients.
  instance.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  /** In-process commits wake `onCommit` at once; `onPoll` runs every `pollMs` for everyone else's. */
  const wake = (
    isMine: (key: ConvoyKey) => boolean,
    onCommit: () => void,
    onPoll: () => void,
  ): (() => void) => {
    const unsubscribe = gateway.subscribe?.((key) => {
      if (isMine(key)) onCommit();
    });
    const poller = setInterval(onPoll, timings.pollMs);
    return () => {
      unsubscribe?.();
      clearInterval(poller);
    };
  };

  serve(instance, auth, routes['GET /convoys/:type/stream'], async ({ params }, request, reply) => {
    const { type } = params;
    gateway.describeType(type); // 404 unknown_convoy_type before the stream opens
    const resume = headerLastEventId(request);
    const resumeMs = resume === undefined ? undefined : Number(resume.slice(0, resume.indexOf('-')));
    if (resume !== undefined && (!Number.isSafeInteger(resumeMs) || resume.indexOf('-') < 1)) {
      throw new ConvoyError('invalid_request', 'Last-Event-ID must be an id of this stream (<ms>-<id>)');
    }
    const sent = new Map<string, string>();
    // Changes are read from the index at or after this time (the last one seen; equal times are
    // de-duplicated by signature).
    let since = resumeMs;
    const emit = (view: ConvoyView): void => {
      if (sent.get(view.id) === signature(view)) return;
      // Bounded memory: forgetting only risks re-sending an unchanged view once.
      if (sent.size >= 10_000) sent.clear();
      sent.set(view.id, signature(view));
      since = Math.max(since ?? 0, Date.parse(view.updatedAt));
      stream.send(typeEventId(view), view);
    };
    const scan = async (): Promise<void> => {
      if (since === undefined) return;
      const views: ConvoyView[] = [];
      let cursor: string | undefined;
      do {
        const page = await gateway.listConvoys({
          type,
          updatedAfter: since,
          limit: 200,
          ...(cursor === undefined ? {} : { cursor }),
        });
        views.push(...page.items);
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined && !stream.ended());
      // Oldest change first, as they happened; the resume id itself was already seen by the client.
      views.sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || a.id.localeCompare(b.id));
      for (const view of views) {
        // The client's own last event: already seen, unless the convoy changed since.
        if (typeEventId(view) === resume && !sent.has(view.id)) sent.set(view.id, signature(view));
        else emit(view);
      }
    };
    // Convoys this process committed (read at once) and whether a poll of the index is due.
    const pending = new Set<string>();
    let pollDue = false;
    const refresh = async (): Promise<void> => {
      const ids = [...pending];
      pending.clear();
      for (const id of ids) {
        const view = await gateway.getConvoy({ type, id });
        if (view !== null) emit(view);
      }
      if (pollDue) {
        pollDue = false;
        await scan();
      }
    };
    const onError = (error: unknown): void => request.log.warn({ err: error }, 'type stream: read failed');
    const stream = openStream(request, reply, timings, () => {
      stop();
      streams.delete(stream.end);
    });
    streams.add(stream.end);
    const trigger = serialised(refresh, onError);
    const stop = wake(
      (key) => {
        if (key.type !== type) return false;
        pending.add(key.id);
        return true;
      },
      trigger,
      () => {
        pollDue = true;
        trigger();
      },
    );
    // Without resume, the stream starts from now (only later changes are news).
    since ??= Date.now();
    if (resume !== undefined) {
      pollDue = true;
      trigger();
    }
  });

  serve(instance, auth, routes['GET /convoys/:type/:id/stream'], async ({ params: key }, request, reply) => {
    const first = await gateway.getConvoy(key);
    if (first === null) throw notFound(key);
    const resume = headerLastEventId(request);
    const resumeSeq = resume !== undefined && /^\d{1,15}$/.test(resume) ? Number(resume) : undefined;
    let last: string | undefined;
    const refresh = async (): Promise<void> => {
      const view = await gateway.getConvoy(key);
      if (view === null) return;
      const text = JSON.stringify(view);
      if (text === last) return;
      const isFirst = last === undefined;
      last = text;
      // The client already saw this processed seq (it reconnected): stay quiet until something changes.
      if (isFirst && resumeSeq !== undefined && view.seq <= resumeSeq) return;
      stream.send(String(view.seq), view);
    };
    const stream = openStream(request, reply, timings, () => {
      stop();
      streams.delete(stream.end);
    });
    streams.add(stream.end);
    const trigger = serialised(refresh, (error) =>
      request.log.warn({ err: error }, 'convoy stream: read failed'),
    );
    const stop = wake((changed) => changed.type === key.type && changed.id === key.id, trigger, trigger);
    trigger();
  });
}
