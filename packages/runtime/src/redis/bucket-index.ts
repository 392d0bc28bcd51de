/**
 * Reads the per-bucket indexes (dirty convoys, due timers). Every bucket is read with its own command so
 * each touches one slot on Cluster; the keyspace is never scanned.
 */
import type { ConvoyKey } from '@convoy/core';
import type { Cluster, Redis } from 'ioredis';
import { decodeMember, decodeTimerMember } from './keys.ts';
import type { RedisKeys } from './keys.ts';

interface Scored {
  readonly member: string;
  readonly score: number;
}

/** Readers of the bucket indexes of one key space. */
export function bucketIndexReader(client: Redis | Cluster, keys: RedisKeys) {
  const buckets = Array.from({ length: keys.buckets }, (_, bucket) => bucket);

  /** Takes the `limit` lowest-scored members over all buckets (each bucket already returns its lowest). */
  const merge = (perBucket: string[][], limit: number): Scored[] =>
    perBucket
      .flatMap((flat) => {
        const items: Scored[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2)
          items.push({ member: flat[i]!, score: Number(flat[i + 1]) });
        return items;
      })
      .sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
      .slice(0, limit);

  return {
    /** Convoys with unprocessed events, oldest dirty mark first. */
    async dirtyConvoys(limit: number): Promise<ConvoyKey[]> {
      if (limit <= 0) return [];
      const perBucket = await Promise.all(
        buckets.map((b) => client.zrange(keys.dirty(b), '0', String(limit - 1), 'WITHSCORES')),
      );
      return merge(perBucket, limit).flatMap(({ member }) => decodeMember(member) ?? []);
    },

    /** Armed timers due at `now`, earliest first (the timer bodies are read separately). */
    async dueTimers(now: number, limit: number): Promise<Array<{ key: ConvoyKey; timerId: string }>> {
      if (limit <= 0) return [];
      const perBucket = await Promise.all(
        buckets.map((b) =>
          client.zrangebyscore(keys.due(b), '-inf', String(now), 'WITHSCORES', 'LIMIT', '0', String(limit)),
        ),
      );
      return merge(perBucket, limit).flatMap(({ member }) => decodeTimerMember(member) ?? []);
    },
  };
}
