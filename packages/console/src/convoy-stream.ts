/**
 * The live stream of one convoy: Server-Sent Events carrying {@link ConsoleConvoyState} every time the
 * convoy changes. Each event's `id` is the convoy's processed seq, so a reconnecting `EventSource` (which
 * sends `Last-Event-ID`) only gets the current state again when it is newer than what it saw.
 */
import type { ConvoyGateway, ConvoyGraph, ConvoyKey, HistoryEntry } from '@convoy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { activeStateIds } from './active-states.ts';
import type { ConsoleConvoyState } from './convoy-state.ts';

/** How a stream learns that its convoy may have changed. */
export interface StreamSettings {
  /** The gateway's commit notifications (this process's commits, at once); absent: polling only. */
  readonly subscribe: ConvoyGateway['subscribe'];
  /** Poll interval: the stream re-reads its convoy this often, which carries other processes' commits. */
  readonly pollMs: number;
  /** Interval of the `: ping` comments that keep proxies from closing an idle stream. */
  readonly heartbeatMs: number;
}

const sameKey = (a: ConvoyKey, b: ConvoyKey): boolean => a.type === b.type && a.id === b.id;

const entryTag = (entry: HistoryEntry | undefined): string =>
  entry === undefined ? '' : `${entry.seq}|${entry.at}|${entry.outcome}`;

/** `Last-Event-ID` (or `?lastEventId=` for a first connection that already rendered a state). */
export function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as { lastEventId?: unknown } | undefined)?.lastEventId;
  const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * Serve one convoy's stream on a hijacked reply until the client goes away or `close` is called.
 * Returns the function that ends the stream (the plugin calls it when Fastify closes).
 */
export function streamConvoy(
  gateway: ConvoyGateway,
  key: ConvoyKey,
  graph: ConvoyGraph,
  request: FastifyRequest,
  reply: FastifyReply,
  timing: StreamSettings,
  onEnd: () => void,
): () => void {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 1000\n\n');

  const resumeFrom = lastEventId(request);
  let lastView: string | undefined;
  let sentHistory = 0;
  let lastEntry = '';
  let ended = false;
  let running = false;
  let again = false;

  const send = (state: ConsoleConvoyState): void => {
    raw.write(`event: convoy\nid: ${state.convoy.seq}\ndata: ${JSON.stringify(state)}\n\n`);
  };

  const refresh = async (): Promise<void> => {
    const convoy = await gateway.getConvoy(key);
    if (ended || convoy === null) return;
    const view = JSON.stringify(convoy);
    if (view === lastView) return;
    const first = lastView === undefined;
    lastView = view;
    // The client already has this state (it reconnected after seeing it): stay quiet until it changes,
    // then send the whole history since we cannot know how much of it the client kept.
    if (first && resumeFrom !== undefined && convoy.seq <= resumeFrom) return;
    const history = (await gateway.getHistory(key)) ?? [];
    if (ended) return;
    // A capped history may have dropped its oldest entries: then the client gets it whole again.
    const continues = sentHistory <= history.length && entryTag(history[sentHistory - 1]) === lastEntry;
    const from = continues ? sentHistory : 0;
    send({
      convoy,
      active: activeStateIds(graph, convoy.value),
      history: { from, entries: history.slice(from) },
    });
    sentHistory = history.length;
    lastEntry = entryTag(history.at(-1));
  };

  // One read at a time; a notification arriving during a read triggers exactly one more.
  const trigger = (): void => {
    if (ended) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    refresh()
      .catch((error: unknown) =>
        request.log.warn({ err: error }, 'console stream: reading the convoy failed'),
      )
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          trigger();
        }
      });
  };

  const unsubscribe = timing.subscribe?.((changed) => {
    if (sameKey(changed, key)) trigger();
  });
  // Always poll as well: on Redis other processes commit too, and `subscribe` only hears this one.
  const poller = setInterval(trigger, timing.pollMs);
  const heartbeat = setInterval(() => raw.write(': ping\n\n'), timing.heartbeatMs);

  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe?.();
    clearInterval(poller);
    clearInterval(heartbeat);
    if (!raw.writableEnded) raw.end();
    onEnd();
  };
  // The response's `close` fires when the client disconnects (the request's may fire as soon as its empty
  // body is read).
  raw.once('close', end);
  // A write racing a disconnect fails on the socket: the stream is over, not the server.
  raw.once('error', end);
  trigger();
  return end;
}
