/**
 * The streams of one plugin instance: the cap on open streams, their buffered bytes, and ONE channel per
 * convoy type fanned out to every stream of that type. A channel watches its type through the gateway
 * (`watchType`: a change feed shared by every process, or this process's commits only), reads each
 * changed convoy once and hands the view to every subscriber; it polls the status index only as a slow
 * fallback (or at `pollMs` when the watch sees this process only), and once after a gap.
 */
import { ConvoyError } from '@convoy/core';
import type { ConvoyChangeWatch, ConvoyGateway, ConvoyView } from '@convoy/core';
import type { FastifyBaseLogger } from 'fastify';
import type { SseWriter } from './sse-writer.ts';

/** Timings and limits of the streams. */
export interface StreamSettings {
  /** Index poll interval when the gateway cannot watch every process's changes (no shared feed). */
  readonly pollMs: number;
  /** Index poll interval beside a complete change feed: catches a notification lost in a crash. */
  readonly fallbackPollMs: number;
  /** Interval of the `: ping` comments. */
  readonly heartbeatMs: number;
  /** Open streams allowed; one more is refused with `too_many_streams`. */
  readonly maxStreams: number;
  /** Bytes held for a client that does not read before it is dropped. */
  readonly bufferBytes: number;
}

/** Live figures of the streams of one plugin instance (read by tests, metrics and operators). */
export interface ConvoyStreamStats {
  /** Streams open now. */
  readonly open: number;
  /** Bytes written to open streams and not yet taken by their sockets. */
  readonly bufferedBytes: number;
  /** Streams dropped because their client did not read past the buffer limit (since start). */
  readonly dropped: number;
  /** Streams refused with `too_many_streams` (since start). */
  readonly refused: number;
  /** Convoy types with a channel (one watch and one reader each). */
  readonly channels: number;
  /** Convoy views read to feed the streams (one per change per channel, plus index scans). */
  readonly reads: number;
}

/** A stream's subscription to its type's channel. */
export interface ChannelSubscriber {
  /** A view read after a change (or found by an index scan); the subscriber de-duplicates. */
  readonly onView: (view: ConvoyView) => void;
}

/** Seconds a refused client is asked to wait. */
const retryAfterSeconds = 5;
/** Index scans start this long before the previous scan, so a commit stamped by a lagging clock is seen. */
const scanSlackMs = 5_000;

/** One type's fan-out: one watch, one serialised reader, every subscriber of the type. */
class TypeChannel {
  readonly subscribers = new Set<ChannelSubscriber>();
  readonly #pending = new Set<string>();
  #scanDue = false;
  #running = false;
  #again = false;
  #scanFrom = Date.now();
  readonly #watch: ConvoyChangeWatch;
  readonly #poller: NodeJS.Timeout;

  constructor(
    private readonly type: string,
    private readonly gateway: ConvoyGateway,
    settings: StreamSettings,
    private readonly log: FastifyBaseLogger,
    private readonly counters: { reads: number },
  ) {
    const onChange = (id: string): void => {
      this.#pending.add(id);
      this.#trigger();
    };
    const onGap = (): void => {
      this.#scanDue = true;
      this.#trigger();
    };
    this.#watch = gateway.watchType
      ? gateway.watchType(type, { onChange: (key) => onChange(key.id), onGap })
      : legacyWatch(gateway, type, onChange);
    const every = this.#watch.complete ? settings.fallbackPollMs : settings.pollMs;
    this.#poller = setInterval(onGap, every);
    this.#poller.unref();
  }

