/**
 * Convoy definitions: an XState v5 machine plus the rules Convoy applies around it.
 */
import type { AnyStateMachine, EventFromLogic, InputFrom } from 'xstate';
import { ConvoyError } from './errors.ts';
import type { ConvoyKey, EffectIntent, JsonValue } from './model.ts';
import { isStandardSchema, type StandardSchemaV1 } from './standard-schema.ts';
import { allNodes, invokesOf } from './export/walk.ts';
import { assertMachineFromPeerXstate } from './xstate-peer.ts';

/**
 * What to do with an event the machine knows but cannot take now.
 * - `defer`: hold it and re-check it, in arrival order, after every transition (the default).
 * - `reject`: record it as `rejected` and drop it.
 * - `deadLetter`: record it and keep it in the convoy's dead letters for inspection and redrive.
 * - `ignore`: record it as `ignored` and drop it.
 */
export type UnexpectedPolicy = 'defer' | 'reject' | 'deadLetter' | 'ignore';

/** Event types a machine declares (without xstate's internal `xstate.*` events). */
export type ConvoyEventType<TMachine extends AnyStateMachine> = Exclude<
  EventFromLogic<TMachine>['type'],
  `xstate.${string}`
>;

/** A policy per event type; `'*'` covers types not listed. */
export type UnexpectedPolicyMap<TEventType extends string> = {
  readonly [K in TEventType | '*']?: UnexpectedPolicy;
};

/** Context handed to an effect implementation. */
export interface EffectContext {
  readonly key: ConvoyKey;
  /** Stable per effect: use it to make the side effect idempotent downstream. */
  readonly idempotencyKey: string;
}

/**
 * Runs one durable effect (at least once). Throwing makes the runtime retry it. A handler registered
 * under an invoke's `src` implements that invoke: what it returns is the invoke's output.
 */
export type EffectHandler = (effect: EffectIntent, context: EffectContext) => unknown;

/**
 * Stall detection of a convoy type. Both limits are durable timers of the convoy, so they survive
 * restarts like `after` transitions. On a breach the convoy gets status `stalled` and, when `escalate`
 * is set, that event is sent into the machine once per stall (so the machine can compensate or cancel).
 */
export interface StallOptions {
  /** Idle limit: no transition for this long while not final. Re-armed by every transition a client, timer or effect caused. */
  readonly idleMs?: number;
  /** Head-of-line limit: a deferred event waiting for this long without being applied. */
  readonly headOfLineMs?: number;
  /**
   * Event type sent into the machine on a breach, with `reason: 'idle' | 'headOfLine'` and `since`.
   * Must be one of the machine's events. Without it the convoy is only marked `stalled`.
   */
  readonly escalate?: string;
}

/** What happens to an event whose guard or action keeps throwing once its attempts are used up. */
export type PoisonPolicy = 'skip' | 'block';

/** Retries of an event whose guard or action throws (a poison event). */
export interface PoisonOptions {
  /**
   * Attempts (the first one included) before the policy applies.
   * @defaultValue 3
   */
  readonly attempts?: number;
  /**
   * Delay before the second attempt; doubled for each further attempt.
   * @defaultValue 1000
   */
  readonly retryDelayMs?: number;
  /**
   * `skip`: dead-letter the event (reason `handler_error`) and go on with the next one. `block`: park
   * the convoy as `blocked`, the event still at the head of its inbox, until an operator acts.
   * @defaultValue 'skip'
   */
  readonly policy?: PoisonPolicy;
}

/** Moves a stored snapshot of an older version forward to this definition's version. */
export type SnapshotMigration = (snapshot: JsonValue, fromVersion: number) => JsonValue;

