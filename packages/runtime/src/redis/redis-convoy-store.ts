/**
 * `ConvoyStore` on Redis: every state change is one Lua script on the keys of one convoy (one Cluster
 * slot), so accept, claim, commit, ack and release are each atomic and fenced. Key names come from
 * `RedisKeys`; script result codes are mapped to errors by `scriptCodeToError`.
 */
import { randomUUID } from 'node:crypto';
import { ConvoyError, isConvoyError } from '@convoy/core';
import type {
  ConvoyKey,
  ConvoyRecord,
  ConvoyStatus,
  DeadLetter,
  HistoryEntry,
  InboxEvent,
  RedriveResult,
  TimerArm,
} from '@convoy/core';
import type {
  AcceptInput,
  AcceptReceipt,
  Claim,
  ClaimOptions,
  CommitOptions,
  CommitResult,
  ConvoyIndexPage,
  ConvoyStore,
  ListConvoysQuery,
  OperatorCommit,
  RedriveInput,
  RenewOptions,
  StoredConvoy,
  TurnCommit,
  WorkListPage,
  DueTimer,
} from '@convoy/core/store';
import { Redis } from 'ioredis';
import type { Cluster, RedisOptions } from 'ioredis';
import { encodeTimerMember, RedisKeys, timerMemberPrefix } from './keys.ts';
import type { IdempotencyNamespace } from './keys.ts';
import type { RedisKeyOptions } from './keys.ts';
import { registerScripts } from './scripts.ts';
import type { ConvoyScripts, ScriptName } from './scripts.ts';
import { isScriptCode, scriptCodeToError } from './script-codes.ts';
import { bucketIndexReader } from './bucket-index.ts';
import { parseClaimReply, parseInboxEntry } from './claim-reply.ts';
import { ConvoyIndexReader } from './convoy-index.ts';
import { RedisChangeFeed, type RedisChangeFeedOptions } from './change-feed.ts';
import type { ChangeWatcher } from '../change-feed.ts';
import { commitOperatorArgs, discardArgs, redriveArgs, type StoredDeadLetter } from './operator-args.ts';

/** Options of the Redis store. */
export interface RedisConvoyStoreOptions extends RedisKeyOptions {
  /**
   * An ioredis client (standalone or Cluster) or a Redis URL. A client passed in stays open on `close()`
   * (its owner closes it); a client created from a URL is closed by the store.
   */
  readonly connection: Redis | Cluster | string;
  /**
   * How long a client idempotency key is remembered per convoy.
   * @defaultValue 86_400_000 (24 h)
   */
  readonly idempotencyTtlMs?: number;
  /**
   * How long the per-request token of an accept without an idempotency key is remembered. It only has to
   * outlive ioredis re-sending the script after a reconnect.
   * @defaultValue 600_000 (10 min)
   */
  readonly requestTokenTtlMs?: number;
  /**
   * History entries kept per convoy; older entries are dropped (indexes stay absolute).
   * @defaultValue 10_000
   */
  readonly historyCap?: number;
  /**
   * Dead letters kept per convoy; older ones are dropped.
   * @defaultValue 10_000
   */
  readonly deadLetterCap?: number;
  /**
   * Receives connection errors of a client the store created from a URL (ioredis reconnects by itself;
   * calls made meanwhile fail with `store_unavailable`).
   * @defaultValue ignore them
   */
  readonly onConnectionError?: (error: Error) => void;
  /** The per-type change feed that live streams read (see `docs/redis-keys.md`). */
  readonly changeFeed?: RedisChangeFeedOptions;
  /**
   * Deadline of every store call (script or read), in milliseconds. Past it the call fails with
   * `store_unavailable` (503 over HTTP) instead of waiting for a Redis that is down or frozen; the
   * command itself may still reach Redis later (a script is safe to run twice), so a timed-out accept's
   * outcome is unknown: retry it with the same idempotency key.
   * @defaultValue 5_000
   */
  readonly callTimeoutMs?: number;
  /**
   * Deadline of `ping()` (readiness), in milliseconds, at most `callTimeoutMs`.
   * @defaultValue 1_000
   */
  readonly pingTimeoutMs?: number;
}

