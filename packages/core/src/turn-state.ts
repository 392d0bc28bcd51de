/**
 * The working state of one turn while `stepConvoy` decides each event's outcome: current snapshot,
 * deferred events, armed timers, and the history, dead letters and effects produced so far.
 */
import type { AnyMachineSnapshot, StateValue } from 'xstate';
import { unexpectedPolicyFor } from './definition.ts';
import type { ConvoyDefinition, UnexpectedPolicy } from './definition.ts';
import type {
  ConvoyKey,
  ConvoyRecord,
  DeadLetter,
  DeferredEvent,
  EffectIntent,
  HistoryEntry,
  InboxEvent,
  JsonValue,
  OutcomeReason,
  PoisonMark,
  TimerArm,
} from './model.ts';
import { planActions } from './actions.ts';
import type { ActionPlan, ReturnedAction } from './actions.ts';
import { classifyEvent } from './classify.ts';
import { toJson } from './hydrate.ts';
import type { TransitionScope } from './transition-scope.ts';

/** What a turn needs to know about its convoy. */
export interface TurnContext {
  readonly definition: ConvoyDefinition;
  readonly key: ConvoyKey;
  readonly now: number;
  /** The convoy's incarnation (see `StepInput.incarnation`). */
  readonly incarnation?: string;
}

/** The message of a thrown value (xstate wraps guard errors; users may throw non-Errors). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The mutable working state of one turn. Local to one `stepConvoy` call, so the step stays pure. */
export class TurnState {
  readonly history: HistoryEntry[] = [];
  readonly deadLetters: DeadLetter[] = [];
  readonly effects: EffectIntent[] = [];
  deferred: DeferredEvent[];
  readonly timers: Record<string, TimerArm>;
  /** Invocations in flight: invoke id -> effect id. */
  readonly invokes: Record<string, string>;
  /** Set when a failing head event must be retried later (or blocks the convoy): the batch stops there. */
  halted: PoisonMark | undefined;
  /** Why the convoy is blocked by a poison event under the `block` policy. */
  blockedReason: string | undefined;
  /** The convoy is stalled (a stall timer fired and no progress since). */
  stalled: boolean;
  /** An event other than a stall escalation was applied in this turn. */
  progressed = false;
  readonly #poison: PoisonMark | undefined;

  /** The stored JSON of `snapshot`, unless `#persistedText` holds a newer one not parsed yet. */
  #persisted: JsonValue;
  /**
   * The stored JSON text of `snapshot` after the latest transition. Each transition stringifies (the
   * per-event JSON-safety check); only the last text of a batch is parsed, when the record is built.
   */
  #persistedText: string | undefined;

  constructor(
    private readonly input: TurnContext,
    public snapshot: AnyMachineSnapshot,
    /** The stored JSON of `snapshot`, kept in step with it (so storing it can never fail at the end). */
    persisted: JsonValue,
    previous: ConvoyRecord | null,
    /** The turn's transitions: one inert actor scope for every event, instead of a new one per event. */
    private readonly scope: TransitionScope,
  ) {
    this.#persisted = persisted;
    this.deferred = [...(previous?.deferred ?? [])];
    this.timers = { ...(previous?.timers ?? {}) };
    this.invokes = { ...(previous?.invokes ?? {}) };
    this.#poison = previous?.poison;
    this.stalled = previous?.status === 'stalled';
  }

  /** The stored JSON of `snapshot` (parsed once, on first read after a transition). */
  get persisted(): JsonValue {
    if (this.#persistedText !== undefined) {
      this.#persisted = JSON.parse(this.#persistedText) as JsonValue;
      this.#persistedText = undefined;
    }
    return this.#persisted;
  }

  /** The poison mark of the previous record for `seq`, if that event is the one being retried. */
  poisonOf(seq: number): PoisonMark | undefined {
    return this.#poison?.seq === seq ? this.#poison : undefined;
  }

  /**
   * A guard or action of the head inbox event threw. Retry it later (the batch stops here, the event is
   * not processed) until `definition.poison.attempts` are used up; then dead-letter it (`skip`) or park
   * the convoy as `blocked` with the event still at the head (`block`).
   */
  failed(entry: InboxEvent, message: string): void {
    const { poison } = this.input.definition;
    const attempts = (this.poisonOf(entry.seq)?.attempts ?? 0) + 1;
    const { now } = this.input;
    if (attempts < poison.attempts) {
      this.halted = {
        seq: entry.seq,
        attempts,
        error: message,
        retryAt: now + poison.retryDelayMs * 2 ** (attempts - 1),
      };
      return;
    }
    if (poison.policy === 'block') {
      this.halted = { seq: entry.seq, attempts, error: message, retryAt: now };
      this.blockedReason = `poison_event: seq ${entry.seq} (${entry.event.type}) failed ${attempts} times: ${message}`;
      return;
    }
    const tries = poison.attempts > 1 ? ` (after ${attempts} attempts)` : '';
    this.record(entry, 'deadLettered', 'handler_error', `${message}${tries}`);
  }

