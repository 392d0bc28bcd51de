/**
 * The pure step: one turn of one convoy. Hydrate, classify and apply each inbox event in order, apply
 * the convoy's policies, and return everything the store must commit atomically. Core computes; the
 * runtime commits and then executes.
 */
import type { AnyMachineSnapshot, StateValue } from 'xstate';
import type { ConvoyDefinition } from './definition.ts';
import type { ConvoyKey, ConvoyRecord, InboxEvent, TimerArm } from './model.ts';
import type { TurnCommit } from './ports/store.ts';
import type { ActionPlan, ReturnedAction } from './actions.ts';
import { blockedNewRecord, blockedTurn } from './block.ts';
import { hydrateSnapshot, persistSnapshot, toJson } from './hydrate.ts';
import { messageOf, stallTimerIds, TurnState } from './turn-state.ts';
import { TransitionScope } from './transition-scope.ts';

/** Input of {@link stepConvoy}. */
export interface StepInput {
  readonly definition: ConvoyDefinition;
  readonly key: ConvoyKey;
  /** The committed record; null for a convoy never processed (it starts with `initialTransition`). */
  readonly record: ConvoyRecord | null;
  /** Unprocessed inbox events in seq order, all after `record.processedSeq`. */
  readonly events: readonly InboxEvent[];
  /** The turn's time (from the injected clock): timer deadlines and history timestamps use it. */
  readonly now: number;
}

/** Timer changes between the previous record and the new one; `arm` and `cancel` never share an id. */
function diffTimers(
  before: Readonly<Record<string, TimerArm>>,
  after: Readonly<Record<string, TimerArm>>,
): TurnCommit['timers'] {
  const arm = Object.values(after).filter((timer) => before[timer.timerId]?.token !== timer.token);
  const cancel = Object.keys(before).filter((timerId) => after[timerId] === undefined);
  return { arm, cancel };
}

/**
 * Keep the stall limits armed as durable timers: the idle limit from the last progress (re-armed when
 * an event other than an escalation was applied), the head-of-line limit from when the oldest deferred
 * event was deferred. While the convoy is stalled neither is re-armed: one escalation per stall.
 */
function armStallTimers(
  turn: TurnState,
  definition: ConvoyDefinition,
  key: ConvoyKey,
  processedSeq: number,
  now: number,
): void {
  const { stall } = definition;
  if (!stall || turn.stalled) return;
  const type = stall.escalate ?? 'convoy.stalled';
  const base = `${key.type}|${key.id}`;
  if (stall.idleMs !== undefined && (turn.progressed || turn.timers[stallTimerIds.idle] === undefined)) {
    turn.timers[stallTimerIds.idle] = {
      timerId: stallTimerIds.idle,
      token: `${base}|${processedSeq}|stall-idle`,
      dueAt: now + stall.idleMs,
      event: { type, reason: 'idle', since: now },
    };
  }
  if (stall.headOfLineMs === undefined) return;
  const head = turn.deferred[0];
  if (!head) {
    delete turn.timers[stallTimerIds.headOfLine];
    return;
  }
  const token = `${base}|${head.seq}|stall-head`;
  if (turn.timers[stallTimerIds.headOfLine]?.token === token) return;
  turn.timers[stallTimerIds.headOfLine] = {
    timerId: stallTimerIds.headOfLine,
    token,
    dueAt: head.deferredAt + stall.headOfLineMs,
    event: { type, reason: 'headOfLine', since: head.deferredAt, seq: head.seq },
  };
}

/** The initial transition of a new convoy, or why it failed (a throwing `input`, context or entry assign). */
function startConvoy(
  definition: ConvoyDefinition,
  key: ConvoyKey,
  scope: TransitionScope,
):
  | { readonly ok: true; readonly snapshot: AnyMachineSnapshot; readonly actions: readonly ReturnedAction[] }
  | { readonly ok: false; readonly reason: string } {
  try {
    const input = definition.input ? definition.input(key) : { type: key.type, id: key.id };
    const [snapshot, actions] = scope.initial(input);
    if (snapshot.status === 'error')
      return { ok: false, reason: `initial_transition_failed: ${messageOf(snapshot.error)}` };
    return { ok: true, snapshot, actions };
  } catch (error) {
    return { ok: false, reason: `initial_transition_failed: ${messageOf(error)}` };
  }
}

