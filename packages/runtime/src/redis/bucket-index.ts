/**
 * Reads the per-bucket work lists (dirty convoys, due timers) in pages. Every bucket is read with its
 * own `scanIndex` script call so each touches one slot on Cluster; the keyspace is never scanned. A page
 * merges the buckets' pages in work-list order (score, then member bytes) and continues strictly after
 * the position the previous page ended at, so a scan passes over every entry instead of re-reading the
 * head.
 */
import type { ConvoyKey } from '@convoy/core';
import { encodeIndexCursor } from '../index-cursor.ts';
import { compareWorkPositions, decodeWorkCursor } from '../work-list.ts';
import { decodeMember, decodeTimerMember } from './keys.ts';
import type { RedisKeys } from './keys.ts';
import type { ScriptCommand } from './scripts.ts';

interface Scored {
  readonly member: string;
  readonly at: number;
}

/** A page of raw members, with the position after its last one (null: the list was read to its end). */
interface MemberPage {
  readonly members: readonly string[];
  readonly next: string | null;
}

/** Readers of the bucket work lists of one key space, through the `scanIndex` script. */
export function bucketIndexReader(scanIndex: ScriptCommand, keys: RedisKeys) {
  const buckets = Array.from({ length: keys.buckets }, (_, bucket) => bucket);

  const scan = async (
    indexOf: (bucket: number) => string,
    max: number | undefined,
    limit: number,
    after: string | undefined,
  ): Promise<MemberPage> => {
    if (limit <= 0) return { members: [], next: after ?? null };
    const cursor = decodeWorkCursor(after);
    const perBucket = (await Promise.all(
      buckets.map((b) =>
        scanIndex(
          indexOf(b),
          cursor === undefined ? '' : String(cursor.at),
          cursor?.member ?? '',
          max === undefined ? '' : String(max),
          limit,
        ),
      ),
    )) as string[][];
    // A bucket that filled its page may hold more after it; otherwise this pass saw all it has.
    const more = perBucket.some((flat) => flat.length >= limit * 2);
    const merged: Scored[] = perBucket
      .flatMap((flat) => {
        const items: Scored[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2)
          items.push({ member: flat[i]!, at: Number(flat[i + 1]) });
        return items;
      })
      .sort(compareWorkPositions);
    const page = merged.slice(0, limit);
    const last = page[page.length - 1];
    return {
      members: page.map(({ member }) => member),
      next: (more || merged.length > limit) && last ? encodeIndexCursor(last) : null,
    };
  };

  return {
    /** Runnable convoys with work, oldest dirty mark first, after `after`. */
    async dirtyConvoys(
      limit: number,
      after?: string,
    ): Promise<{ readonly items: ConvoyKey[]; readonly next: string | null }> {
      const page = await scan((b) => keys.dirty(b), undefined, limit, after);
      return { items: page.members.flatMap((member) => decodeMember(member) ?? []), next: page.next };
    },

    /** Armed timers of runnable convoys due at `now`, earliest first, after `after` (bodies read apart). */
    async dueTimers(
      now: number,
      limit: number,
      after?: string,
    ): Promise<{ readonly items: Array<{ key: ConvoyKey; timerId: string }>; readonly next: string | null }> {
      const page = await scan((b) => keys.due(b), now, limit, after);
      return { items: page.members.flatMap((member) => decodeTimerMember(member) ?? []), next: page.next };
    },
  };
}
