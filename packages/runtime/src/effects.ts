/**
 * Running the outbox: one effect, its implementation, bounded retries with backoff.
 */
import { invokeEffectAction } from '@convoy/core/engine';
import type { ConvoyDefinition, ConvoyKey, EffectIntent } from '@convoy/core';
import type { InvokeEffectParams } from '@convoy/core/engine';
import { createActor, toPromise } from 'xstate';
import type { AnyActorLogic, AnyStateMachine } from 'xstate';
import { context, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { errorMessage, type ConvoyLogger } from './logger.ts';
import { recordSpanError, runtimeTracer } from './tracing.ts';

/** How a failing effect is retried within one turn before it is left in the outbox for a later turn. */
export interface EffectRetryOptions {
  /**
   * Attempts per turn (the first run included).
   * @defaultValue 3
   */
  readonly attempts?: number;
  /**
   * Delay before the second attempt; doubled for each further attempt.
   * @defaultValue 50
   */
  readonly baseDelayMs?: number;
  /**
   * Turns in which an effect may fail (all its attempts) before this engine gives up on it: it is then
   * recorded as a dead letter of its convoy (reason `handler_error`) and dropped from the outbox, so a
   * poison effect cannot keep its convoy busy forever. Counted per engine process; 0 retries forever.
   * @defaultValue 10
   */
  readonly deadLetterAfterTurns?: number;
}

type ActionImplementation = (args: { context: unknown; event: unknown }, params: unknown) => unknown;

/**
 * The code that performs an effect: the definition's durable effect handler, else the machine's own
 * action implementation (called as xstate would, with `({ context, event }, params)`). Undefined when
 * the action has no implementation (nothing to run).
 */
export function effectRunner(
  definition: ConvoyDefinition | undefined,
  key: ConvoyKey,
  effect: EffectIntent,
): (() => unknown) | undefined {
  if (!definition) return undefined;
  if (effect.action === invokeEffectAction) return invokedRunner(definition, key, effect);
  const handler = definition.effects[effect.action];
  if (handler) return () => handler(effect, { key, idempotencyKey: effect.id });
  const actions = (definition.machine.implementations as { actions?: Record<string, unknown> }).actions ?? {};
  const action = actions[effect.action];
  if (typeof action !== 'function') return undefined;
  return () =>
    (action as ActionImplementation)({ context: effect.context, event: effect.event }, effect.params);
}

/**
 * Finds the logic an invoke runs, like xstate does: a name from `setup({ actors })`, or for inline logic
 * the `xstate.invoke.<index>.<stateId>` reference to the state node's invoke config.
 */
export function resolveInvokedLogic(machine: AnyStateMachine, src: string): AnyActorLogic | undefined {
  const named = (machine.implementations.actors as Readonly<Record<string, unknown>>)[src];
  if (named) return named as AnyActorLogic;
  const match = /^xstate\.invoke\.(\d+)\.(.*)$/.exec(src);
  if (!match) return undefined;
  try {
    const config = machine.getStateNodeById(match[2]!).config.invoke as unknown;
    const invoke = (Array.isArray(config) ? config[Number(match[1])] : config) as
      { src?: unknown } | undefined;
    return typeof invoke?.src === 'object' ? (invoke.src as AnyActorLogic) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs an invoked actor's logic (e.g. `fromPromise`) to completion in a fresh actor, with the input the
 * transition resolved, and resolves with its output. A definition's `effects[src]` handler takes
 * precedence (it receives the effect and returns the output).
 */
function invokedRunner(
  definition: ConvoyDefinition,
  key: ConvoyKey,
  effect: EffectIntent,
): () => Promise<unknown> {
  const params = effect.params as unknown as InvokeEffectParams;
  const handler = definition.effects[params.src];
  if (handler) return async () => handler(effect, { key, idempotencyKey: effect.id });
  return async () => {
    const logic = resolveInvokedLogic(definition.machine, params.src);
    if (!logic) throw new Error(`No actor logic "${params.src}" for invoke "${params.invokeId}"`);
    const actor = createActor(logic, { input: params.input });
    const done = toPromise(actor);
    actor.start();
    try {
      return await done;
    } finally {
      actor.stop();
    }
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How running one effect ended. */
export type EffectResult =
  { readonly ok: true; readonly output?: unknown } | { readonly ok: false; readonly error: string };

/**
 * Run one effect with bounded retries. Resolves ok once it ran (or has nothing to run), or with the
 * last error when every attempt failed: the effect then stays in the outbox and runs again on a later
 * claim.
 */
export async function runEffect(
  definition: ConvoyDefinition | undefined,
  key: ConvoyKey,
  effect: EffectIntent,
  retry: EffectRetryOptions,
  logger: ConvoyLogger,
  /** The turn span: each attempt runs in a `convoy.effect` span under it. */
  turnSpan?: Span,
): Promise<EffectResult> {
  const run = effectRunner(definition, key, effect);
  if (!run) {
    logger.warn('effect has no implementation; acknowledged without running', {
      effectId: effect.id,
      action: effect.action,
    });
    return { ok: true };
  }
  const attempts = Math.max(1, retry.attempts ?? 3);
  const baseDelayMs = retry.baseDelayMs ?? 50;
  let lastError = '';
  const parent = turnSpan ? trace.setSpan(context.active(), turnSpan) : context.active();
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const attributes = {
      'convoy.type': key.type,
      'convoy.id': key.id,
      'convoy.effect_id': effect.id,
      'convoy.action': effect.action,
      'convoy.seq': effect.seq,
      'convoy.attempt': attempt,
    };
    // Active while the effect runs, so the effect's own calls (HTTP, DB) nest under it.
    const span = runtimeTracer().startSpan('convoy.effect', { attributes }, parent);
    try {
      const output = await context.with(trace.setSpan(parent, span), run);
      span.end();
      return { ok: true, output };
    } catch (error) {
      recordSpanError(span, error);
      span.end();
      lastError = errorMessage(error);
      logger.warn('effect failed', { effectId: effect.id, action: effect.action, attempt, error: lastError });
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
    }
  }
  return { ok: false, error: lastError };
}
