/**
 * The one place that names Redis keys. Every key of one convoy, and the per-bucket indexes that convoy
 * lives in, share one Cluster hash tag (`{<bucket>}`), so every script touching a convoy runs in one slot
 * on Redis Cluster. The schema is documented in `docs/redis-keys.md`.
 */
import { convoyStatuses as wireStatuses } from '@convoy/core';
import type { ConvoyKey, ConvoyStatus } from '@convoy/core';

/**
 * Every convoy status (the wire contract's one list), in the order the scripts receive the per-status
 * index keys (`commitTurn`, `commitOperator`): changing it means changing those scripts' `statuses`
 * tables too (a drift test compares them).
 */
export const convoyStatuses: readonly ConvoyStatus[] = wireStatuses;

/** Options of the key builder. */
export interface RedisKeyOptions {
  /**
   * Prefix of every key. Several Convoy deployments (or test runs) can share one Redis with different
   * prefixes. Must not contain `{` or `}` (it would change the hash tag).
   * @defaultValue `'cv'`
   */
  readonly prefix?: string;
  /**
   * Number of buckets. Convoys are spread over buckets by a stable hash; each bucket is one hash tag
   * (one Cluster slot) with its own dirty and due-timer index. More buckets spread load over more
   * Cluster slots; every reader of an index iterates all buckets. Changing it moves convoys to other
   * keys: fix it for the life of the data.
   * @defaultValue 64
   */
  readonly buckets?: number;
}

/** Every key of one convoy, plus its bucket's indexes. */
export interface ConvoyKeySet {
  /** Hash tag shared by all keys below, e.g. `{17}`. */
  readonly tag: string;
  readonly bucket: number;
  /** STREAM of accepted, unprocessed events; entry id `<seq>-0`. */
  readonly inbox: string;
  /** STRING: the committed `ConvoyRecord` as JSON. */
  readonly state: string;
  /** HASH effectId -> `EffectIntent` JSON: committed, not yet acknowledged effects. */
  readonly outbox: string;
  /** HASH timerId -> `TimerArm` JSON: armed timers. */
  readonly timers: string;
  /** LIST of `HistoryEntry` JSON, processing order, capped. */
  readonly history: string;
  /** LIST of `DeadLetter` JSON, oldest first, capped. */
  readonly dlq: string;
  /** HASH of counters and the claim: seq, firstAt, processed, rev, revEpoch, epoch, owner, leaseUntil, … */
  readonly meta: string;
  /** The bucket's ZSET of convoys with unprocessed events (score: first dirty time). */
  readonly dirty: string;
  /** The bucket's ZSET of armed timers (score: due time, member: `timerMemberPrefix` + timer id). */
  readonly due: string;
  /** Prefix of the per-request idempotency STRING keys (append the encoded idempotency key). */
  readonly idemPrefix: string;
  /** Member of this convoy in the bucket's dirty ZSET. */
  readonly member: string;
  /** The bucket's per-type status index ZSETs (score: updatedAt), in {@link convoyStatuses} order. */
  readonly statusIndexes: readonly string[];
  /** The bucket's per-type ZSET of convoys holding dead letters (score: latest dead letter time). */
  readonly deadLetterIndex: string;
  /** The bucket's per-type ZSET of finished convoys given a retention (score: expiry, server ms). */
  readonly expiringIndex: string;
  /**
   * The bucket's per-type ZSET of convoys with unprocessed events (score: acceptance time of the oldest
   * one): the oldest waiting event's age per type is a `ZRANGE 0 0` per bucket, never a scan.
   */
  readonly waitingIndex: string;
}

/** Who wrote an idempotency record (see {@link RedisKeys.idempotency}). */
export type IdempotencyNamespace = 'c' | 't' | 'e' | 'r';

/** Default number of buckets. */
export const defaultBuckets = 64;

/**
 * Builds every Convoy key. Components (type, id, idempotency key) are percent-encoded so that a `:`,
 * `{` or `}` inside an id can neither make two convoys share a key nor move the hash tag.
 */
export class RedisKeys {
  readonly prefix: string;
  readonly buckets: number;