/**
 * ioredis options of a client the store creates from a URL: fail fast while disconnected. Commands
 * issued while Redis is unreachable wait in ioredis's offline queue only until a second reconnection
 * attempt fails (`maxRetriesPerRequest: 1`, a few hundred ms), so an outage answers quickly and the
 * queue never grows with minutes of stale calls; reconnection itself goes on forever (ioredis's default
 * back-off, at most 2 s apart), so the store recovers by itself when Redis is back.
 */
function urlClientOptions(callTimeoutMs: number): RedisOptions {
  return { maxRetriesPerRequest: 1, connectTimeout: Math.min(callTimeoutMs, 5_000) };
}

/**
 * The production store: durable (with AOF), shared by any number of processes, Cluster-safe.
 *
 * @example
 * ```ts
 * const store = new RedisConvoyStore({ connection: 'redis://127.0.0.1:6380', prefix: 'shop' });
 * await assertDurableRedis(store.client);
 * ```
 */
export class RedisConvoyStore implements ConvoyStore {
  /** The ioredis client the store uses (for the startup guard, health checks). */
  readonly client: Redis | Cluster;
  /** The key builder (exposed for diagnostics and tests). */
  readonly keys: RedisKeys;
  private readonly scripts: ConvoyScripts;
  private readonly ownsClient: boolean;
  private readonly idempotencyTtlMs: number;
  private readonly requestTokenTtlMs: number;
  private readonly historyCap: number;
  private readonly deadLetterCap: number;
  private readonly index: ReturnType<typeof bucketIndexReader>;
  private readonly typeIndex: ConvoyIndexReader;
  private readonly changes: RedisChangeFeed;
  private readonly callTimeoutMs: number;
  private readonly pingTimeoutMs: number;

  constructor(options: RedisConvoyStoreOptions) {
    this.keys = new RedisKeys(options);
    this.ownsClient = typeof options.connection === 'string';
    this.callTimeoutMs = positive(options.callTimeoutMs ?? 5_000, 'callTimeoutMs');
    this.pingTimeoutMs = Math.min(
      positive(options.pingTimeoutMs ?? 1_000, 'pingTimeoutMs'),
      this.callTimeoutMs,
    );
    if (typeof options.connection === 'string') {
      const client = new Redis(options.connection, urlClientOptions(this.callTimeoutMs));
      // Without a listener ioredis prints every reconnect attempt; failures surface through the calls.
      client.on('error', options.onConnectionError ?? (() => undefined));
      this.client = client;
    } else {
      this.client = options.connection;
    }
    this.scripts = registerScripts(this.client);
    this.idempotencyTtlMs = positive(options.idempotencyTtlMs ?? 86_400_000, 'idempotencyTtlMs');
    this.requestTokenTtlMs = positive(options.requestTokenTtlMs ?? 600_000, 'requestTokenTtlMs');
    this.historyCap = positive(options.historyCap ?? 10_000, 'historyCap');
    this.deadLetterCap = positive(options.deadLetterCap ?? 10_000, 'deadLetterCap');
    this.index = bucketIndexReader(this.scripts.scanIndex, this.keys);
    this.changes = new RedisChangeFeed(this.client, this.keys, options.changeFeed);
    this.typeIndex = new ConvoyIndexReader(this.client, this.keys, async (key) => {
      const k = this.keys.convoy(key);
      const args = [
        k.meta, k.expiringIndex, k.dirty, ...k.statusIndexes, k.deadLetterIndex, k.waitingIndex, k.member,
      ]; // prettier-ignore
      return (await this.run('reapConvoy', key, args)) === 1;
    });
  }

