/**
 * The operator side of the gateway: listing convoys from the status index, dead letters (list, redrive,
 * discard), pause / resume / retry, and the pending inbox, deferred events and timers. Every action is
 * atomic in the store and recorded in the convoy's history (outcome `operator`).
 */
import { ConvoyError, isConvoyError, statusTransitions, validateConvoyId } from '@convoy/core';
import type {
  Clock,
  ConvoyKey,
  ConvoyListPage,
  ConvoyListQuery,
  ConvoyMetricsSink,
  ConvoyRecord,
  ConvoyStatus,
  ConvoyView,
  DeadLetter,
  DeadLetterListQuery,
  DeadLetterPage,
  DeferredEvent,
  InboxEvent,
  OperatorOptions,
  RedriveResult,
  TimerArm,
} from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import type { StateValue } from 'xstate';
import { statusEntry } from './operator-entries.ts';
import type { DefinitionRegistry } from './registry.ts';
import { toConvoyView } from './view.ts';

/** What the operator functions need from the engine. */
export interface OperatorDeps {
  readonly store: ConvoyStore;
  readonly registry: DefinitionRegistry;
  readonly clock: Clock;
  readonly metrics: ConvoyMetricsSink;
  /** Ask for a turn of the convoy (after resume, retry, redrive). */
  readonly schedule: (key: ConvoyKey) => Promise<void>;
  /** An action changed the convoy (its record, history or dead letters). */
  readonly onChanged?: (key: ConvoyKey) => void;
}

/** Largest page of {@link ConvoyOperator.listConvoys} and {@link ConvoyOperator.listDeadLetters}. */
export const maxPageSize = 500;
/** Index entries one list call may examine while a `state` filter skips non-matching convoys. */
const maxExaminedPerPage = 5_000;
/** Attempts of an operator status change racing with commits. */
const statusChangeAttempts = 5;

/** Which statuses each status action may start from, and where it leads. */
/** Which status each status action is allowed from and leads to: the wire contract's one table. */
const transitions = statusTransitions;

/**
 * True when a state value is in the state named by `path`: a top-level state (`Shipped`) or a dot path
 * into nested or parallel regions (`shipping.packing`).
 */
export function stateMatches(value: StateValue | null, path: string): boolean {
  let current: StateValue | null = value;
  for (const segment of path.split('.')) {
    if (current === null) return false;
    if (typeof current === 'string') {
      if (current !== segment) return false;
      current = null;
      continue;
    }
    if (!Object.hasOwn(current, segment)) return false;
    current = current[segment] ?? null;
  }
  return true;
}

function pageSize(limit: number | undefined): number {
  const size = limit ?? 50;
  if (!Number.isSafeInteger(size) || size < 1 || size > maxPageSize) {
    throw new ConvoyError('invalid_request', `limit must be an integer from 1 to ${maxPageSize}`);
  }
  return size;
}

/** The operator functions over one engine's store and registry. */
export class ConvoyOperator {
  constructor(private readonly deps: OperatorDeps) {}