/**
 * Step one convoy through a batch of inbox events. Pure: no I/O, no clock, no randomness, the input is
 * not mutated, and the same input gives an equal output. It never throws for event problems; every
 * event gets an outcome in `history` (applied, deferred, rejected, deadLettered, ignored).
 *
 * A stored snapshot that no longer fits the machine (or a record of another definition version) parks
 * the convoy as `blocked` without processing anything.
 *
 * `timers.arm` lists timers armed in this turn (a re-armed id appears there with its new token and
 * replaces the old arming); `timers.cancel` lists ids armed before and no longer armed (cancelled, fired,
 * or dropped because the convoy finished). The two are disjoint, so the order a store applies them in
 * does not matter.
 *
 * @example
 * ```ts
 * const commit = stepConvoy({ definition: order, key, record: claim.record, events: claim.events, now: clock.now() });
 * await store.commit(claim, commit);
 * ```
 */
export function stepConvoy(input: StepInput): TurnCommit {
  const { definition, key, record, now } = input;
  const { machine } = definition;
  if (record?.status === 'blocked') return blockedTurn(record, record.blockedReason ?? 'blocked', now);
  if (record && record.definitionVersion !== definition.version) {
    const reason = `version_mismatch: convoy runs on version ${record.definitionVersion}, definition is version ${definition.version}`;
    return blockedTurn(record, reason, now);
  }
  let turn: TurnState;
  if (record === null) {
    const scope = new TransitionScope(machine);
    const initial = startConvoy(definition, key, scope);
    if (!initial.ok)
      return blockedTurn(blockedNewRecord(key, definition.version, initial.reason, now), initial.reason, now);
    let plan: ActionPlan;
    try {
      turn = new TurnState(input, initial.snapshot, persistSnapshot(machine, initial.snapshot), null, scope);
      plan = turn.planFor(initial.snapshot, initial.actions, 0, { type: 'xstate.init' });
    } catch (error) {
      const reason = `initial_transition_failed: ${messageOf(error)}`;
      return blockedTurn(blockedNewRecord(key, definition.version, reason, now), reason, now);
    }
    turn.adopt(plan);
    if (turn.done) turn.finish();
  } else {
    const scope = new TransitionScope(machine);
    const hydrated = hydrateSnapshot(machine, record.snapshot, scope);
    if (!hydrated.ok) return blockedTurn(record, hydrated.reason, now);
    turn = new TurnState(input, hydrated.snapshot, record.snapshot, record, scope);
  }

  let processedSeq = record?.processedSeq ?? 0;
  for (const entry of input.events) {
    // Already decided in an earlier commit (a replayed batch): deciding it again would apply it twice.
    if (entry.seq <= processedSeq) continue;
    // A poison event waits for its next attempt: nothing after it may overtake it.
    const poisoned = turn.poisonOf(entry.seq);
    if (poisoned && now < poisoned.retryAt) {
      turn.halted = poisoned;
      break;
    }
    turn.process(entry);
    if (turn.halted) break;
    processedSeq = entry.seq;
  }
  if (!turn.done) armStallTimers(turn, definition, key, processedSeq, now);

  const persisted = turn.persisted;
  const persistedFields = persisted as { value?: StateValue; context?: unknown };
  const status = turn.done
    ? 'done'
    : turn.blockedReason !== undefined
      ? 'blocked'
      : record?.status === 'paused'
        ? 'paused'
        : turn.stalled
          ? 'stalled'
          : 'active';
  const next: ConvoyRecord = {
    key: { type: key.type, id: key.id },
    status,
    definitionVersion: definition.version,
    snapshot: persisted,
    value: persistedFields.value ?? turn.snapshot.value,
    context: toJson(persistedFields.context) ?? null,
    processedSeq,
    deferred: turn.deferred,
    timers: turn.timers,
    ...(turn.blockedReason === undefined ? {} : { blockedReason: turn.blockedReason }),
    ...(Object.keys(turn.invokes).length === 0 ? {} : { invokes: turn.invokes }),
    ...(turn.halted === undefined ? {} : { poison: turn.halted }),
    createdAt: record?.createdAt ?? now,
    updatedAt: now,
    revision: (record?.revision ?? 0) + 1,
  };
  return {
    record: next,
    history: turn.history,
    deadLetters: turn.deadLetters,
    effects: turn.effects,
    timers: diffTimers(record?.timers ?? {}, turn.timers),
  };
}
