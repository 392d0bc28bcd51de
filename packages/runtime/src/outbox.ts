/**
 * Running a convoy's outbox inside a turn: each effect at least once, in order; acknowledged once run;
 * a poison effect escalated to a dead letter after repeated failing turns.
 */
import { invokeEffectAction, toJson } from '@convoy/core/engine';
import type { ConvoyEvent, ConvoyKey, ConvoyRecord, DeadLetter, EffectIntent } from '@convoy/core';
import type { Claim, TurnCommit } from '@convoy/core/store';
import type { InvokeEffectParams } from '@convoy/core/engine';
import type { Span } from '@opentelemetry/api';
import { runEffect, type EffectResult } from './effects.ts';
import type { TurnDeps } from './turn.ts';

/** Failing turns per effect id, in this process. */
export type EffectFailureCounts = Map<string, number>;

/**
 * Run `effects` of the claimed convoy (whose committed record is `record`) and acknowledge the ones
 * that ran. Returns the record as committed afterwards: a newer revision when poison effects were
 * dead-lettered (a fenced commit of their dead letters), else `record` itself.
 */
export async function runOutbox(
  deps: TurnDeps,
  claim: Claim,
  record: ConvoyRecord,
  effects: readonly EffectIntent[],
  /** The turn span: each effect attempt is its child. */
  turnSpan?: Span,
): Promise<ConvoyRecord> {
  const { key } = claim;
  const definition = deps.registry.find(key.type, record.definitionVersion);
  if (!definition) {
    // Their implementation belongs to a version this process does not run: leave them for one that does.
    deps.logger.warn('effects left in the outbox: definition version not registered', {
      type: key.type,
      id: key.id,
    });
    return record;
  }
  const limit = deps.effectRetry.deadLetterAfterTurns ?? 10;
  const done: string[] = [];
  const poison: DeadLetter[] = [];
  const poisonIds: string[] = [];
  let delivered = false;
  for (const effect of effects) {
    if (effect.action === invokeEffectAction && !isCurrentInvocation(record, effect)) {
      // Its state was left before it ran (e.g. in the same batch): cancelled, nothing to run or deliver.
      done.push(effect.id);
      continue;
    }
    const result = await runEffect(definition, key, effect, deps.effectRetry, deps.logger, turnSpan);
    if (effect.action === invokeEffectAction) {
      // Success or retries exhausted: either way the result goes back into the machine through the inbox.
      await deliverInvokeResult(deps, key, effect, result);
      done.push(effect.id);
      delivered = true;
      continue;
    }
    if (result.ok) {
      deps.effectFailures.delete(effect.id);
      done.push(effect.id);
      continue;
    }
    const failures = (deps.effectFailures.get(effect.id) ?? 0) + 1;
    deps.effectFailures.set(effect.id, failures);
    if (limit > 0 && failures >= limit) {
      deps.effectFailures.delete(effect.id);
      poisonIds.push(effect.id);
      poison.push({
        key,
        seq: effect.seq,
        event: effect.event,
        reason: 'handler_error',
        error: `effect "${effect.action}" (${effect.id}) failed in ${failures} turns: ${result.error}`,
        at: deps.clock.now(),
      });
      deps.logger.error('effect dead-lettered after failing turns', { effectId: effect.id, failures });
    } else {
      deps.logger.error('effect kept in the outbox after failed attempts', { effectId: effect.id, failures });
    }
  }
  let current = record;
  if (poison.length > 0) {
    // The dead letters are committed (fenced) before the effects leave the outbox: a crash in between
    // re-runs the effect rather than losing track of it.
    const commit: TurnCommit = {
      record: { ...record, updatedAt: deps.clock.now(), revision: record.revision + 1 },
      history: [],
      deadLetters: poison,
      effects: [],
      timers: { arm: [], cancel: [] },
    };
    await deps.store.commit(claim, commit);
    current = commit.record;
    done.push(...poisonIds);
  }
  if (done.length > 0) await deps.store.ackEffects(claim, done);
  // The result waits in the inbox: ask for the turn that applies it.
  if (delivered) await deps.reschedule(key);
  return current;
}

/** True while the record still waits for this effect's invocation (its state was not left). */
function isCurrentInvocation(record: ConvoyRecord, effect: EffectIntent): boolean {
  const { invokeId } = effect.params as unknown as InvokeEffectParams;
  return record.invokes?.[invokeId] === effect.id;
}

/**
 * Accepts an invoke's result as `xstate.done.actor.<id>` (`{ output, actorId }`) or, once its attempts
 * failed, `xstate.error.actor.<id>` (`{ error, actorId }`). The idempotency key `effect:<effect id>`
 * makes a re-run after a crash (before the ack) enter the inbox once: at-least-once execution,
 * exactly-once application.
 */
async function deliverInvokeResult(
  deps: TurnDeps,
  key: ConvoyKey,
  effect: EffectIntent,
  result: EffectResult,
): Promise<void> {
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
  const idempotencyKey = `effect:${effect.id}`;
  await deps.store.accept({
    key,
    event,
    source: { kind: 'effect', effectId: effect.id },
    idempotencyKey,
    fingerprint: idempotencyKey,
    now: deps.clock.now(),
    // A result is not client load: a full backlog must not lose it.
    maxBacklog: Number.MAX_SAFE_INTEGER,
  });
}
