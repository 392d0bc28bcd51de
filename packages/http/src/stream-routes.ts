/**
 * Live streams (Server-Sent Events) of changes: every convoy of a type (`GET /convoys/:type/stream`) or
 * one convoy (`GET /convoys/:type/:id/stream`). Each event's data is the convoy view. Both subscribe to
 * their type's channel in the {@link StreamHub} (one change feed reader per type and node, one read per
 * change, fanned out), so an open stream costs nothing while nothing changes.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyGateway, ConvoyView } from '@convoy/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthHooks } from './auth.ts';
import type { ApiRoutes } from './contract/routes.ts';
import { serve } from './contract/serve.ts';
import { notFound } from './not-found.ts';
import { openSseStream, type SseWriter } from './sse-writer.ts';
import { scanIndex, type StreamHub } from './stream-hub.ts';

/** A view's place in the per-type stream: `<updatedAt epoch ms>-<id>` (parsed back at the first `-`). */
const typeEventId = (view: ConvoyView): string => `${Date.parse(view.updatedAt)}-${view.id}`;

/** What a client already has of a convoy: a change of any of these is worth an event. */
const signature = (view: ConvoyView): string =>
  `${view.updatedAt}|${view.seq}|${view.accepted}|${view.status}`;

/** True when `view` is older than `than` (a read that lost a race with a newer one). */
const isOlder = (view: ConvoyView, than: ConvoyView): boolean =>
  (Date.parse(view.updatedAt) - Date.parse(than.updatedAt) ||
    view.seq - than.seq ||
    view.accepted - than.accepted) < 0;

function headerLastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  return typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : undefined;
}

/** Admit a stream (cap), open its response, and tie its end to the hub's bookkeeping. */
function openCounted(
  hub: StreamHub,
  request: FastifyRequest,
  reply: FastifyReply,
  release: () => void,
  onEnd: () => void,
): SseWriter {
  let untrack = (): void => undefined;
  const writer = openSseStream(request, reply, {
    heartbeatMs: hub.settings.heartbeatMs,
    bufferLimit: hub.settings.bufferBytes,
    onEnd: (reason) => {
      if (reason === 'dropped') hub.countDropped();
      untrack();
      release();
      onEnd();
    },
  });
  untrack = hub.track(writer);
  return writer;
}

/** Register both stream routes; open streams end on `preClose`. */
export function registerStreamRoutes(
  instance: FastifyInstance,
  gateway: ConvoyGateway,
  auth: AuthHooks,
  routes: ApiRoutes,
  hub: StreamHub,
): void {
  // Open streams never end on their own: end them so `close()` does not wait for the clients.
  instance.addHook('preClose', async () => hub.endAll());

  serve(instance, auth, routes['GET /convoys/:type/stream'], async ({ params }, request, reply) => {
    const { type } = params;
    gateway.describeType(type); // 404 unknown_convoy_type before the stream opens
    const resume = headerLastEventId(request);
    const resumeMs = resume === undefined ? undefined : Number(resume.slice(0, resume.indexOf('-')));
    if (resume !== undefined && (!Number.isSafeInteger(resumeMs) || resume.indexOf('-') < 1)) {
      throw new ConvoyError('invalid_request', 'Last-Event-ID must be an id of this stream (<ms>-<id>)');
    }
    const release = hub.admit();
    const sent = new Map<string, string>();
    const emit = (view: ConvoyView): void => {
      if (sent.get(view.id) === signature(view)) return;
      // Bounded memory: forgetting only risks re-sending an unchanged view once.
      if (sent.size >= 10_000) sent.clear();
      sent.set(view.id, signature(view));
      stream.send(typeEventId(view), view);
    };
    // Views arriving while the resume scan runs wait for it, so the client gets changes in order.
    let held: ConvoyView[] | undefined = resume === undefined ? undefined : [];
    let unsubscribe = (): void => undefined;
    const stream = openCounted(hub, request, reply, release, () => unsubscribe());
    unsubscribe = hub.subscribe(
      type,
      {
        onView: (view) => {
          if (held !== undefined) held.push(view);
          else emit(view);
        },
      },
      request.log,
    );
    if (stream.ended) unsubscribe();
    if (resume !== undefined && resumeMs !== undefined) {
      try {
        // Resync from the index once: every change at or after the client's last event.
        for (const view of await scanIndex(gateway, type, resumeMs, () => stream.ended)) {
          // The client's own last event: already seen, unless the convoy changed since.
          if (typeEventId(view) === resume && !sent.has(view.id)) sent.set(view.id, signature(view));
          else emit(view);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'type stream: resume read failed');
      }
      const waiting = held ?? [];
      held = undefined;
      for (const view of waiting) emit(view);
    }
  });

  serve(instance, auth, routes['GET /convoys/:type/:id/stream'], async ({ params: key }, request, reply) => {
    const first = await gateway.getConvoy(key);
    if (first === null) throw notFound(key);
    const resume = headerLastEventId(request);
    const resumeSeq = resume !== undefined && /^\d{1,15}$/.test(resume) ? Number(resume) : undefined;
    const release = hub.admit();
    let last: ConvoyView | undefined;
    let lastText: string | undefined;
    const emit = (view: ConvoyView): void => {
      if (last !== undefined && isOlder(view, last)) return;
      const text = JSON.stringify(view);
      if (text === lastText) return;
      const isFirst = lastText === undefined;
      last = view;
      lastText = text;
      // The client already saw this processed seq (it reconnected): stay quiet until something changes.
      if (isFirst && resumeSeq !== undefined && view.seq <= resumeSeq) return;
      stream.send(String(view.seq), view);
    };
    let unsubscribe = (): void => undefined;
    const stream = openCounted(hub, request, reply, release, () => unsubscribe());
    unsubscribe = hub.subscribe(
      key.type,
      {
        onView: (view) => {
          if (view.id === key.id) emit(view);
        },
      },
      request.log,
    );
    if (stream.ended) unsubscribe();
    // Subscribed first, then read: a change between the 404 check and the subscription is not missed.
    try {
      const now = await gateway.getConvoy(key);
      emit(now ?? first);
    } catch (error) {
      request.log.warn({ err: error }, 'convoy stream: read failed');
      emit(first);
    }
  });
}