  async accept(input: AcceptInput): Promise<AcceptReceipt> {
    const k = this.keys.convoy(input.key);
    const keyed = input.idempotencyKey !== undefined;
    // The request token identifies this call: a re-sent script (lost reply) finds its own record and is
    // not a duplicate; without an idempotency key it is also the idempotency key.
    const token = randomUUID();
    const idem = keyed
      ? this.keys.idempotency(k, namespaceOf(input.source), input.idempotencyKey ?? '')
      : this.keys.idempotency(k, 'r', token);
    const claim = input.claim;
    const timer = input.source.kind === 'timer' ? input.source : undefined;
    const reply = await this.run('acceptEvent', input.key, [
      k.meta, k.inbox, idem, k.dirty, k.statusIndexes[0]!, k.state, k.outbox, k.timers, k.due, k.waitingIndex,
      input.now, JSON.stringify(input.event), JSON.stringify(input.source), token,
      input.fingerprint, input.maxBacklog, keyed ? this.idempotencyTtlMs : this.requestTokenTtlMs, k.member,
      claim ? randomUUID() : '', claim?.owner ?? '', claim?.leaseMs ?? 0, claim?.maxEvents ?? 0,
      newIncarnation(), timer?.timerId ?? '', timer?.token ?? '',
      timer ? encodeTimerMember(input.key, timer.timerId) : '',
    ]); // prettier-ignore
    const [seq, duplicate, wake, ...claimed] = reply as [number, number, number, ...unknown[]];
    // seq 0: a timer firing whose arming is gone or not due (nothing stored).
    if (seq === 0) return { seq: 0, duplicate: false, wake: false, stale: true };
    const receipt = { seq, duplicate: duplicate === 1, wake: wake === 1 };
    return claim && claimed.length > 0
      ? { ...receipt, claim: parseClaimReply(input.key, claim.owner, claimed) }
      : receipt;
  }

  async claim(key: ConvoyKey, options: ClaimOptions): Promise<Claim | null> {
    const k = this.keys.convoy(key);
    const reply = await this.run('claimConvoy', key, [
      k.meta, k.state, k.inbox, k.outbox, k.dirty,
      options.now, options.owner, options.leaseMs, options.maxEvents, randomUUID(), k.member,
    ]); // prettier-ignore
    return reply === 0 ? null : parseClaimReply(key, options.owner, reply);
  }

  async commit(claim: Claim, commit: TurnCommit, options: CommitOptions = {}): Promise<CommitResult> {
    const k = this.keys.convoy(claim.key);
    const { record } = commit;
    // The change feed, appended by the script itself on a single Redis (see `publishesChanges`).
    const feed = this.changes.scriptTarget(claim.key, k.meta);
    const args: Array<string | number> = [
      k.meta, k.state, k.inbox, k.outbox, k.timers, k.history, k.dlq, k.dirty, k.due,
      ...k.statusIndexes, k.deadLetterIndex, k.expiringIndex, k.waitingIndex, feed.key,
      record.updatedAt, claim.epoch, record.revision, record.processedSeq, JSON.stringify(record), record.status,
      this.historyCap, this.deadLetterCap, k.member, timerMemberPrefix(claim.key),
      options.releaseWhenIdle === true ? 1 : 0, feed.maxLen, claim.key.id,
    ]; // prettier-ignore
    const sections: Array<Array<Array<string | number>>> = [
      commit.history.map((entry) => [JSON.stringify(entry)]),
      commit.deadLetters.map((letter) => [JSON.stringify(letter)]),
      commit.effects.map((effect) => [effect.id, JSON.stringify(effect)]),
      commit.timers.cancel.map((id) => [id]),
      commit.timers.arm.map((t) => [t.timerId, t.dueAt, JSON.stringify(t)]),
      timersToKeep(claim, record).map((t) => [t.timerId, t.token]),
      commit.retainMs === undefined ? [] : [[Math.max(1, Math.round(commit.retainMs))]],
    ];
    // Each section is its item count followed by the items' fields (see commitTurn-18.lua).
    for (const items of sections) {
      args.push(items.length);
      for (const item of items) args.push(...item);
    }
    const reply = await this.run('commitTurn', claim.key, args, {
      epoch: claim.epoch,
      revision: record.revision,
    });
    const [revision, more, released] = reply as [number, number, number];
    return released === 1
      ? { revision, hasMore: more === 1, released: true }
      : { revision, hasMore: more === 1 };
  }

  async ackEffects(claim: Claim, effectIds: readonly string[]): Promise<void> {
    // Even an empty ack is fenced: a stale claimer learns it lost the convoy.
    const k = this.keys.convoy(claim.key);
    await this.run(
      'ackEffects',
      claim.key,
      [k.meta, k.outbox, k.dirty, claim.epoch, k.member, ...effectIds],
      {
        epoch: claim.epoch,
      },
    );
  }