  get done(): boolean {
    return this.snapshot.status === 'done';
  }

  /**
   * The durable work of a transition's actions, for the snapshot it led to. Throws when an action's
   * params or the context cannot be turned into JSON (a cycle, a BigInt): the caller then refuses the
   * transition, since its effects could not be stored.
   */
  planFor(
    snapshot: AnyMachineSnapshot,
    actions: readonly ReturnedAction[],
    seq: number,
    event: InboxEvent['event'],
  ): ActionPlan {
    const { definition, key, now, incarnation } = this.input;
    return planActions(actions, {
      definition,
      key,
      seq,
      event,
      now,
      ...(incarnation === undefined ? {} : { incarnation }),
      context: () => toJson((snapshot as { context?: unknown }).context),
    });
  }

  /** The convoy's incarnation, when the caller knows it (part of effect ids and timer tokens). */
  get incarnation(): string | undefined {
    return this.input.incarnation;
  }

  /** Takes a plan's effects and timer operations, in the order xstate produced them. */
  adopt(plan: ActionPlan): void {
    this.effects.push(...plan.effects);
    for (const op of plan.timerOps) {
      if (op.op === 'arm') this.timers[op.timer.timerId] = op.timer;
      else delete this.timers[op.timerId];
    }
    for (const op of plan.invokeOps) {
      if (op.op === 'start') this.invokes[op.invokeId] = op.effectId;
      else delete this.invokes[op.invokeId];
    }
  }

  record(entry: InboxEvent, outcome: HistoryEntry['outcome'], reason?: OutcomeReason, error?: string): void {
    const value: StateValue = this.snapshot.value;
    const line: HistoryEntry = {
      seq: entry.seq,
      event: entry.event,
      outcome,
      from: value,
      to: value,
      at: this.input.now,
    };
    this.history.push({
      ...line,
      ...(reason === undefined ? {} : { reason }),
      ...(error === undefined ? {} : { error }),
    });
    if (outcome === 'deadLettered' && reason !== undefined) {
      this.deadLetters.push({
        key: this.input.key,
        seq: entry.seq,
        event: entry.event,
        reason,
        ...(error === undefined ? {} : { error }),
        at: this.input.now,
      });
    }
  }

  /** Takes one inbox event: timer check, done check, unknown check, classification, policy. */
  process(entry: InboxEvent): void {
    const { definition } = this.input;
    const { source, event } = entry;
    let escalation = false;
    if (source.kind === 'timer') {
      const armed = this.timers[source.timerId];
      if (armed?.token !== source.token) return this.record(entry, 'ignored', 'stale_timer');
      // The firing consumes its arming, whatever the machine then does with the event.
      delete this.timers[source.timerId];
      escalation = isStallTimer(source.timerId);
    }
    if (source.kind === 'effect') {
      const actorId = invokeResultActor(event.type);
      if (actorId !== undefined) {
        // Only the invocation still in flight may deliver: its state may have been left or re-entered.
        if (this.invokes[actorId] !== source.effectId) return this.record(entry, 'ignored', 'stale_result');
        delete this.invokes[actorId];
      }
    }
    if (this.done) return this.record(entry, 'rejected', 'convoy_done');
    if (escalation) {
      // One escalation per stall: a second limit firing while the convoy is still stalled is recorded only.
      const already = this.stalled;
      this.stalled = true;
      if (already || definition.stall?.escalate === undefined)
        return this.record(entry, 'ignored', 'stalled');
    }
    this.#escalating = escalation;
    // Only client events can be unknown: timer firings carry events the machine raised itself.
    const known = source.kind !== 'client' || definition.eventTypes.includes(event.type);
    if (!known) return this.record(entry, 'deadLettered', 'unknown_event_type');
    const cls = classifyEvent(this.snapshot, event);
    switch (cls.kind) {
      case 'error':
        return this.failed(entry, cls.message);
      case 'accepted':
        if (this.apply(entry, true)) this.releaseDeferred();
        return;
      case 'guardRejected':
        return this.applyPolicy(entry, definition.guardRejected, 'guard_rejected');
      case 'notNow':
        return this.applyPolicy(entry, unexpectedPolicyFor(definition, event.type), 'not_accepted_in_state');
    }
  }

