/**
 * The memory store's per-type indexes: each convoy's status and last update (for listing and counting
 * by status), and the convoys holding dead letters (by their latest one). Kept at accept, commit and
 * operator time like the Redis store's ZSETs; never a scan of the convoys themselves.
 */
import type { ConvoyKey, ConvoyStatus } from '@convoy/core';
import type { ConvoyIndexPage, ListConvoysQuery } from '@convoy/core/store';
import { compareIndexPositions, decodeIndexCursor, isAfterCursor, pageOf } from '../index-cursor.ts';

/** Position of a convoy in an index: its member id and the time it is sorted by. */
interface IndexPosition {
  readonly member: string;
  readonly at: number;
}

/** The per-type indexes of the memory store; members are the store's slot ids. */
export class MemoryConvoyIndexes {
  /** Per type: each convoy's indexed status and `updatedAt`. */
  readonly #status = new Map<string, Map<string, { status: ConvoyStatus; at: number }>>();
  /** Per type: convoys holding dead letters, by the time of their latest one. */
  readonly #deadLetters = new Map<string, Map<string, number>>();

  /**
   * @param keyOf - the convoy key of a member, or undefined when the convoy is gone (a page then skips it)
   */
  constructor(private readonly keyOf: (member: string) => ConvoyKey | undefined) {}

  /** Index `member` (a convoy of `type`) under `status` at time `at`. */
  setStatus(type: string, member: string, status: ConvoyStatus, at: number): void {
    byType(this.#status, type).set(member, { status, at });
  }

  /** Record the time of a convoy's latest dead letter, or drop it from the index when it has none. */
  setLatestDeadLetter(type: string, member: string, latestAt: number | undefined): void {
    const index = byType(this.#deadLetters, type);
    if (latestAt === undefined) index.delete(member);
    else index.set(member, latestAt);
  }

  /** Forget a convoy entirely (it expired). */
  remove(type: string, member: string): void {
    this.#status.get(type)?.delete(member);
    this.#deadLetters.get(type)?.delete(member);
  }

  /** Convoys of a type by status / update time, oldest first, in cursor pages. */
  listConvoys(query: ListConvoysQuery): ConvoyIndexPage {
    const candidates = [...(this.#status.get(query.type) ?? new Map())]
      .filter(([, entry]) => query.status === undefined || entry.status === query.status)
      .filter(([, entry]) => query.updatedAfter === undefined || entry.at >= query.updatedAfter)
      .map(([member, entry]) => ({ member, at: entry.at }));
    return this.#page(candidates, query.cursor, query.limit);
  }

  /** How many convoys of a type are in each status. */
  countConvoys(type: string): Readonly<Record<ConvoyStatus, number>> {
    const counts: Record<ConvoyStatus, number> = { active: 0, done: 0, blocked: 0, stalled: 0, paused: 0 };
    for (const entry of this.#status.get(type)?.values() ?? []) counts[entry.status] += 1;
    return counts;
  }

  /** How many convoys of a type hold dead letters. */
  countDeadLetterConvoys(type: string): number {
    return this.#deadLetters.get(type)?.size ?? 0;
  }

  /** Convoys of a type holding dead letters, by their latest one, in cursor pages. */
  listDeadLetterConvoys(query: {
    readonly type: string;
    readonly limit: number;
    readonly cursor?: string;
  }): ConvoyIndexPage {
    const candidates = [...(this.#deadLetters.get(query.type) ?? new Map<string, number>())].map(
      ([member, at]) => ({ member, at }),
    );
    return this.#page(candidates, query.cursor, query.limit);
  }

  #page(
    candidates: readonly IndexPosition[],
    cursorText: string | undefined,
    limit: number,
  ): ConvoyIndexPage {
    const cursor = cursorText === undefined ? undefined : decodeIndexCursor(cursorText);
    const sorted = candidates.filter((item) => isAfterCursor(item, cursor)).sort(compareIndexPositions);
    const page = pageOf(sorted, limit);
    return {
      items: page.items.flatMap(({ member, at }) => {
        const key = this.keyOf(member);
        return key ? [{ key: { ...key }, at }] : [];
      }),
      cursor: page.cursor,
    };
  }
}

function byType<V>(indexes: Map<string, Map<string, V>>, type: string): Map<string, V> {
  let index = indexes.get(type);
  if (!index) {
    index = new Map();
    indexes.set(type, index);
  }
  return index;
}
