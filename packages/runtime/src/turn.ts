/**
 * One turn of one convoy: claim, run leftover effects, step the inbox batch purely, commit fenced, run
 * the new effects, acknowledge them, release. Loops over batches while the inbox has more (bounded).
 */
import { blockedTurn, isConvoyError, stepConvoy } from '@convoy/core';
import type { Claim, Clock, ConvoyKey, ConvoyStore } from '@convoy/core';
import type { EffectRetryOptions } from './effects.ts';
import { errorMessage, type ConvoyLogger } from './logger.ts';
import { runOutbox, type EffectFailureCounts } from './outbox.ts';
import type { DefinitionRegistry } from './registry.ts';

/** What a turn needs from its engine. */
export interface TurnDeps {
  readonly store: ConvoyStore;
  readonly registry: DefinitionRegistry;
  readonly clock: Clock;
  readonly owner: string;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly maxBatchesPerTurn: number;
  readonly effectRetry: EffectRetryOptions;
  /** Failing turns per effect (shared by the engine's turns). */
  readonly effectFailures: EffectFailureCounts;
  readonly logger: ConvoyLogger;
  /** A commit reached `processedSeq` (wakes local waiters). */
  readonly onCommitted: (key: ConvoyKey, processedSeq: number) => void;
  /** Ask for another turn of this convoy later. */
  readonly reschedule: (key: ConvoyKey) => Promise<void>;
}

/** How processing one claim ended. */
type ClaimOutcome =
  /** Events were processed; more may wait. */
  | 'progressed'
  /** Nothing to process. */
  | 'idle'
  /** Events wait but cannot be processed (blocked or paused): do not spin on them. */
  | 'stuck';

/** Thrown inside a turn when the store fenced us off: another claimer owns the convoy now. */
function isStaleClaim(error: unknown): boolean {
  return isConvoyError(error) && error.code === 'stale_claim';
}

/**
 * Run one turn of a convoy. Never throws for a lost claim (someone else owns the convoy: logged and
 * dropped); store failures propagate so the scheduler can report them (the sweeper retries).
 */
export async function runConvoyTurn(deps: TurnDeps, key: ConvoyKey): Promise<void> {
  const { store, clock, logger } = deps;
  for (let batch = 0; batch < deps.maxBatchesPerTurn; batch += 1) {
    const claim = await store.claim(key, {
      owner: deps.owner,
      leaseMs: deps.leaseMs,
      maxEvents: deps.batchSize,
      now: clock.now(),
    });
    // Held by a live lease elsewhere: its holder reschedules, or the sweeper does once the lease expires.
    if (!claim) return;
    let outcome: ClaimOutcome;
    try {
      outcome = await processClaim(deps, claim);
    } catch (error) {
      if (isStaleClaim(error)) {
        logger.warn('turn lost its claim; another worker owns the convoy', {
          type: key.type,
          id: key.id,
          epoch: claim.epoch,
          error: errorMessage(error),
        });
        return;
      }
      await store.release(claim).catch(() => undefined);
      throw error;
    }
    const { hasMore } = await store.release(claim);
    if (outcome !== 'progressed' || !hasMore) return;
  }
  // A hot convoy yields after a bounded number of batches so other convoys get their turns.
  await deps.reschedule(key);
}

async function processClaim(deps: TurnDeps, claim: Claim): Promise<ClaimOutcome> {
  const { store, registry, clock } = deps;
  const { key } = claim;
  let { record } = claim;
  if (record && claim.pendingEffects.length > 0)
    record = await runOutbox(deps, claim, record, claim.pendingEffects);
  if (claim.events.length === 0) return 'idle';
  if (record?.status === 'paused') return 'stuck';

  const definition = record ? registry.find(key.type, record.definitionVersion) : registry.latest(key.type);
  if (!definition) {
    const blockedReason = `version_unknown: convoy runs on version ${record?.definitionVersion} of "${key.type}", which is not registered (registered: ${registry.versions(key.type).join(', ') || 'none'})`;
    if (record && !(record.status === 'blocked' && record.blockedReason === blockedReason)) {
      await store.commit(claim, blockedTurn(record, blockedReason, clock.now()));
      deps.logger.error('convoy blocked', { type: key.type, id: key.id, reason: blockedReason });
    }
    return 'stuck';
  }

  const turn = stepConvoy({ definition, key, record, events: claim.events, now: clock.now() });
  const previousSeq = record?.processedSeq ?? 0;
  if (turn.record.processedSeq <= previousSeq) {
    // The step could not process anything (a snapshot that no longer fits its machine). Commit the
    // blocked status once, then leave the convoy alone instead of stepping it again and again.
    const unchanged =
      record !== null &&
      record.status === turn.record.status &&
      record.blockedReason === turn.record.blockedReason;
    if (!unchanged) {
      await store.commit(claim, turn);
      deps.logger.error('convoy blocked', { type: key.type, id: key.id, reason: turn.record.blockedReason });
    }
    return 'stuck';
  }
  await store.commit(claim, turn);
  deps.onCommitted(key, turn.record.processedSeq);
  if (turn.effects.length > 0) await runOutbox(deps, claim, turn.record, turn.effects);
  return 'progressed';
}