  /** Convoys of a type, newest update first, filtered by status, update time and state. */
  async listConvoys(query: ConvoyListQuery): Promise<ConvoyListPage> {
    const definition = this.deps.registry.latest(query.type);
    const limit = pageSize(query.limit);
    const items: ConvoyView[] = [];
    let cursor = query.cursor;
    let examined = 0;
    for (;;) {
      // Ask for exactly what is missing, so every page is consumed whole and its cursor stays exact.
      const page = await this.deps.store.listConvoys({
        type: query.type,
        limit: limit - items.length,
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.updatedAfter === undefined ? {} : { updatedAfter: query.updatedAfter }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const { key } of page.items) {
        const stored = await this.deps.store.get(key);
        // Gone (retention) or moved to another status since the page was read: not part of this answer.
        if (!stored) continue;
        const view = toConvoyView(key, stored, definition.version);
        if (query.status !== undefined && view.status !== query.status) continue;
        if (query.state !== undefined && !stateMatches(view.value, query.state)) continue;
        items.push(view);
      }
      examined += page.items.length;
      if (page.cursor === null) return { items, cursor: null };
      cursor = page.cursor;
      if (items.length >= limit || examined >= maxExaminedPerPage) return { items, cursor };
    }
  }

  /** Per-status counts of a type. */
  async countConvoys(type: string): Promise<Readonly<Record<ConvoyStatus, number>>> {
    this.deps.registry.latest(type);
    return this.deps.store.countConvoys(type);
  }

  /** How many convoys of a type hold dead letters. */
  async countDeadLetterConvoys(type: string): Promise<number> {
    this.deps.registry.latest(type);
    return this.deps.store.countDeadLetterConvoys(type);
  }

  /** Dead letters of a type, `limit` convoys per page. */
  async listDeadLetters(query: DeadLetterListQuery): Promise<DeadLetterPage> {
    this.deps.registry.latest(query.type);
    const page = await this.deps.store.listDeadLetterConvoys({
      type: query.type,
      limit: pageSize(query.limit),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    const items: DeadLetter[] = [];
    for (const { key } of page.items) items.push(...(await this.deps.store.deadLetters(key)));
    return { items, cursor: page.cursor };
  }

  /** Redrive all dead letters of a convoy (in seq order), or the one `seq`. */
  async redrive(
    key: ConvoyKey,
    options: OperatorOptions & { readonly seq?: number } = {},
  ): Promise<RedriveResult> {
    await this.#existing(key);
    const { seq, by } = options;
    if (seq !== undefined && !(await this.deps.store.deadLetters(key)).some((letter) => letter.seq === seq))
      throw deadLetterNotFound(key, seq);
    const result = await this.deps.store.redriveDeadLetters({
      key,
      now: this.deps.clock.now(),
      ...(seq === undefined ? {} : { seqs: [seq] }),
      ...(by === undefined ? {} : { by }),
    });
    // Raced with another redrive or discard of the same letter: nothing was moved by this call.
    if (seq !== undefined && result.redriven.length === 0) throw deadLetterNotFound(key, seq);
    for (let i = 0; i < result.redriven.length; i += 1)
      this.deps.metrics.eventAccepted?.(key.type, 'redrive');
    if (result.redriven.length > 0) {
      this.deps.onChanged?.(key);
      await this.deps.schedule(key);
    }
    return result;
  }

  /** Drop one dead letter. */
  async discard(key: ConvoyKey, seq: number, options: OperatorOptions = {}): Promise<void> {
    await this.#existing(key);
    if (!(await this.deps.store.discardDeadLetter(key, seq, this.deps.clock.now(), options.by)))
      throw deadLetterNotFound(key, seq);
    this.deps.onChanged?.(key);
  }

  /** Pause, resume or retry: a compare-and-set on the record, retried while commits race with it. */
  async changeStatus(
    key: ConvoyKey,
    action: keyof typeof transitions,
    options: OperatorOptions = {},
  ): Promise<ConvoyView> {
    const definition = this.deps.registry.latest(key.type);
    const rule = transitions[action];
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.#existing(key);
      const { record } = stored;
      if (!record) {
        throw new ConvoyError(
          'operation_not_allowed',
          `Convoy ${key.type}/${key.id} has not processed any event yet; ${action} it once it has`,
          { ...key, action },
        );
      }
      if (!(rule.from as readonly ConvoyStatus[]).includes(record.status)) {
        throw new ConvoyError(
          'operation_not_allowed',
          `Cannot ${action} convoy ${key.type}/${key.id}: it is ${record.status} (${action} needs ${rule.from.join(' or ')})`,
          { ...key, action, status: record.status },
        );
      }
      const now = this.deps.clock.now();
      const next = nextRecord(record, rule.to, now, action === 'retry');
      try {
        await this.deps.store.commitOperator(key, {
          expectedRevision: record.revision,
          record: next,
          entry: statusEntry(action, record, now, options.by),
        });
      } catch (error) {
        if (isConvoyError(error) && error.code === 'convoy_busy' && attempt < statusChangeAttempts) continue;
        throw error;
      }
      this.deps.onChanged?.(key);
      if (rule.to === 'active') await this.deps.schedule(key);
      return toConvoyView(key, { ...stored, record: next }, definition.version);
    }
  }

  /** Accepted, unprocessed events, or null for a convoy never seen. */
  async inbox(key: ConvoyKey, limit = 100): Promise<InboxEvent[] | null> {
    if (!(await this.#stored(key))) return null;
    return this.deps.store.inbox(key, pageSize(limit));
  }

  /** Deferred events, or null for a convoy never seen. */
  async deferred(key: ConvoyKey): Promise<DeferredEvent[] | null> {
    const stored = await this.#stored(key);
    return stored ? [...(stored.record?.deferred ?? [])] : null;
  }

  /** Armed timers, earliest first, or null for a convoy never seen. */
  async timers(key: ConvoyKey): Promise<TimerArm[] | null> {
    const stored = await this.#stored(key);
    if (!stored) return null;
    return Object.values(stored.record?.timers ?? {}).sort((a, b) => a.dueAt - b.dueAt);
  }

  async #stored(key: ConvoyKey) {
    this.deps.registry.latest(key.type);
    validateConvoyId(key.id);
    return this.deps.store.get(key);
  }

  async #existing(key: ConvoyKey) {
    const stored = await this.#stored(key);
    if (!stored) {
      throw new ConvoyError('convoy_not_found', `Convoy ${key.type}/${key.id} has never received an event`, {
        ...key,
      });
    }
    return stored;
  }
}

/** The record after a status action: a new revision, no blocked reason; a retry also drops the poison mark. */
function nextRecord(record: ConvoyRecord, status: ConvoyStatus, now: number, retry: boolean): ConvoyRecord {
  const { blockedReason: _reason, ...rest } = record;
  const next: ConvoyRecord = { ...rest, status, updatedAt: now, revision: record.revision + 1 };
  // A retry starts the head's attempts afresh (the poison mark belongs to the issue-4 poison handling).
  if (retry && 'poison' in next) delete (next as { poison?: unknown }).poison;
  return next;
}

function deadLetterNotFound(key: ConvoyKey, seq: number): ConvoyError {
  return new ConvoyError(
    'dead_letter_not_found',
    `Convoy ${key.type}/${key.id} has no dead letter with seq ${seq}`,
    {
      ...key,
      seq,
    },
  );
}
