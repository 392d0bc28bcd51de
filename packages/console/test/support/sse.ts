/**
 * A small Server-Sent Events reader over a real socket, for the stream tests. It uses `node:http` rather
 * than fetch: aborting a fetch leaves undici's socket open, which would hold `server.close()` up to its
 * keep-alive timeout, unlike a browser closing its EventSource.
 */
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/** One received event. */
export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/** An open stream: read its events one by one, with a deadline. */
export interface SseClient {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The next event; rejects after `timeoutMs` or when the server ends the stream. */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** Resolves true when no event arrived within `ms`. */
  quietFor(ms: number): Promise<boolean>;
  close(): void;
}

/** Parse one event block (the lines between blank lines); comments and `retry:` carry no event. */
function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = text;
    else if (field === 'id') id = text;
    else if (field === 'data') data.push(text);
  }
  return data.length > 0 ? { event, id, data: data.join('\n') } : undefined;
}

/** Open `url` as an event stream. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } });
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  response.setEncoding('utf8');
  const queue: SseEvent[] = [];
  let buffer = '';
  let closed = false;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;

  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event !== undefined) queue.push(event);
    }
    wake?.();
  });
  response.once('end', () => {
    failed = new Error('the stream ended');
    wake?.();
  });
  response.once('error', (error) => {
    failed = error;
    wake?.();
  });

  const next = async (timeoutMs = 5000): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = queue.shift();
      if (event !== undefined) return event;
      if (failed !== undefined && !closed) throw failed;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  return {
    status: response.statusCode ?? 0,
    headers: response.headers,
    next,
    quietFor: async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return queue.length === 0;
    },
    close: () => {
      closed = true;
      request.destroy();
    },
  };
}