  async renew(claim: Claim, options: RenewOptions): Promise<number> {
    const k = this.keys.convoy(claim.key);
    const reply = await this.run(
      'renewLease',
      claim.key,
      [k.meta, claim.epoch, options.now, options.leaseMs],
      {
        epoch: claim.epoch,
      },
    );
    return Number(reply);
  }

  async release(claim: Claim): Promise<{ readonly hasMore: boolean }> {
    const k = this.keys.convoy(claim.key);
    const [, more] = (await this.run('releaseConvoy', claim.key, [k.meta, claim.epoch])) as [number, number];
    return { hasMore: more === 1 };
  }

  async get(key: ConvoyKey): Promise<StoredConvoy | null> {
    const k = this.keys.convoy(key);
    // The dead-letter list's length and last entry ride in the same MULTI (same slot): the view's
    // `attention` costs no extra round trip.
    const [meta, state, letters, latest] = await this.read(key, async () => {
      const replies = await this.client
        .multi()
        .hmget(k.meta, 'seq', 'firstAt', 'leaseUntil')
        .get(k.state)
        .llen(k.dlq)
        .lindex(k.dlq, -1)
        .exec();
      if (!replies) throw new Error('MULTI aborted');
      for (const [error] of replies) if (error) throw error;
      return [
        replies[0]?.[1] as Array<string | null>,
        replies[1]?.[1] as string | null,
        Number(replies[2]?.[1] ?? 0),
        replies[3]?.[1] as string | null,
      ] as const;
    });
    const [seq, firstAt, leaseUntil] = meta;
    if (seq == null && state == null) return null;
    const record = state == null ? null : (JSON.parse(state) as ConvoyRecord);
    const stored = {
      record,
      accepted: Number(seq ?? 0),
      firstAcceptedAt: Number(firstAt ?? record?.createdAt ?? 0),
      ...(letters > 0 && latest != null
        ? { deadLetters: { count: letters, latest: JSON.parse(latest) as DeadLetter } }
        : {}),
    };
    return leaseUntil == null ? stored : { ...stored, leaseUntil: Number(leaseUntil) };
  }

  async history(
    key: ConvoyKey,
    options: { readonly afterIndex?: number; readonly limit?: number; readonly last?: number } = {},
  ): Promise<HistoryEntry[]> {
    const k = this.keys.convoy(key);
    if (options.last !== undefined) {
      if (options.last <= 0) return [];
      // A negative first index reads from the list's end (the script's contract).
      const tail = (await this.run('readHistory', key, [k.meta, k.history, -options.last, -1])) as string[];
      return tail.map((entry) => JSON.parse(entry) as HistoryEntry);
    }
    const first = options.afterIndex === undefined ? 0 : options.afterIndex + 1;
    const reply = (await this.run('readHistory', key, [
      k.meta,
      k.history,
      first,
      options.limit ?? -1,
    ])) as string[];
    return reply.map((entry) => JSON.parse(entry) as HistoryEntry);
  }

  async deadLetters(key: ConvoyKey): Promise<DeadLetter[]> {
    const k = this.keys.convoy(key);
    const entries = await this.read(key, () => this.client.lrange(k.dlq, 0, -1));
    return entries.map((entry) => JSON.parse(entry) as DeadLetter);
  }

  async dueTimers(now: number, limit: number, after?: string): Promise<WorkListPage<DueTimer>> {
    // Listed by the caller's `now`; the firing's accept checks the arming against the server-bounded
    // clock, so a poller whose clock runs ahead lists early timers but cannot fire them.
    const until = now;
    const due = await this.read(null, () => this.index.dueTimers(until, limit, after));
    const timers = await this.read(null, () =>
      Promise.all(
        due.items.map(({ key, timerId }) => this.client.hget(this.keys.convoy(key).timers, timerId)),
      ),
    );
    const items: DueTimer[] = [];
    due.items.forEach(({ key }, i) => {
      const json = timers[i];
      // Gone between the two reads (a commit processed or cancelled it), or re-armed for later meanwhile:
      // not due. The firing's accept checks the arming again, atomically.
      if (json == null) return;
      const timer = JSON.parse(json) as TimerArm;
      if (timer.dueAt <= until) items.push({ key, timer });
    });
    return { items, next: due.next };
  }

  async dirtyConvoys(limit: number, after?: string): Promise<WorkListPage<ConvoyKey>> {
    return this.read(null, () => this.index.dirtyConvoys(limit, after));
  }