/** Options of {@link defineConvoy}. */
export interface ConvoyDefinitionOptions<TMachine extends AnyStateMachine, TType extends string = string> {
  /**
   * The convoy type, used in URLs: `^[A-Za-z][A-Za-z0-9_-]{0,63}$`. Kept as a literal type so typed
   * clients (`@convoy/client`) can narrow events by convoy type.
   */
  readonly type: TType;
  /** The XState v5 machine; one persisted actor of it runs per correlation id. */
  readonly machine: TMachine;
  /**
   * Definition version; convoys keep the version they started on.
   * @defaultValue 1
   */
  readonly version?: number;
  /**
   * Policy for events the machine knows but cannot take in the current state.
   * @defaultValue 'defer'
   */
  readonly unexpected?: UnexpectedPolicy | UnexpectedPolicyMap<ConvoyEventType<TMachine>>;
  /**
   * Policy for events the current state handles but whose every guard refused them.
   * @defaultValue 'reject'
   */
  readonly guardRejected?: UnexpectedPolicy;
  /** Input for the machine when a convoy starts. Defaults to `{ type, id }` of the convoy. */
  readonly input?: (key: ConvoyKey) => InputFrom<TMachine>;
  /**
   * Durable effect implementations by action type. An action of the machine whose type is listed here
   * is stored in the outbox with the commit and run afterwards, at least once.
   */
  readonly effects?: Readonly<Record<string, EffectHandler>>;
  /**
   * Maximum unprocessed events per convoy before accept answers `backlog_full` (429).
   * @defaultValue 10000
   */
  readonly maxBacklog?: number;
  /** A human description shown in the API and console. */
  readonly description?: string;
  /**
   * Payload schemas by event type (any Standard Schema v1, e.g. zod 4): an accepted body must pass its
   * type's schema (run synchronously; the stored event is the body as sent), else 422
   * `invalid_event_payload`. Events without a schema are only checked to be plain JSON.
   */
  readonly schemas?: Readonly<Partial<Record<ConvoyEventType<TMachine>, StandardSchemaV1>>>;
  /** Stall detection (off by default). */
  readonly stall?: StallOptions;
  /**
   * Poison events: a policy, or the full retry options.
   * @defaultValue `{ attempts: 3, retryDelayMs: 1000, policy: 'skip' }`
   */
  readonly poison?: PoisonPolicy | PoisonOptions;
  /**
   * Moves convoys running on an older version of this type to this version on their next turn. Without
   * it, a convoy whose version is not registered is `blocked`.
   */
  readonly migrate?: SnapshotMigration;
  /** Retention of finished convoys. */
  readonly retention?: {
    /** Delete a finished convoy (record, history, dead letters) this long after it finished. @defaultValue keep forever */
    readonly finishedMs?: number;
  };
}

/** A registered convoy definition (see {@link defineConvoy}). */
export interface ConvoyDefinition<
  TMachine extends AnyStateMachine = AnyStateMachine,
  TType extends string = string,
> {
  readonly kind: 'convoy-definition';
  readonly type: TType;
  readonly version: number;
  readonly machine: TMachine;
  /** Event types clients may send (the machine's events minus `xstate.*`). */
  readonly eventTypes: readonly string[];
  readonly unexpected: UnexpectedPolicy | UnexpectedPolicyMap<string>;
  readonly guardRejected: UnexpectedPolicy;
  readonly input: ((key: ConvoyKey) => unknown) | undefined;
  readonly effects: Readonly<Record<string, EffectHandler>>;
  readonly maxBacklog: number;
  readonly description: string | undefined;
  /** Payload schemas by event type (see {@link ConvoyDefinitionOptions.schemas}). */
  readonly schemas: Readonly<Record<string, StandardSchemaV1>>;
  readonly stall: StallOptions | undefined;
  readonly poison: Required<PoisonOptions>;
  readonly migrate: SnapshotMigration | undefined;
  /** Retention of a finished convoy in ms, or undefined to keep it. */
  readonly retainFinishedMs: number | undefined;
}

const typePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const policies: ReadonlySet<string> = new Set<UnexpectedPolicy>(['defer', 'reject', 'deadLetter', 'ignore']);

function assertPolicy(type: string, where: string, policy: unknown): asserts policy is UnexpectedPolicy {
  if (typeof policy !== 'string' || !policies.has(policy)) {
    throw new ConvoyError(
      'definition_invalid',
      `Convoy "${type}": ${where} must be one of ${[...policies].join(', ')}`,
    );
  }
}

/**
 * Define a convoy: an XState v5 machine run as one persisted actor per correlation id.
 *
 * @example
 * ```ts
 * const order = defineConvoy({ type: 'order', machine: orderMachine, unexpected: { ItemsShipped: 'defer', '*': 'reject' } });
 * ```
 */
