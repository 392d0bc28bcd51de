/**
 * Running a convoy's outbox inside a turn: each effect at least once, in order; a poison effect
 * escalated to a dead letter after repeated failing turns. The outbox writes nothing: it returns what
 * the turn records (results to accept, dead letters to commit, effects to acknowledge).
 */
import { invokeEffectAction, toJson } from '@convoy/core/engine';
import type {
  Clock,
  ConvoyEvent,
  ConvoyKey,
  ConvoyRecord,
  DeadLetter,
  EffectIntent,
  EffectKind,
  HistoryEntry,
} from '@convoy/core';
import type { InvokeEffectParams } from '@convoy/core/engine';
import type { AcceptInput } from '@convoy/core/store';
import type { Span } from '@opentelemetry/api';
import { runEffect, type EffectResult, type EffectRetryOptions } from './effects.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import type { ConvoyLogger } from './logger.ts';
import type { DefinitionRegistry } from './registry.ts';

/** Failing turns per effect id, in this process. */
export type EffectFailureCounts = Map<string, number>;

/** What running an outbox needs (it reads and counts; it never writes to the store). */
export interface OutboxDeps {
  readonly registry: DefinitionRegistry;
  readonly clock: Clock;
  readonly logger: ConvoyLogger;
  readonly effectRetry: EffectRetryOptions;
  /** Failing turns per effect (shared by the engine's turns). */
  readonly effectFailures: EffectFailureCounts;
  /** The lease of the claim being processed: checked before each effect starts. */
  readonly lease?: Pick<LeaseKeeper, 'assertHeld'>;
}

/**
 * What a run of the outbox asks its turn to record, in this order: accept `results`, commit
 * `deadLetters` and `failures` (fenced, one commit), then acknowledge `done`. A crash before the acknowledgement re-runs the
 * effects (at least once); the results' idempotency keys and the dead letters' commit keep that safe.
 */
export interface OutboxOutcome {
  /** Invoke results (`xstate.done.actor.*` / `xstate.error.actor.*`) for the convoy's inbox. */
  readonly results: readonly AcceptInput[];
  /** Dead letters of poison effects, committed before they leave the outbox. */
  readonly deadLetters: readonly DeadLetter[];
  /**
   * History entries (outcome `effectFailed`) of the effects and invokes that failed for good in this run:
   * an effect dead-lettered, an invoke whose error went back into the machine.
   */
  readonly failures: readonly HistoryEntry[];
  /** Effects to acknowledge: ran, cancelled, delivered or dead-lettered. */
  readonly done: readonly string[];
}

/**
 * Run `effects` of the convoy `key` (whose committed record is `record`) and say what to record.
 * Effects of a definition version this process does not run are left alone (nothing to record).
 */
