/**
 * Reads the per-type indexes (status index, dead-letter index). They are kept per bucket, so that the
 * scripts touching a convoy stay in one Cluster slot; a listing reads every bucket (one command each,
 * one slot each) and merges. Cost of a page: about `buckets × statuses` small ZRANGE calls, plus one
 * EXISTS per listed convoy. Entries of convoys expired by retention are removed atomically (`reapConvoy`)
 * as they are met, and before counting from the per-type expiring index, so counts never include them.
 */
import type { ConvoyKey, ConvoyStatus } from '@convoy/core';
import type { ConvoyIndexPage, ListConvoysQuery } from '@convoy/core/store';
import type { Cluster, Redis } from 'ioredis';
import { compareIndexPositions, decodeIndexCursor, isAfterCursor, pageOf } from '../index-cursor.ts';
import type { IndexPosition } from '../index-cursor.ts';
import { convoyStatuses, decodeMember } from './keys.ts';
import type { RedisKeys } from './keys.ts';

/** Readers of the per-type indexes of one key space. */
export class ConvoyIndexReader {
  readonly #buckets: readonly number[];

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: RedisKeys,
    /** Drops the index entries of a convoy whose keys are gone (atomic check); true when it did. */
    private readonly reap: (key: ConvoyKey) => Promise<boolean>,
  ) {
    this.#buckets = Array.from({ length: keys.buckets }, (_, bucket) => bucket);
  }

  /** A page of the status index (every status when the query names none). */
  async listConvoys(query: ListConvoysQuery): Promise<ConvoyIndexPage> {
    const statuses = query.status === undefined ? convoyStatuses : [query.status];
    const indexKeys = this.#buckets.flatMap((bucket) =>
      statuses.map((status) => this.keys.statusIndex(bucket, query.type, status)),
    );
    return this.#page(indexKeys, query.limit, query.cursor, query.updatedAfter);
  }

  /** A page of the dead-letter index. */
  async listDeadLetterConvoys(query: {
    readonly type: string;
    readonly limit: number;
    readonly cursor?: string;
  }): Promise<ConvoyIndexPage> {
    const indexKeys = this.#buckets.map((bucket) => this.keys.deadLetterIndex(bucket, query.type));
    return this.#page(indexKeys, query.limit, query.cursor, undefined);
  }

  /** Convoys per status, summed over buckets. */
  async countConvoys(type: string): Promise<Record<ConvoyStatus, number>> {
    await this.reapExpired(type);
    const counts: Record<ConvoyStatus, number> = { active: 0, done: 0, blocked: 0, stalled: 0, paused: 0 };
    const cards = await Promise.all(
      this.#buckets.flatMap((bucket) =>
        convoyStatuses.map(async (status) => ({
          status,
          count: await this.client.zcard(this.keys.statusIndex(bucket, type, status)),
        })),
      ),
    );
    for (const { status, count } of cards) counts[status] += count;
    return counts;
  }

  /** Convoys holding dead letters, summed over buckets (one ZCARD per bucket). */
  async countDeadLetterConvoys(type: string): Promise<number> {
    await this.reapExpired(type);
    const cards = await Promise.all(
      this.#buckets.map((bucket) => this.client.zcard(this.keys.deadLetterIndex(bucket, type))),
    );
    return cards.reduce((sum, count) => sum + count, 0);
  }

  /** Drop the index entries of the convoys of a type whose retention has expired them. */
  async reapExpired(type: string): Promise<number> {
    const [seconds, micros] = await this.client.time();
    const serverNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const reaped = await Promise.all(
      this.#buckets.map(async (bucket) => {
        const members = await this.client.zrangebyscore(
          this.keys.expiringIndex(bucket, type),
          '-inf',
          String(serverNow),
          'LIMIT',
          '0',
          '1000',
        );
        let count = 0;
        for (const member of members) {
          const key = decodeMember(member);
          if (key && (await this.reap(key))) count += 1;
        }
        return count;
      }),
    );
    return reaped.reduce((a, b) => a + b, 0);
  }

  async #page(
    indexKeys: readonly string[],
    limit: number,
    cursorText: string | undefined,
    updatedAfter: number | undefined,
  ): Promise<ConvoyIndexPage> {
    const cursor = cursorText === undefined ? undefined : decodeIndexCursor(cursorText);
    const perKey = await Promise.all(
      indexKeys.map(async (indexKey) =>
        (await this.#candidates(indexKey, limit + 1, cursor, updatedAfter)).map((item) => ({
          ...item,
          indexKey,
        })),
      ),
    );
    const page = pageOf(perKey.flat().sort(compareIndexPositions), limit);
    const items = await Promise.all(
      page.items.map(async ({ member, at }) => {
        const key = decodeMember(member);
        if (!key) return [];
        // A finished convoy whose retention expired its keys leaves its index entries behind: drop them
        // here, in one script that checks the convoy is still gone (it may be re-created meanwhile).
        if ((await this.client.exists(this.keys.convoy(key).meta)) === 0) {
          await this.reap(key);
          return [];
        }
        return [{ key, at }];
      }),
    );
    return { items: items.flat(), cursor: page.cursor };
  }

  /**
   * Up to `wanted` members of one index key after the cursor, newest first. Members tied with the cursor's
   * score are read past in further slices, so a page boundary inside a tie neither skips nor repeats.
   */
  async #candidates(
    key: string,
    wanted: number,
    cursor: IndexPosition | undefined,
    updatedAfter: number | undefined,
  ): Promise<IndexPosition[]> {
    const max = cursor === undefined ? '+inf' : String(cursor.at);
    const min = updatedAfter === undefined ? '-inf' : String(updatedAfter);
    const found: IndexPosition[] = [];
    for (let offset = 0; ; offset += wanted) {
      const flat = await this.client.zrevrangebyscore(key, max, min, 'WITHSCORES', 'LIMIT', offset, wanted);
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const item = { member: flat[i]!, at: Number(flat[i + 1]) };
        if (isAfterCursor(item, cursor)) found.push(item);
      }
      if (found.length >= wanted || flat.length < wanted * 2) return found;
    }
  }
}
