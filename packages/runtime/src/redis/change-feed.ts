/**
 * The Redis change feed: one STREAM per convoy type (`RedisKeys.changeFeed`), appended on each commit and
 * operator change, and read by ONE blocking `XREAD` per type and process, fanned out to every watcher of
 * that type in the process. Idle, a reader costs one command per `blockMs`.
 *
 * On a single Redis the store's scripts append to the feed themselves (`lua/lib/change-feed.lua`), in
 * the same atomic step as the change: no extra round trip, and no notification lost to a crash. On
 * Cluster a per-type key cannot share every bucket's slot, so there the node appends after the script
 * (`publish`), and a crash between the two loses that notification: watchers poll the index slowly as
 * well. A reader that loses its connection tells its watchers (`onGap`) so they catch up.
 */
import type { ConvoyKey } from '@convoy/core';
import type { Cluster, Redis } from 'ioredis';
import { LocalChangeFeed, type ChangeWatcher } from '../change-feed.ts';
import type { RedisKeys } from './keys.ts';

/** Tunables of the Redis change feed. */
export interface RedisChangeFeedOptions {
  /**
   * Entries kept per type (`XADD MAXLEN ~`): a reader further behind than this misses changes (its
   * watchers then rely on their index poll).
   * @defaultValue 10_000
   */
  readonly maxLen?: number;
  /**
   * How long one `XREAD` blocks before it is sent again (the idle cost of a reader: one command per block).
   * @defaultValue 5_000
   */
  readonly blockMs?: number;
  /** Pause after a failed read before the next (Redis unreachable). @defaultValue 1_000 */
  readonly retryMs?: number;
  /**
   * Append in the store's scripts (same atomic step, no extra round trip) instead of with a separate
   * `XADD` after each. Always off on a Cluster client (the feed is in another slot than the convoy); turn
   * it off for a single-node Redis with `cluster-enabled yes` reached through a plain client, which
   * refuses a script's cross-slot keys.
   * @defaultValue true on a standalone client, false on a Cluster client
   */
  readonly inScripts?: boolean;
}

/** Where a store script appends a change (see `lua/lib/change-feed.lua`). */
export interface FeedTarget {
  /** The type's feed, or (the node publishes) the key of the convoy's own slot the caller passed. */
  readonly key: string;
  /** `MAXLEN ~` of the append; 0 when the script must not append (the node publishes). */
  readonly maxLen: number;
}

type ReaderOptions = Required<Omit<RedisChangeFeedOptions, 'inScripts'>>;

/** One type's reader: a dedicated connection blocked in `XREAD` on the type's feed. */
class TypeReader {
  #stopped = false;
  readonly #connection: Redis | Cluster;

  constructor(
    client: Redis | Cluster,
    private readonly feedKey: string,
    private readonly type: string,
    private readonly local: LocalChangeFeed,
    private readonly options: ReaderOptions,
  ) {
    // A blocking read holds its connection: never the store's shared one.
    this.#connection = isCluster(client) ? client.duplicate() : client.duplicate();
    this.#connection.on('error', () => undefined);
    void this.#run();
  }

  async #run(): Promise<void> {
    let lastId: string | undefined;
    while (!this.#stopped) {
      try {
        // Start after the newest entry: watchers want changes from now on (resume reads the index).
        lastId ??= (await this.#connection.xrevrange(this.feedKey, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
        const reply = await this.#connection.xread(
          'COUNT',
          1000,
          'BLOCK',
          this.options.blockMs,
          'STREAMS',
          this.feedKey,
          lastId,
        );
        for (const [, entries] of reply ?? []) {
          for (const [entryId, fields] of entries) {
            lastId = entryId;
            const id = fieldOf(fields, 'id');
            if (id !== undefined) this.local.publish({ type: this.type, id });
          }
        }
      } catch {
        if (this.#stopped) return;
        // Changes made meanwhile are still in the feed (read from `lastId` once back), unless trimmed or
        // Redis lost them: the watchers catch up from the index.
        this.local.gap(this.type);
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMs).unref());
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    // Ends the blocked XREAD at once (it rejects; the loop sees `stopped`).
    this.#connection.disconnect();
  }
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Publishes to and reads the per-type change feeds of one key space. */
export class RedisChangeFeed {
  readonly #local = new LocalChangeFeed();
  readonly #readers = new Map<string, TypeReader>();
  readonly #options: ReaderOptions;
  /** True when the store's scripts append every change themselves: then nobody calls `publish`. */
  readonly inScripts: boolean;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    options: RedisChangeFeedOptions = {},
  ) {
    const { inScripts, ...rest } = options;
    this.#options = { maxLen: 10_000, blockMs: 5_000, retryMs: 1_000, ...rest };
    this.inScripts = !isCluster(client) && inScripts !== false && this.#options.maxLen > 0;
  }

  /**
   * The feed key and cap a script that changes `key`'s convoy appends with: the type's feed when
   * `inScripts`, else `sameSlotKey` (a key of the convoy's slot, never written: Cluster refuses a script
   * whose keys span slots) and a cap of 0.
   */
  scriptTarget(key: ConvoyKey, sameSlotKey: string): FeedTarget {
    return this.inScripts
      ? { key: this.keys.changeFeed(key.type), maxLen: this.#options.maxLen }
      : { key: sameSlotKey, maxLen: 0 };
  }

  /**
   * Append a change with its own `XADD` (only when not `inScripts`); not awaited by the caller's step,
   * and a failure is only a lost notification.
   */
  publish(key: ConvoyKey): void {
    this.client
      .xadd(this.keys.changeFeed(key.type), 'MAXLEN', '~', String(this.#options.maxLen), '*', 'id', key.id)
      .catch(() => undefined);
  }

  /** Watch one type: the first watcher of a type starts its reader, the last one stops it. */
  watch(type: string, watcher: ChangeWatcher): () => void {
    return this.#local.watch(type, watcher, {
      onFirst: () => {
        this.#readers.set(
          type,
          new TypeReader(this.client, this.keys.changeFeed(type), type, this.#local, this.#options),
        );
      },
      onLast: () => {
        this.#readers.get(type)?.stop();
        this.#readers.delete(type);
      },
    });
  }

  /** Stop every reader (the store closes). */
  close(): void {
    for (const reader of this.#readers.values()) reader.stop();
    this.#readers.clear();
  }
}