  #escalating = false;

  /**
   * Transitions on an accepted event; false when it failed. A throwing guard/assign of the head inbox
   * event (`head`) goes through poison handling ({@link failed}); of a deferred event it is dead-lettered.
   */
  apply(entry: InboxEvent, head = false): boolean {
    const from = this.snapshot.value;
    let next: AnyMachineSnapshot;
    let plan: ActionPlan;
    let persistedText: string;
    let actions: readonly ReturnedAction[];
    try {
      [next, actions] = this.scope.transition(this.snapshot, entry.event);
      if (next.status === 'error') throw next.error;
    } catch (error) {
      // A guard or action threw: maybe transient (poison handling retries the head event).
      if (head) this.failed(entry, messageOf(error));
      else this.record(entry, 'deadLettered', 'handler_error', messageOf(error));
      return false;
    }
    try {
      plan = this.planFor(next, actions, entry.seq, entry.event);
      // An assign that put something JSON cannot hold (a BigInt, a cycle) into context is refused here,
      // on the event that did it, rather than failing the whole commit.
      // Stringify only: parsing every intermediate snapshot of a batch is wasted work.
      persistedText = JSON.stringify(this.input.definition.machine.getPersistedSnapshot(next));
    } catch (error) {
      // Context or params JSON cannot hold is deterministic: retrying it cannot help.
      this.record(entry, 'deadLettered', 'handler_error', messageOf(error));
      return false;
    }
    if (!this.#escalating) {
      this.progressed = true;
      this.stalled = false;
    }
    this.snapshot = next;
    this.#persistedText = persistedText;
    this.history.push({
      seq: entry.seq,
      event: entry.event,
      outcome: 'applied',
      from,
      to: next.value,
      at: this.input.now,
    });
    this.adopt(plan);
    if (this.done) this.finish();
    return true;
  }

  applyPolicy(entry: InboxEvent, policy: UnexpectedPolicy, reason: OutcomeReason): void {
    // Events the machine raised itself (delayed raise, `after`) follow xstate's semantics: an internal
    // event no active state takes is dropped. Policies are for what clients send.
    if (entry.source.kind !== 'client' || entry.event.type.startsWith('xstate.')) {
      return this.record(entry, 'ignored', reason);
    }
    switch (policy) {
      case 'defer':
        this.deferred.push({ ...entry, deferredAt: this.input.now });
        return this.record(entry, 'deferred', reason);
      case 'reject':
        return this.record(entry, 'rejected', reason);
      case 'deadLetter':
        return this.record(entry, 'deadLettered', reason);
      case 'ignore':
        return this.record(entry, 'ignored', reason);
    }
  }

  /**
   * After a transition, re-check deferred events in arrival order; apply the first that now fits and
   * restart the scan (its transition may enable an earlier one). Events that still do not fit stay.
   */
  releaseDeferred(): void {
    let index = 0;
    while (index < this.deferred.length && !this.done) {
      const entry = this.deferred[index]!;
      const cls = classifyEvent(this.snapshot, entry.event);
      if (cls.kind === 'accepted' || cls.kind === 'error') {
        this.deferred = this.deferred.filter((_, i) => i !== index);
        if (cls.kind === 'error') this.record(entry, 'deadLettered', 'handler_error', cls.message);
        if (cls.kind === 'accepted' && this.apply(entry)) {
          index = 0;
          continue;
        }
        continue;
      }
      index += 1;
    }
  }

  /** A finished convoy takes nothing more: refuse what is still deferred, drop every armed timer. */
  finish(): void {
    const left = this.deferred;
    this.deferred = [];
    for (const entry of left) this.record(entry, 'rejected', 'convoy_done');
    for (const timerId of Object.keys(this.timers)) delete this.timers[timerId];
    for (const invokeId of Object.keys(this.invokes)) delete this.invokes[invokeId];
  }
}

/** Timer ids of the stall limits (never an xstate send id, which cannot start with `convoy.`). */
export const stallTimerIds = { idle: 'convoy.stall.idle', headOfLine: 'convoy.stall.headOfLine' } as const;

function isStallTimer(timerId: string): boolean {
  return timerId === stallTimerIds.idle || timerId === stallTimerIds.headOfLine;
}

/** The invoke id of an `xstate.done.actor.<id>` / `xstate.error.actor.<id>` event type. */
export function invokeResultActor(eventType: string): string | undefined {
  for (const prefix of ['xstate.done.actor.', 'xstate.error.actor.']) {
    if (eventType.startsWith(prefix)) return eventType.slice(prefix.length);
  }
  return undefined;
}
