/**
 * One Server-Sent Events response on a hijacked reply, honouring backpressure: when the socket does not
 * take a write (`write()` returns false), later chunks wait in a queue until `drain`; a client whose
 * queue grows past the buffer limit is dropped (its socket destroyed) and everything held for it freed.
 */
import type { ConvoyView } from '@convoy/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Options of one SSE response. */
export interface SseOptions {
  /** Interval of the `: ping` comments that keep proxies from closing an idle stream. */
  readonly heartbeatMs: number;
  /** Bytes held for a client that does not read (queued by us plus Node's own buffer) before it is dropped. */
  readonly bufferLimit: number;
  /** Called once when the stream ends, however it ends. */
  readonly onEnd: (reason: 'closed' | 'dropped') => void;
}

/** The writer of one open stream. */
export interface SseWriter {
  /** Send one `convoy` event (queued while the client is not reading). */
  send(id: string, view: ConvoyView): void;
  /** End the stream (idempotent). */
  end(): void;
  /** True once ended. */
  readonly ended: boolean;
  /** Bytes written but not yet taken by the socket: our queue plus the response's own buffer. */
  readonly bufferedBytes: number;
}

/** Open an SSE response; `reply` is hijacked (Fastify no longer sends anything for it). */
export function openSseStream(request: FastifyRequest, reply: FastifyReply, options: SseOptions): SseWriter {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  let ended = false;
  let waiting = false;
  let queue: string[] = [];
  let queuedBytes = 0;

  const finish = (reason: 'closed' | 'dropped'): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    raw.off('drain', flush);
    queue = [];
    queuedBytes = 0;
    if (reason === 'dropped') raw.destroy();
    else if (!raw.writableEnded) raw.end();
    request.log.debug({ url: request.url, reason }, 'convoy stream ended');
    options.onEnd(reason);
  };

  function flush(): void {
    waiting = false;
    while (!ended && queue.length > 0) {
      const chunk = queue.shift()!;
      queuedBytes -= Buffer.byteLength(chunk);
      if (!raw.write(chunk)) {
        waiting = true;
        raw.once('drain', flush);
        return;
      }
    }
  }

  const write = (chunk: string): void => {
    if (ended) return;
    if (waiting) {
      queue.push(chunk);
      queuedBytes += Buffer.byteLength(chunk);
      if (queuedBytes + raw.writableLength > options.bufferLimit) {
        request.log.warn(
          { url: request.url, bufferedBytes: queuedBytes + raw.writableLength },
          'convoy stream: client not reading; dropped',
        );
        finish('dropped');
      }
      return;
    }
    if (!raw.write(chunk)) {
      waiting = true;
      raw.once('drain', flush);
    }
  };

  write('retry: 1000\n\n');
  const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
  // The response's `close` fires when the client disconnects; a write racing a disconnect errors.
  raw.once('close', () => finish('closed'));
  raw.once('error', () => finish('closed'));
  request.log.debug({ url: request.url }, 'convoy stream opened');
  return {
    send: (id, view) => write(`event: convoy\nid: ${id}\ndata: ${JSON.stringify(view)}\n\n`),
    end: () => finish('closed'),
    get ended() {
      return ended;
    },
    get bufferedBytes() {
      return ended ? 0 : queuedBytes + raw.writableLength;
    },
  };
}
