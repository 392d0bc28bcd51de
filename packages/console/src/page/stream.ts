/// <reference lib="dom" />
/**
 * Server-Sent Events read with `fetch` (an `EventSource` cannot send the bearer token): the API's
 * stream routes, reconnected after a second with `Last-Event-ID`, until stopped.
 */
import { ApiError, storedToken } from './api.ts';

/** What a stream tells its reader. */
export interface StreamHandlers {
  /** One `event: convoy` with its parsed data. */
  readonly onEvent: (data: unknown, id: string | undefined) => void;
  /** Connected (true) or waiting to reconnect (false). */
  readonly onLive: (live: boolean) => void;
  /** A refusal (e.g. 401): the stream stops. */
  readonly onError: (error: ApiError) => void;
}

/** One SSE block (`event:`, `id:`, `data:` lines) as its parts. */
function parseBlock(block: string): { event: string; id?: string; data: string } {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  return { event, ...(id === undefined ? {} : { id }), data: data.join('\n') };
}

/** Follow `url` until the returned function is called. */
export function followStream(url: string, handlers: StreamHandlers, lastEventId?: string): () => void {
  const abort = new AbortController();
  let last = lastEventId;
  const connect = async (): Promise<void> => {
    const token = storedToken();
    const response = await fetch(url, {
      signal: abort.signal,
      headers: {
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(last === undefined ? {} : { 'last-event-id': last }),
      },
    });
    if (!response.ok || response.body === null) {
      const body = await response.json().catch(() => null);
      throw new ApiError(response.status, body);
    }
    handlers.onLive(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (block.id !== undefined) last = block.id;
        if (block.event === 'convoy' && block.data !== '') handlers.onEvent(JSON.parse(block.data), block.id);
      }
    }
  };
  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        await connect();
      } catch (error) {
        if (abort.signal.aborted) return;
        // A refusal will not change by retrying (bad token, unknown convoy): say so and stop.
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
          handlers.onError(error);
          return;
        }
      }
      if (abort.signal.aborted) return;
      handlers.onLive(false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void loop();
  return () => abort.abort();
}