  async listConvoys(query: ListConvoysQuery): Promise<ConvoyIndexPage> {
    return this.read(null, () => this.typeIndex.listConvoys(query));
  }

  async countConvoys(type: string): Promise<Readonly<Record<ConvoyStatus, number>>> {
    return this.read(null, () => this.typeIndex.countConvoys(type));
  }

  async oldestWaiting(type: string): Promise<number | null> {
    return this.read(null, () => this.typeIndex.oldestWaiting(type));
  }

  async countDeadLetterConvoys(type: string): Promise<number> {
    return this.read(null, () => this.typeIndex.countDeadLetterConvoys(type));
  }

  async listDeadLetterConvoys(query: {
    readonly type: string;
    readonly limit: number;
    readonly cursor?: string;
  }): Promise<ConvoyIndexPage> {
    return this.read(null, () => this.typeIndex.listDeadLetterConvoys(query));
  }

  async inbox(key: ConvoyKey, limit: number): Promise<InboxEvent[]> {
    const k = this.keys.convoy(key);
    const processed = Number((await this.read(key, () => this.client.hget(k.meta, 'processed'))) ?? 0);
    const entries = await this.read(key, () =>
      this.client.xrange(k.inbox, `${processed + 1}-0`, '+', 'COUNT', limit),
    );
    return entries.map(parseInboxEntry);
  }

  async commitOperator(key: ConvoyKey, commit: OperatorCommit): Promise<void> {
    const k = this.keys.convoy(key);
    const args = commitOperatorArgs(key, k, this.changes.scriptTarget(key, k.meta), commit, this.historyCap);
    try {
      await this.run('commitOperator', key, args);
    } catch (error) {
      if (isConvoyError(error) && error.code === 'stale_claim') {
        throw new ConvoyError('convoy_busy', `Convoy ${key.type}/${key.id} changed meanwhile; retry`, {
          ...error.details,
        });
      }
      throw error;
    }
  }

  async redriveDeadLetters(input: RedriveInput): Promise<RedriveResult> {
    const wanted = input.seqs === undefined ? undefined : new Set(input.seqs);
    const letters = (await this.storedDeadLetters(input.key))
      .filter(({ letter }) => wanted === undefined || wanted.has(letter.seq))
      .sort((a, b) => a.letter.seq - b.letter.seq);
    if (letters.length === 0) return { redriven: [] };
    const k = this.keys.convoy(input.key);
    const feed = this.changes.scriptTarget(input.key, k.meta);
    const args = redriveArgs(input.key, k, feed, letters, input, this.historyCap);
    const newSeqs = (await this.run('redriveDeadLetters', input.key, args)) as number[];
    const redriven: Array<{ seq: number; newSeq: number; effectId?: string }> = [];
    letters.forEach(({ letter }, i) => {
      const newSeq = newSeqs[i] ?? 0;
      if (newSeq > 0) redriven.push({ seq: letter.seq, newSeq });
      // -1: an effect's letter, its effect back in the outbox.
      else if (newSeq === -1 && letter.effect)
        redriven.push({ seq: letter.seq, newSeq: 0, effectId: letter.effect.id });
    });
    return { redriven };
  }

  async discardDeadLetter(key: ConvoyKey, seq: number, now: number, by?: string): Promise<boolean> {
    const found = (await this.storedDeadLetters(key)).find(({ letter }) => letter.seq === seq);
    if (!found) return false;
    const k = this.keys.convoy(key);
    const args = discardArgs(key, k, this.changes.scriptTarget(key, k.meta), found, now, by, this.historyCap);
    return (await this.run('discardDeadLetter', key, args)) === 1;
  }

  async ping(): Promise<void> {
    await this.read(null, () => this.client.ping(), this.pingTimeoutMs);
  }

