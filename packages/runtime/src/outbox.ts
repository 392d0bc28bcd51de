/**
 * Running a convoy's outbox inside a turn: each effect at least once, in order; acknowledged once run;
 * a poison effect escalated to a dead letter after repeated failing turns.
 */
import type { Claim, ConvoyRecord, DeadLetter, EffectIntent, TurnCommit } from '@convoy/core';
import { runEffect } from './effects.ts';
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
  for (const effect of effects) {
    const result = await runEffect(definition, key, effect, deps.effectRetry, deps.logger);
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
  return current;
}