export function defineConvoy<TMachine extends AnyStateMachine, TType extends string = string>(
  options: ConvoyDefinitionOptions<TMachine, TType>,
): ConvoyDefinition<TMachine, TType> {
  const { type, machine } = options;
  if (!typePattern.test(type)) {
    throw new ConvoyError('definition_invalid', `Convoy type "${type}" must match ${typePattern.source}`);
  }
  assertMachineFromPeerXstate(machine, `Convoy "${type}"`);
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new ConvoyError('definition_invalid', `Convoy "${type}": version must be a positive integer`);
  }
  const unexpected = options.unexpected ?? 'defer';
  if (typeof unexpected === 'string') {
    assertPolicy(type, 'unexpected', unexpected);
  } else {
    for (const [eventType, policy] of Object.entries(unexpected))
      assertPolicy(type, `unexpected.${eventType}`, policy);
  }
  const guardRejected = options.guardRejected ?? 'reject';
  assertPolicy(type, 'guardRejected', guardRejected);
  const maxBacklog = options.maxBacklog ?? 10_000;
  if (!Number.isSafeInteger(maxBacklog) || maxBacklog < 1) {
    throw new ConvoyError('definition_invalid', `Convoy "${type}": maxBacklog must be a positive integer`);
  }
  const eventTypes = machine.events.filter((eventType: string) => !eventType.startsWith('xstate.'));
  const stall = options.stall;
  if (stall) {
    for (const limit of ['idleMs', 'headOfLineMs'] as const)
      assertPositive(type, `stall.${limit}`, stall[limit]);
    if (stall.escalate !== undefined && !eventTypes.includes(stall.escalate)) {
      throw new ConvoyError(
        'definition_invalid',
        `Convoy "${type}": stall.escalate "${stall.escalate}" is not an event of the machine`,
      );
    }
  }
  const poisonOptions =
    typeof options.poison === 'string' ? { policy: options.poison } : (options.poison ?? {});
  const poison: Required<PoisonOptions> = {
    attempts: poisonOptions.attempts ?? 3,
    retryDelayMs: poisonOptions.retryDelayMs ?? 1000,
    policy: poisonOptions.policy ?? 'skip',
  };
  if (!Number.isSafeInteger(poison.attempts) || poison.attempts < 1) {
    throw new ConvoyError(
      'definition_invalid',
      `Convoy "${type}": poison.attempts must be a positive integer`,
    );
  }
  if (poison.policy !== 'skip' && poison.policy !== 'block') {
    throw new ConvoyError('definition_invalid', `Convoy "${type}": poison policy must be 'skip' or 'block'`);
  }
  assertPositive(type, 'retention.finishedMs', options.retention?.finishedMs);
  warnGeneratedInvokeIds(type, version, machine);
  const schemas: Record<string, StandardSchemaV1> = {};
  for (const [eventType, schema] of Object.entries<unknown>(options.schemas ?? {})) {
    if (schema === undefined) continue;
    if (!eventTypes.includes(eventType) || !isStandardSchema(schema)) {
      throw new ConvoyError(
        'definition_invalid',
        `Convoy "${type}": schemas.${eventType} must be a Standard Schema of an event of the machine`,
      );
    }
    schemas[eventType] = schema;
  }
  return {
    kind: 'convoy-definition',
    type,
    version,
    machine,
    eventTypes,
    unexpected,
    guardRejected,
    input: options.input,
    effects: options.effects ?? {},
    maxBacklog,
    description: options.description,
    schemas,
    stall,
    poison,
    migrate: options.migrate,
    retainFinishedMs: options.retention?.finishedMs,
  };
}

/** The warning code of an invoke without an explicit `id` (see docs/definitions.md). */
export const invokeWithoutIdWarning = 'CONVOY_INVOKE_WITHOUT_ID';

// Definitions already warned about: a module defined twice (tests, hot reload) warns once.
const warnedInvokes = new Set<string>();

/**
 * Warn (once per type, version and invoke) about invokes without an explicit `id`. XState then names
 * the invoke `<index>.<state node id>`; that name is persisted (the invoke's result event is
 * `xstate.done.actor.0.loan.CreditCheck`, and the in-flight invocation is stored under it), so renaming
 * or moving the state, or reordering its invokes, in a new version leaves the result of a convoy in
 * flight matching nothing: it is dropped, and the convoy waits for a result that never comes.
 */
function warnGeneratedInvokeIds(type: string, version: number, machine: AnyStateMachine): void {
  for (const node of allNodes(machine)) {
    for (const invoke of invokesOf(node)) {
      const key = `${type}\u0000${version}\u0000${invoke.id}`;
      if (!invoke.generated || warnedInvokes.has(key)) continue;
      warnedInvokes.add(key);
      const name = invoke.src === undefined ? 'an inline invoke' : `invoke "${invoke.src}"`;
      emitWarning(
        `Convoy "${type}": ${name} in state "${node.id}" has no id, so XState names it "${invoke.id}"; ` +
          'that name is stored with convoys in flight and changes if the state is renamed or moved, ' +
          'so their results would be dropped. ' +
          `Give it one: invoke: { id: '${invoke.src ?? 'work'}', ... }`,
      );
    }
  }
}

function emitWarning(message: string): void {
  // Core runs outside Node too (bundled into browser pages): there is no process to warn on there.
  const host = (globalThis as { process?: { emitWarning?: (message: string, options: object) => void } })
    .process;
  host?.emitWarning?.(message, { code: invokeWithoutIdWarning });
}

function assertPositive(type: string, where: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new ConvoyError('definition_invalid', `Convoy "${type}": ${where} must be a positive number`);
  }
}

/** The policy a definition applies to an unexpected event of this type. */
export function unexpectedPolicyFor(definition: ConvoyDefinition, eventType: string): UnexpectedPolicy {
  const { unexpected } = definition;
  if (typeof unexpected === 'string') return unexpected;
  return unexpected[eventType] ?? unexpected['*'] ?? 'defer';
}

/** True for a value produced by {@link defineConvoy} (used when loading user modules). */
export function isConvoyDefinition(value: unknown): value is ConvoyDefinition {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'convoy-definition'
  );
}