  /**
   * Wait until the client is connected and ready, at most `timeoutMs`: a process checks this at start-up
   * so an unreachable Redis is a clear error within seconds rather than calls failing later.
   *
   * @throws ConvoyError `store_unavailable` (the message carries the last connection error)
   */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') return;
    let lastError: Error | undefined;
    const onError = (error: Error): void => {
      lastError = error;
    };
    let timer: NodeJS.Timeout | undefined;
    let onReady: (() => void) | undefined;
    client.on('error', onError);
    try {
      await new Promise<void>((resolve, reject) => {
        onReady = resolve;
        client.once('ready', onReady);
        timer = setTimeout(() => {
          const cause = lastError?.message ?? `connection ${client.status}`;
          reject(
            new ConvoyError(
              'store_unavailable',
              `Redis is not reachable after ${timeoutMs} ms (${cause})`,
              undefined,
              {
                cause: lastError,
              },
            ),
          );
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      client.off('error', onError);
      if (onReady) client.off('ready', onReady);
    }
  }

  /** The dead letters with their stored JSON (the scripts match a letter by its exact stored string). */
  private async storedDeadLetters(key: ConvoyKey): Promise<StoredDeadLetter[]> {
    const entries = await this.read(key, () => this.client.lrange(this.keys.convoy(key).dlq, 0, -1));
    return entries.map((raw) => ({ raw, letter: JSON.parse(raw) as DeadLetter }));
  }

  /**
   * On a single Redis the scripts of `commit`, `commitOperator`, `redriveDeadLetters` and
   * `discardDeadLetter` append to the change feed themselves (no extra round trip, nothing lost to a
   * crash); on Cluster the feed is in another slot and the engine publishes with `publishChange`.
   */
  get publishesChanges(): boolean {
    return this.changes.inScripts;
  }

  publishChange(key: ConvoyKey): void {
    this.changes.publish(key);
  }

  watchChanges(type: string, watcher: ChangeWatcher): () => void {
    return this.changes.watch(type, watcher);
  }

  async close(): Promise<void> {
    this.changes.close();
    if (this.ownsClient && this.client.status !== 'end') await this.client.quit();
  }

  /** Runs a script and turns a negative result code into its `ConvoyError`. */
  private async run(
    script: ScriptName,
    key: ConvoyKey,
    keysAndArgs: Array<string | number>,
    details: Readonly<Record<string, unknown>> = {},
  ): Promise<unknown> {
    const reply = await this.read(key, () => this.scripts[script](...keysAndArgs));
    if (isScriptCode(reply))
      throw scriptCodeToError(reply, script, { type: key.type, id: key.id, ...details });
    return reply;
  }

  /**
   * Runs a Redis call with a deadline (`callTimeoutMs` unless given); a connection or server failure, or
   * no answer in time, becomes `store_unavailable` (retryable).
   */
  private async read<T>(
    key: ConvoyKey | null,
    call: () => Promise<T>,
    timeoutMs: number = this.callTimeoutMs,
  ): Promise<T> {
    // A connection that was up and is now lost fails at once (ioredis reconnects meanwhile) rather than
    // queueing calls that would only time out; a client still connecting for the first time queues.
    if (this.client.status === 'reconnecting') {
      throw new ConvoyError(
        'store_unavailable',
        'Redis connection lost; reconnecting',
        key ? { type: key.type, id: key.id } : undefined,
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMs} ms (store call deadline)`)),
        timeoutMs,
      );
    });
    try {
      // The late call still settles into the race's handlers: its rejection is never unhandled.
      return await Promise.race([call(), deadline]);
    } catch (error) {
      if (isConvoyError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new ConvoyError(
        'store_unavailable',
        `Redis call failed: ${message}`,
        key ? { type: key.type, id: key.id } : undefined,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The timers the due index keeps after a commit: the record's armed timers, minus any whose firing this
 * commit processed (the step may leave such an arm in place; it must not fire again and again).
 */
function timersToKeep(claim: Claim, record: ConvoyRecord): TimerArm[] {
  const fired = new Set<string>();
  for (const event of claim.events) {
    if (event.seq <= record.processedSeq && event.source.kind === 'timer') fired.add(event.source.token);
  }
  return Object.values(record.timers).filter((timer) => !fired.has(timer.token));
}

/** The idempotency namespace of an accept's writer: client keys never meet the runtime's own. */
function namespaceOf(source: AcceptInput['source']): IdempotencyNamespace {
  if (source.kind === 'timer') return 't';
  if (source.kind === 'effect') return 'e';
  return 'c';
}

/** A fresh incarnation for a convoy an accept may create (used only if the convoy is new). */
function newIncarnation(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number, got ${value}`);
  return value;
}
