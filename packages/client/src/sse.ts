/**
 * Server-Sent Events read from a `fetch` response body (Node 20 and browsers alike; an `EventSource`
 * cannot send a bearer token). Parses the `event:`, `id:` and `data:` fields of each block; comments
 * (`: ping`) and unknown fields are skipped.
 */

/** One SSE message. */
export interface SseMessage {
  readonly event: string;
  /** The message's `id:`, when it has one (the stream's resume point). */
  readonly id?: string;
  readonly data: string;
}

/** One block's fields (lines already split, CR LF normalised). */
function parseBlock(block: string): SseMessage {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  return { event, ...(id === undefined ? {} : { id }), data: data.join('\n') };
}

/** Yield each message of an SSE body until the server ends it (or the reader is cancelled). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const message = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (message.data !== '' || message.id !== undefined) yield message;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
