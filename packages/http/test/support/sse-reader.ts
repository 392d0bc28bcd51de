/**
 * A reader of Server-Sent Events from a fetch response, for the stream tests.
 */
export interface SseEvent {
  readonly id: string;
  readonly data: {
    readonly id: string;
    readonly type: string;
    readonly seq: number;
    readonly value: unknown;
  };
}

/** Read SSE events from a streaming response until `count` arrived (or the stream ends). */
export function sseReader(response: Response): {
  next(count: number, timeoutMs?: number): Promise<SseEvent[]>;
} {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const events: SseEvent[] = [];
  // A read that lost the race against the timeout stays pending: the next call must reuse it.
  let pending: ReturnType<typeof reader.read> | undefined;
  return {
    async next(count, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count && Date.now() < deadline) {
        const chunk = await Promise.race([
          (pending ??= reader.read()),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
        ]);
        if (chunk === null) break;
        pending = undefined;
        if (chunk.done) break;
        buffer += chunk.value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined)
            events.push({ id, data: JSON.parse(data) as SseEvent['data'] });
        }
      }
      return events.splice(0, Math.min(count, events.length));
    },
  };
}
