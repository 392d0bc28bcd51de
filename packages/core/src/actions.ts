/**
 * Turning the actions xstate returns from a pure transition into durable work: effect intents for the
 * outbox and timer arm/cancel operations. Nothing is executed here.
 */
import type { ConvoyDefinition } from './definition.ts';
import type { ConvoyEvent, ConvoyKey, EffectIntent, JsonValue, TimerArm } from './model.ts';
import { toJson } from './hydrate.ts';

/** An action as `transition()` / `initialTransition()` return it (only the fields Convoy reads). */
export interface ReturnedAction {
  readonly type: string;
  readonly params?: unknown;
}

/** A timer operation, in the order the machine performed it (exit cancels come before entry arms). */
export type TimerOp =
  { readonly op: 'arm'; readonly timer: TimerArm } | { readonly op: 'cancel'; readonly timerId: string };

/** An invocation started (its effect runs the logic) or stopped (its state was left), in machine order. */
export type InvokeOp =
  | { readonly op: 'start'; readonly invokeId: string; readonly effectId: string }
  | { readonly op: 'stop'; readonly invokeId: string };

/** The action type of the effect that runs an invoked actor's logic (`invoke` of `fromPromise`). */
export const invokeEffectAction = 'xstate.invoke';

/** Params of an {@link invokeEffectAction} effect. */
export interface InvokeEffectParams {
  readonly [field: string]: JsonValue;
  /** The invoke id: the result comes back as `xstate.done.actor.<invokeId>` / `xstate.error.actor.<invokeId>`. */
  readonly invokeId: string;
  /** The actor logic's name in `setup({ actors })`, or xstate's `xstate.invoke.<index>.<stateId>` for inline logic. */
  readonly src: string;
  readonly input: JsonValue;
}

/** What one transition asks the runtime to do. */
export interface ActionPlan {
  readonly effects: readonly EffectIntent[];
  readonly timerOps: readonly TimerOp[];
  readonly invokeOps: readonly InvokeOp[];
}

/** Facts about the transition that produced the actions. */
export interface ActionSource {
  readonly definition: ConvoyDefinition;
  readonly key: ConvoyKey;
  /** Seq of the event that caused the transition; 0 for the initial transition. */
  readonly seq: number;
  readonly event: ConvoyEvent;
  readonly now: number;
  /**
   * The convoy's incarnation (one lifetime of its id, see `Claim.incarnation`): part of every effect id
   * and timer token, so a convoy re-created under a reused id never produces an id of an earlier one.
   */
  readonly incarnation?: string;
  /** The convoy's context after the transition, computed only when an effect needs it. */
  readonly context: () => JsonValue | undefined;
}

/** `|<incarnation>` when there is one: the last part of effect ids and timer tokens. */
function lifetimeSuffix(incarnation: string | undefined): string {
  return incarnation === undefined || incarnation === '' ? '' : `|${incarnation}`;
}

/**
 * The stable id of the `index`-th effect produced by event `seq` of a convoy:
 * `<type>|<id>|<seq>|<index>|<incarnation>` (without the incarnation when none is known).
 */
export function effectId(key: ConvoyKey, seq: number, index: number, incarnation?: string): string {
  return `${key.type}|${key.id}|${seq}|${index}${lifetimeSuffix(incarnation)}`;
}

/** A token unique to one arming: the event seq that armed it, the action's position, the incarnation. */
export function timerToken(key: ConvoyKey, seq: number, actionIndex: number, incarnation?: string): string {
  return `${key.type}|${key.id}|${seq}|t${actionIndex}${lifetimeSuffix(incarnation)}`;
}

/** True when the action type is a durable effect of this definition. */
export function isEffectAction(definition: ConvoyDefinition, type: string): boolean {
  const implementations = definition.machine.implementations.actions as Readonly<Record<string, unknown>>;
  return Object.hasOwn(definition.effects, type) || Object.hasOwn(implementations, type);
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function isConvoyEvent(value: unknown): value is ConvoyEvent {
  return typeof asRecord(value)['type'] === 'string';
}

/**
 * Plan the durable work for the actions of one transition.
 *
 * - A named custom action whose type is in `definition.effects` or in the machine's
 *   `implementations.actions` becomes an {@link EffectIntent} with id `<type>|<id>|<seq>|<index>`.
 *   Inline anonymous actions (`actions: () => ...`) are skipped: they have no name to replay them by
 *   after a restart, so they cannot be run durably. Give them a name in `setup({ actions })`.
 * - A delayed `raise` (including `after` transitions) arms a timer due at `now + delay`. A delayed raise
 *   without an explicit `id` gets its token as timer id, so it cannot be cancelled by id.
 * - `cancel` becomes a cancel operation.
 * - `spawnChild` of an `invoke` becomes an effect with action {@link invokeEffectAction} (params
 *   {@link InvokeEffectParams}) and a `start` invoke operation; `stopChild` (the state was left, or the
 *   invocation finished) a `stop` operation.
 * - Built-in actions already applied by the transition (`assign`, immediate `raise`) and actions not
 *   handled yet (`sendTo`, `emit`, `log`) are left out.
 *
 * @example
 * ```ts
 * const [next, actions] = transition(machine, snapshot, event);
 * const plan = planActions(actions, { definition, key, seq, event, now, context: () => toJson(next.context) });
 * ```
 */
export function planActions(actions: readonly ReturnedAction[], source: ActionSource): ActionPlan {
  const { definition, key, seq, event, now, incarnation } = source;
  const effects: EffectIntent[] = [];
  const timerOps: TimerOp[] = [];
  const invokeOps: InvokeOp[] = [];
  let context: JsonValue | undefined;
  let contextComputed = false;
  actions.forEach((action, actionIndex) => {
    const params = asRecord(action.params);
    if (action.type === 'xstate.raise') {
      const delay = params['delay'];
      if (typeof delay !== 'number' || !isConvoyEvent(params['event'])) return;
      const token = timerToken(key, seq, actionIndex, incarnation);
      const timerId = typeof params['id'] === 'string' ? params['id'] : token;
      const raised = toJson(params['event']) as unknown as ConvoyEvent;
      timerOps.push({ op: 'arm', timer: { timerId, token, dueAt: now + Math.max(0, delay), event: raised } });
      return;
    }
    if (action.type === 'xstate.cancel') {
      if (typeof params['sendId'] === 'string') timerOps.push({ op: 'cancel', timerId: params['sendId'] });
      return;
    }
    if (action.type === 'xstate.stopChild') {
      const id = asRecord(params['actorRef'] ?? action.params)['id'];
      if (typeof id === 'string') invokeOps.push({ op: 'stop', invokeId: id });
      return;
    }
    const invoke = action.type === 'xstate.spawnChild' && typeof params['src'] === 'string';
    if (!invoke && (action.type.startsWith('xstate.') || !isEffectAction(definition, action.type))) return;
    if (!contextComputed) {
      context = source.context();
      contextComputed = true;
    }
    const id = effectId(key, seq, effects.length, incarnation);
    if (invoke) {
      const invokeId = String(params['id']);
      const invokeParams: InvokeEffectParams = {
        invokeId,
        src: String(params['src']),
        input: toJson(params['input']) ?? null,
      };
      invokeOps.push({ op: 'start', invokeId, effectId: id });
      effects.push({ id, action: invokeEffectAction, params: invokeParams, seq, event, context });
      return;
    }
    effects.push({ id, action: action.type, params: toJson(action.params), seq, event, context });
  });
  return { effects, timerOps, invokeOps };
}