  constructor(options: RedisKeyOptions = {}) {
    const prefix = options.prefix ?? 'cv';
    const buckets = options.buckets ?? defaultBuckets;
    if (prefix.includes('{') || prefix.includes('}')) {
      throw new TypeError(`Redis key prefix must not contain "{" or "}": ${prefix}`);
    }
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 16384) {
      throw new TypeError(`Redis buckets must be an integer in 1..16384, got ${buckets}`);
    }
    this.prefix = prefix;
    this.buckets = buckets;
  }

  /** The bucket of a convoy: FNV-1a over the UTF-8 of `type \0 id`, mod `buckets` (stable across processes). */
  bucketOf(key: ConvoyKey): number {
    return fnv1a32(`${key.type}\u0000${key.id}`) % this.buckets;
  }

  /** The hash tag of a bucket. */
  tagOf(bucket: number): string {
    return `{${bucket}}`;
  }

  /** All keys of one convoy. */
  convoy(key: ConvoyKey): ConvoyKeySet {
    const bucket = this.bucketOf(key);
    const tag = this.tagOf(bucket);
    const base = `${this.prefix}:${tag}:${encodeComponent(key.type)}:${encodeComponent(key.id)}`;
    return {
      tag,
      bucket,
      inbox: `${base}:inbox`,
      state: `${base}:state`,
      outbox: `${base}:outbox`,
      timers: `${base}:timers`,
      history: `${base}:history`,
      dlq: `${base}:dlq`,
      meta: `${base}:meta`,
      dirty: this.dirty(bucket),
      due: this.due(bucket),
      idemPrefix: `${base}:idem:`,
      member: encodeMember(key),
      statusIndexes: convoyStatuses.map((status) => this.statusIndex(bucket, key.type, status)),
      deadLetterIndex: this.deadLetterIndex(bucket, key.type),
      expiringIndex: this.expiringIndex(bucket, key.type),
      waitingIndex: this.waitingIndex(bucket, key.type),
    };
  }

  /**
   * A bucket's index of the convoys of one type in one status (ZSET, member: encoded convoy key, score:
   * updatedAt). Kept per bucket so the scripts touching a convoy stay in its slot; readers merge buckets.
   */
  statusIndex(bucket: number, type: string, status: ConvoyStatus): string {
    return `${this.prefix}:${this.tagOf(bucket)}:idx:${encodeComponent(type)}:${status}`;
  }

  /** A bucket's index of the convoys of one type that hold dead letters (score: latest dead letter). */
  deadLetterIndex(bucket: number, type: string): string {
    return `${this.prefix}:${this.tagOf(bucket)}:dlqidx:${encodeComponent(type)}`;
  }

  /**
   * A bucket's index of the finished convoys of one type whose keys expire (retention), scored by when:
   * readers drop the index entries of the ones gone (`reapConvoy`), so counts do not include them.
   */
  expiringIndex(bucket: number, type: string): string {
    return `${this.prefix}:${this.tagOf(bucket)}:exp:${encodeComponent(type)}`;
  }

  /**
   * A bucket's index of the convoys of one type with unprocessed inbox events, scored by the acceptance
   * time of the oldest one (kept by accept, commit, redrive and reap).
   */
  waitingIndex(bucket: number, type: string): string {
    return `${this.prefix}:${this.tagOf(bucket)}:wait:${encodeComponent(type)}`;
  }

  /**
   * The idempotency record of one key of one convoy (STRING with a TTL). The namespace keeps the keys of
   * different writers apart: `c` client Idempotency-Keys, `t` timer firings (arming token), `e` invoke
   * results (effect id), `r` request tokens of accepts without a key. A client key can never name a
   * runtime record, whatever characters it uses.
   */
  idempotency(keys: ConvoyKeySet, namespace: IdempotencyNamespace, idempotencyKey: string): string {
    return `${keys.idemPrefix}${namespace}:${encodeComponent(idempotencyKey)}`;
  }

  /**
   * The change feed of one type (STREAM, field `id`: the convoy id), appended on each commit and operator
   * change (by the scripts on a single Redis, by the node on Cluster), capped with `MAXLEN ~`. Its own hash tag `{feed:<type>}` (not a
   * bucket's), so one blocking `XREAD` per type and node reads every bucket's changes, on Cluster too.
   */
  changeFeed(type: string): string {
    return `${this.prefix}:{feed:${encodeComponent(type)}}:changes`;
  }

  /** A bucket's dirty index (ZSET member: encoded convoy key). */
  dirty(bucket: number): string {
    return `${this.prefix}:${this.tagOf(bucket)}:dirty`;
  }

  /** A bucket's due-timer index (ZSET member: encoded convoy key + timer id, score: due time). */
  due(bucket: number): string {
    return `${this.prefix}:${this.tagOf(bucket)}:timers`;
  }
}

/** Member of a convoy in a dirty ZSET: a JSON pair, so any characters in type or id round-trip. */
export function encodeMember(key: ConvoyKey): string {
  return JSON.stringify([key.type, key.id]);
}

/**
 * Prefix of a convoy's members in a due ZSET: `<length>:<convoy member>`. A due member is this prefix
 * followed by the timer id, so the commit script can build members from the prefix alone.
 */
export function timerMemberPrefix(key: ConvoyKey): string {
  const member = encodeMember(key);
  return `${member.length}:${member}`;
}

/** Member of an armed timer in a due ZSET. */
export function encodeTimerMember(key: ConvoyKey, timerId: string): string {
  return timerMemberPrefix(key) + timerId;
}

/** Reads a dirty-set member back; null for anything this store did not write. */
export function decodeMember(member: string): ConvoyKey | null {
  const parsed = parseStrings(member);
  return parsed?.length === 2 ? { type: parsed[0]!, id: parsed[1]! } : null;
}

/** Reads a due-set member back; null for anything this store did not write. */
export function decodeTimerMember(member: string): { key: ConvoyKey; timerId: string } | null {
  const colon = member.indexOf(':');
  const length = Number(member.slice(0, colon));
  if (colon < 1 || !Number.isInteger(length)) return null;
  const key = decodeMember(member.slice(colon + 1, colon + 1 + length));
  return key ? { key, timerId: member.slice(colon + 1 + length) } : null;
}

function parseStrings(text: string): string[] | null {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
  } catch {
    return null;
  }
}

function encodeComponent(value: string): string {
  // encodeURIComponent escapes ':', '{', '}' and '%', which is all that matters for key structure.
  return encodeURIComponent(value);
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