  close(): void {
    clearInterval(this.#poller);
    this.#watch.close();
  }

  /** One refresh at a time; a wake-up during a refresh triggers exactly one more (none is lost). */
  #trigger(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#refresh()
      .catch((error: unknown) =>
        this.log.warn({ err: error, type: this.type }, 'convoy streams: read failed'),
      )
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.#trigger();
        }
      });
  }

  async #refresh(): Promise<void> {
    const ids = [...this.#pending];
    this.#pending.clear();
    for (const id of ids) {
      if (this.subscribers.size === 0) return;
      this.counters.reads += 1;
      const view = await this.gateway.getConvoy({ type: this.type, id });
      if (view !== null) this.#deliver(view);
    }
    if (this.#scanDue) {
      this.#scanDue = false;
      const from = this.#scanFrom;
      this.#scanFrom = Date.now() - scanSlackMs;
      for (const view of await scanIndex(this.gateway, this.type, from, () => this.subscribers.size === 0)) {
        this.counters.reads += 1;
        this.#deliver(view);
      }
    }
  }

  #deliver(view: ConvoyView): void {
    for (const subscriber of [...this.subscribers]) subscriber.onView(view);
  }
}

/** A gateway without `watchType`: its in-process `subscribe` (if any); the index poll does the rest. */
function legacyWatch(
  gateway: ConvoyGateway,
  type: string,
  onChange: (id: string) => void,
): ConvoyChangeWatch {
  const unsubscribe = gateway.subscribe?.((key) => {
    if (key.type === type) onChange(key.id);
  });
  return { complete: false, close: () => unsubscribe?.() };
}

/** Every convoy of `type` updated at or after `from`, oldest change first (as they happened). */
export async function scanIndex(
  gateway: ConvoyGateway,
  type: string,
  from: number,
  stop: () => boolean = () => false,
): Promise<ConvoyView[]> {
  const views: ConvoyView[] = [];
  let cursor: string | undefined;
  do {
    const page = await gateway.listConvoys({
      type,
      updatedAfter: from,
      limit: 200,
      ...(cursor === undefined ? {} : { cursor }),
    });
    views.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined && !stop());
  return views.sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || a.id.localeCompare(b.id));
}

/** The streams of one plugin instance. */
export class StreamHub {
  readonly #channels = new Map<string, TypeChannel>();
  readonly #writers = new Set<SseWriter>();
  /** Streams admitted and not yet ended (counted before their response opens, so the cap holds). */
  #open = 0;
  #dropped = 0;
  #refused = 0;
  readonly #counters = { reads: 0 };

  constructor(
    readonly settings: StreamSettings,
    private readonly gateway: ConvoyGateway,
  ) {}

  /** Reserve a place for one more stream; throws `too_many_streams` at the cap. Returns the release. */
  admit(): () => void {
    if (this.#open >= this.settings.maxStreams) {
      this.#refused += 1;
      throw new ConvoyError(
        'too_many_streams',
        `This node already has ${this.settings.maxStreams} streams open`,
        { retryAfterSeconds },
      );
    }
    this.#open += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open -= 1;
    };
  }

  /** Count an open stream's writer (for buffered bytes) until it ends. */
  track(writer: SseWriter): () => void {
    this.#writers.add(writer);
    return () => this.#writers.delete(writer);
  }

  /** Count a client dropped for not reading. */
  countDropped(): void {
    this.#dropped += 1;
  }

  /** Subscribe to a type's channel (created on first use, closed with its last subscriber). */
  subscribe(type: string, subscriber: ChannelSubscriber, log: FastifyBaseLogger): () => void {
    let channel = this.#channels.get(type);
    if (channel === undefined) {
      channel = new TypeChannel(type, this.gateway, this.settings, log, this.#counters);
      this.#channels.set(type, channel);
    }
    const entry: ChannelSubscriber = { onView: (view) => subscriber.onView(view) };
    channel.subscribers.add(entry);
    const mine = channel;
    return () => {
      mine.subscribers.delete(entry);
      if (mine.subscribers.size === 0 && this.#channels.get(type) === mine) {
        mine.close();
        this.#channels.delete(type);
      }
    };
  }

  /** End every open stream (the app closes). */
  endAll(): void {
    for (const writer of [...this.#writers]) writer.end();
  }

  /** Live figures. */
  get stats(): ConvoyStreamStats {
    let bufferedBytes = 0;
    for (const writer of this.#writers) bufferedBytes += writer.bufferedBytes;
    return {
      open: this.#open,
      bufferedBytes,
      dropped: this.#dropped,
      refused: this.#refused,
      channels: this.#channels.size,
      reads: this.#counters.reads,
    };
  }
}
