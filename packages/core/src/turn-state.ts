/**
 * The working state of one turn while `stepConvoy` decides each event's outcome: current snapshot,
 * deferred events, armed timers, and the history, dead letters and effects produced so far.
 */
import { transition } from 'xstate';
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
  TimerArm,
} from './model.ts';
import { planActions } from './actions.ts';
import type { ActionPlan, ReturnedAction } from './actions.ts';
import { classifyEvent } from './classify.ts';
import { persistSnapshot, toJson } from './hydrate.ts';

/** What a turn needs to know about its convoy. */
export interface TurnContext {
  readonly definition: ConvoyDefinition;
  readonly key: ConvoyKey;
  readonly now: number;
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

  constructor(
    private readonly input: TurnContext,
    public snapshot: AnyMachineSnapshot,
    /** The stored JSON of `snapshot`, kept in step with it (so storing it can never fail at the end). */
    public persisted: JsonValue,
    previous: ConvoyRecord | null,
  ) {
    this.deferred = [...(previous?.deferred ?? [])];
    this.timers = { ...(previous?.timers ?? {}) };
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
    const { definition, key, now } = this.input;
    return planActions(actions, {
      definition,
      key,
      seq,
      event,
      now,
      context: () => toJson((snapshot as { context?: unknown }).context),
    });
  }

  /** Takes a plan's effects and timer operations, in the order xstate produced them. */
  adopt(plan: ActionPlan): void {
    this.effects.push(...plan.effects);
    for (const op of plan.timerOps) {
      if (op.op === 'arm') this.timers[op.timer.timerId] = op.timer;
      else delete this.timers[op.timerId];
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
    if (source.kind === 'timer') {
      const armed = this.timers[source.timerId];
      if (armed?.token !== source.token) return this.record(entry, 'ignored', 'stale_timer');
      // The firing consumes its arming, whatever the machine then does with the event.
      delete this.timers[source.timerId];
    }
    if (this.done) return this.record(entry, 'rejected', 'convoy_done');
    // Only client events can be unknown: timer firings carry events the machine raised itself.
    const known = source.kind !== 'client' || definition.eventTypes.includes(event.type);
    if (!known) return this.record(entry, 'deadLettered', 'unknown_event_type');
    const cls = classifyEvent(this.snapshot, event);
    switch (cls.kind) {
      case 'error':
        return this.record(entry, 'deadLettered', 'handler_error', cls.message);
      case 'accepted':
        if (this.apply(entry)) this.releaseDeferred();
        return;
      case 'guardRejected':
        return this.applyPolicy(entry, definition.guardRejected, 'guard_rejected');
      case 'notNow':
        return this.applyPolicy(entry, unexpectedPolicyFor(definition, event.type), 'not_accepted_in_state');
    }
  }

  /** Transitions on an accepted event. A throwing guard/assign dead-letters it; false then. */
  apply(entry: InboxEvent): boolean {
    const from = this.snapshot.value;
    let next: AnyMachineSnapshot;
    let plan: ActionPlan;
    let persisted: JsonValue;
    try {
      let actions: readonly ReturnedAction[];
      [next, actions] = transition(this.input.definition.machine, this.snapshot, entry.event);
      if (next.status === 'error') throw next.error;
      plan = this.planFor(next, actions, entry.seq, entry.event);
      // An assign that put something JSON cannot hold (a BigInt, a cycle) into context is refused here,
      // on the event that did it, rather than failing the whole commit.
      persisted = persistSnapshot(this.input.definition.machine, next);
    } catch (error) {
      this.record(entry, 'deadLettered', 'handler_error', messageOf(error));
      return false;
    }
    this.snapshot = next;
    this.persisted = persisted;
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
  }
}