export async function runOutbox(
  deps: OutboxDeps,
  key: ConvoyKey,
  record: ConvoyRecord,
  effects: readonly EffectIntent[],
  /** The turn span: each effect attempt is its child. */
  turnSpan?: Span,
): Promise<OutboxOutcome> {
  const definition = deps.registry.find(key.type, record.definitionVersion);
  if (!definition) {
    // Their implementation belongs to a version this process does not run: leave them for one that does.
    deps.logger.warn('effects left in the outbox: definition version not registered', {
      type: key.type,
      id: key.id,
    });
    return { results: [], deadLetters: [], failures: [], done: [] };
  }
  const limit = deps.effectRetry.deadLetterAfterTurns ?? 10;
  const done: string[] = [];
  const deadLetters: DeadLetter[] = [];
  const results: AcceptInput[] = [];
  const failures: HistoryEntry[] = [];
  for (const effect of effects) {
    // Never start an effect without a live lease: another worker may own the convoy (or an operator
    // paused it) since. Throws stale_claim, and the turn stops here.
    await deps.lease?.assertHeld();
    if (effect.action === invokeEffectAction && !isCurrentInvocation(record, effect)) {
      // Its state was left before it ran (e.g. in the same batch): cancelled, nothing to run or deliver.
      done.push(effect.id);
      continue;
    }
    const result = await runEffect(definition, key, effect, deps.effectRetry, deps.logger, turnSpan);
    if (effect.action === invokeEffectAction) {
      // Success or retries exhausted: either way the result goes back into the machine through the inbox.
      results.push(invokeResultInput(key, effect, result, deps.clock.now()));
      if (!result.ok)
        failures.push(failureEntry(record, effect, 'invoke', result.error, false, deps.clock.now()));
      done.push(effect.id);
      continue;
    }
    if (result.ok) {
      deps.effectFailures.delete(effect.id);
      done.push(effect.id);
      continue;
    }
    const failedTurns = (deps.effectFailures.get(effect.id) ?? 0) + 1;
    deps.effectFailures.set(effect.id, failedTurns);
    if (limit > 0 && failedTurns >= limit) {
      deps.effectFailures.delete(effect.id);
      done.push(effect.id);
      const error = `effect "${effect.action}" (${effect.id}) failed in ${failedTurns} turns: ${result.error}`;
      const at = deps.clock.now();
      deadLetters.push({
        key,
        seq: effect.seq,
        event: effect.event,
        reason: 'handler_error',
        error,
        at,
        // Redrive runs the effect again, not the transition that planned it.
        effect,
      });
      // The entry names the effect itself (`failure`): its error is the last attempt's message, as thrown.
      failures.push(failureEntry(record, effect, 'effect', result.error, true, at));
      deps.logger.error('effect dead-lettered after failing turns', {
        effectId: effect.id,
        failures: failedTurns,
      });
    } else {
      deps.logger.error('effect kept in the outbox after failed attempts', {
        effectId: effect.id,
        failures: failedTurns,
      });
    }
  }
  return { results, deadLetters, failures, done };
}

/**
 * The `effectFailed` history entry of an effect or invoke that failed for good, under the seq (and with
 * the event) whose transition planned it. The state does not move: `from` and `to` are the current value.
 */
function failureEntry(
  record: ConvoyRecord,
  effect: EffectIntent,
  kind: EffectKind,
  error: string,
  deadLettered: boolean,
  at: number,
): HistoryEntry {
  const name = kind === 'invoke' ? (effect.params as unknown as InvokeEffectParams).invokeId : effect.action;
  return {
    seq: effect.seq,
    event: effect.event,
    outcome: 'effectFailed',
    from: record.value,
    to: record.value,
    at,
    reason: 'handler_error',
    error,
    failure: { kind, name, effectId: effect.id, deadLettered },
  };
}

/** True while the record still waits for this effect's invocation (its state was not left). */
function isCurrentInvocation(record: ConvoyRecord, effect: EffectIntent): boolean {
  const { invokeId } = effect.params as unknown as InvokeEffectParams;
  return record.invokes?.[invokeId] === effect.id;
}

/**
 * An invoke's result as an event for its convoy: `xstate.done.actor.<id>` (`{ output, actorId }`) or,
 * once its attempts failed, `xstate.error.actor.<id>` (`{ error, actorId }`). The effect id as
 * idempotency key (in the stores' runtime namespace for effect results, apart from client keys) makes a
 * re-run after a crash (before the ack) enter the inbox once: at-least-once execution, exactly-once
 * application.
 */
function invokeResultInput(
  key: ConvoyKey,
  effect: EffectIntent,
  result: EffectResult,
  now: number,
): AcceptInput {
  const { invokeId } = effect.params as unknown as InvokeEffectParams;
  let event: ConvoyEvent;
  try {
    event = result.ok
      ? { type: `xstate.done.actor.${invokeId}`, output: toJson(result.output) ?? null, actorId: invokeId }
      : { type: `xstate.error.actor.${invokeId}`, error: result.error, actorId: invokeId };
  } catch (error) {
    const message = `invoke output is not JSON: ${error instanceof Error ? error.message : String(error)}`;
    event = { type: `xstate.error.actor.${invokeId}`, error: message, actorId: invokeId };
  }
  return {
    key,
    event,
    source: { kind: 'effect', effectId: effect.id },
    idempotencyKey: effect.id,
    fingerprint: `effect:${effect.id}`,
    now,
    // A result is not client load: a full backlog must not lose it.
    maxBacklog: Number.MAX_SAFE_INTEGER,
  };
}
