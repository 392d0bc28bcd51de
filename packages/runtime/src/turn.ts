/**
 * One turn of one convoy: claim, run leftover effects, step the inbox batch purely, commit fenced, run
 * the new effects, acknowledge them, release. Loops over batches while the inbox has more (bounded).
 */
import { isConvoyError } from '@convoy/core';
import { blockedTurn, stepConvoy } from '@convoy/core/engine';
import type { ConvoyDefinition, ConvoyKey, ConvoyMetricsSink, ConvoyRecord } from '@convoy/core';
import type { Claim, ConvoyReadStore, TurnCommit, TurnStore } from '@convoy/core/store';
import type { Span } from '@opentelemetry/api';
import type { AcceptPath } from './accept-path.ts';
import { errorMessage, type ConvoyLogger } from './logger.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { runOutbox, type OutboxDeps, type OutboxOutcome } from './outbox.ts';
import { acceptLinks, outcomeAttributes, outcomeCounts, recordSpanError, runtimeTracer } from './tracing.ts';
import { chooseDefinition, timerChanges } from './versions.ts';

/** What a turn needs from its engine. */
export interface TurnDeps extends OutboxDeps {
  /** The turn path, and `get` to see whether a convoy held elsewhere still has work. */
  readonly store: TurnStore & Pick<ConvoyReadStore, 'get'>;
  /** Where invoke results enter the convoy's inbox (the engine's one accept path). */
  readonly acceptPath: AcceptPath;
  readonly owner: string;
  readonly leaseMs: number;
  /** Real-time interval of lease renewals while a claim is held (0: renew only before effects). */
  readonly leaseRenewMs: number;
  readonly batchSize: number;
  readonly maxBatchesPerTurn: number;
  readonly logger: ConvoyLogger;
  /** A commit reached `processedSeq` (wakes local waiters). */
  readonly onCommitted: (key: ConvoyKey, processedSeq: number) => void;
  /** Ask for another turn of this convoy (after `delayMs`, or as soon as possible). */
  readonly reschedule: (key: ConvoyKey, delayMs?: number) => Promise<void>;
  /** Where turn counts and timings go (optional). */
  readonly metrics?: ConvoyMetricsSink;
}

/** How processing one claim ended. */
type ClaimOutcome =
  /** Events were processed; more may wait. */
  | 'progressed'
  /** Nothing to process. */
  | 'idle'
  /** Events wait but cannot be processed (blocked or paused): do not spin on them. */
  | 'stuck'
  /** Events were processed and the commit left the convoy idle and gave the lease back (nothing to release). */
  | 'releasedIdle';

/** Thrown inside a turn when the store fenced us off: another claimer owns the convoy now. */
function isStaleClaim(error: unknown): boolean {
  return isConvoyError(error) && error.code === 'stale_claim';
}

/**
 * Run one turn of a convoy, from `firstClaim` when the caller already holds one (taken with the accept).
 * Never throws for a lost claim (someone else owns the convoy: logged and
 * dropped); store failures propagate so the scheduler can report them (the sweeper retries).
 */
export async function runConvoyTurn(deps: TurnDeps, key: ConvoyKey, firstClaim?: Claim): Promise<void> {
  const { store, clock, logger } = deps;
  for (let batch = 0; batch < deps.maxBatchesPerTurn; batch += 1) {
    // A claim taken with the accept (local turns) starts the turn; later batches claim again.
    const claim =
      batch === 0 && firstClaim !== undefined
        ? firstClaim
        : await store.claim(key, {
            owner: deps.owner,
            leaseMs: deps.leaseMs,
            maxEvents: deps.batchSize,
            now: clock.now(),
          });
    if (!claim) {
      // Held by a live lease elsewhere. A live holder goes on by itself; a dead one's lease runs out
      // within leaseMs, so look again then (recovery in seconds, not at the next sweep).
      if (batch === 0 && firstClaim === undefined) await retryWhenLeaseEnds(deps, key);
      return;
    }
    // Every line this claim logs carries the convoy, the fencing epoch and this worker (pino child).
    const log =
      logger.child?.({ convoyType: key.type, convoyId: key.id, epoch: claim.epoch, workerId: deps.owner }) ??
      logger;
    let outcome: ClaimOutcome;
    // Renewed while this claim is processed, so a long turn or effect keeps the convoy.
    const lease = new LeaseKeeper(claim, {
      store,
      clock,
      leaseMs: deps.leaseMs,
      renewEveryMs: deps.leaseRenewMs,
      logger: log,
    });
    try {
      outcome = await tracedClaim({ ...deps, logger: log, lease }, claim);
    } catch (error) {
      lease.stop();
      if (isStaleClaim(error)) {
        deps.metrics?.claimLost?.(key.type);
        log.warn('turn lost its claim; another worker owns the convoy', {
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
    lease.stop();
    if (outcome === 'releasedIdle') return;
    const { hasMore } = await store.release(claim);
    // Go on while events wait, also after an idle claim: an accept that found the convoy dirty (e.g.
    // effects still unacknowledged) scheduled no turn and relies on this one (AcceptReceipt.wake).
    if (outcome === 'stuck' || !hasMore) return;
  }
  // A hot convoy yields after a bounded number of batches so other convoys get their turns.
  await deps.reschedule(key);
}

/**
 * Schedule a turn for when the lease that holds the convoy runs out (as the store reports it; at most a
 * whole lease from now), if events still wait. A dead worker's convoy whose turn job came back a little
 * before its lease ran out is then taken over right after, not a whole lease later.
 */
async function retryWhenLeaseEnds(deps: TurnDeps, key: ConvoyKey): Promise<void> {
  const stored = await deps.store.get(key);
  if (!stored || stored.accepted <= (stored.record?.processedSeq ?? 0)) return;
  const remaining = stored.leaseUntil === undefined ? deps.leaseMs : stored.leaseUntil - deps.clock.now();
  await deps.reschedule(key, Math.min(deps.leaseMs, Math.max(0, remaining)) + 100);
}

/**
 * A claim with work in a `convoy.turn` span linked to the accept spans of its events; a lost claim
 * (stale_claim) marks the span failed. An idle claim records no span.
 */
async function tracedClaim(deps: TurnDeps, claim: Claim): Promise<ClaimOutcome> {
  if (claim.events.length === 0 && claim.pendingEffects.length === 0) return processClaim(deps, claim);
  const { key } = claim;
  const attributes = {
    'convoy.type': key.type,
    'convoy.id': key.id,
    'convoy.epoch': claim.epoch,
    'convoy.events': claim.events.length,
    'convoy.worker_id': deps.owner,
  };
  const links = acceptLinks(claim.events);
  return runtimeTracer().startActiveSpan('convoy.turn', { attributes, links }, async (span) => {
    try {
      const outcome = await processClaim(deps, claim, span);
      span.setAttribute('convoy.claim_outcome', outcome);
      return outcome;
    } catch (error) {
      recordSpanError(span, error);
      if (isStaleClaim(error)) span.setAttribute('convoy.stale_claim', true);
      throw error;
    } finally {
      span.end();
    }
  });
}

async function processClaim(deps: TurnDeps, claim: Claim, span?: Span): Promise<ClaimOutcome> {
  const { store, registry, clock } = deps;
  const { key } = claim;
  let { record } = claim;
  // A paused convoy runs nothing, its leftover effects included (they run after resume).
  if (record?.status === 'paused') return claim.events.length === 0 ? 'idle' : 'stuck';
  if (record && claim.pendingEffects.length > 0)
    record = await recordOutbox(
      deps,
      claim,
      record,
      await runOutbox(deps, key, record, claim.pendingEffects, span),
    );
  if (claim.events.length === 0) return 'idle';

  const choice = chooseDefinition(registry, key, record, clock.now(), claim.incarnation);
  if (!choice.ok) {
    const blockedReason = choice.reason;
    if (record && !(record.status === 'blocked' && record.blockedReason === blockedReason)) {
      await store.commit(claim, blockedTurn(record, blockedReason, clock.now()));
      deps.logger.error('convoy blocked', { type: key.type, id: key.id, reason: blockedReason });
    }
    return 'stuck';
  }
  const { definition } = choice;
  const stored = record;
  record = choice.record;

  const startedAt = clock.now();
  const stepped = stepConvoy({
    definition,
    key,
    record,
    events: claim.events,
    now: startedAt,
    ...(claim.incarnation === undefined ? {} : { incarnation: claim.incarnation }),
  });
  // A migration re-planned the timers: the store's timer changes are against what it holds.
  const turn =
    stored !== null && record !== null && record !== stored
      ? { ...stepped, timers: timerChanges(stored.timers, stepped.record.timers) }
      : stepped;
  const previousSeq = record?.processedSeq ?? 0;
  if (turn.record.processedSeq <= previousSeq) {
    // The step could not process anything (a snapshot that no longer fits its machine). Commit the
    // blocked status once, then leave the convoy alone instead of stepping it again and again.
    // A poison event under retry also lands here: its attempt count is committed, and the sweeper's
    // next turn after `poison.retryAt` tries it again.
    const unchanged =
      stored !== null &&
      stored === record &&
      stored.status === turn.record.status &&
      stored.blockedReason === turn.record.blockedReason &&
      JSON.stringify(stored.poison) === JSON.stringify(turn.record.poison);
    if (!unchanged) {
      await store.commit(claim, turn);
      if (turn.record.status === 'blocked')
        deps.logger.error('convoy blocked', {
          type: key.type,
          id: key.id,
          reason: turn.record.blockedReason,
        });
      else if (turn.record.poison)
        deps.logger.warn('event failed; retried later', {
          type: key.type,
          id: key.id,
          ...turn.record.poison,
        });
    }
    return 'stuck';
  }
  // A turn without effects ends here when nothing else waits: the commit also gives the lease back
  // (one round trip less per turn on Redis). With effects the lease is kept to run them.
  const committed = await store.commit(claim, withRetention(definition, stored, turn), {
    releaseWhenIdle: turn.effects.length === 0,
  });
  deps.onCommitted(key, turn.record.processedSeq);
  if (deps.metrics) reportTurn(deps.metrics, claim, turn, startedAt, clock.now());
  const outcomes = outcomeCounts(turn.history);
  span?.setAttributes({
    ...outcomeAttributes(outcomes),
    'convoy.seq': turn.record.processedSeq,
    'convoy.effects': turn.effects.length,
  });
  deps.logger.debug('turn committed', {
    seq: turn.record.processedSeq,
    events: claim.events.length,
    effects: turn.effects.length,
    outcomes,
  });
  if (turn.effects.length > 0)
    await recordOutbox(deps, claim, turn.record, await runOutbox(deps, key, turn.record, turn.effects, span));
  return committed.released === true ? 'releasedIdle' : 'progressed';
}

/**
 * Record what a run of the outbox asked for, the turn being the single writer of its convoy: invoke
 * results into the inbox (through the accept path, which wakes nothing while this turn holds the
 * convoy dirty: the release reports them as `hasMore`), dead letters of poison effects in a fenced
 * commit, then the acknowledgement. Returns the record as committed afterwards.
 */
async function recordOutbox(
  deps: TurnDeps,
  claim: Claim,
  record: ConvoyRecord,
  outcome: OutboxOutcome,
): Promise<ConvoyRecord> {
  for (const result of outcome.results) await deps.acceptPath.accept(result);
  let current = record;
  if (outcome.deadLetters.length > 0) {
    // The dead letters are committed (fenced) before the effects leave the outbox: a crash in between
    // re-runs the effect rather than losing track of it.
    const commit: TurnCommit = {
      record: { ...record, updatedAt: deps.clock.now(), revision: record.revision + 1 },
      history: [],
      deadLetters: [...outcome.deadLetters],
      effects: [],
      timers: { arm: [], cancel: [] },
    };
    await deps.store.commit(claim, commit);
    current = commit.record;
  }
  if (outcome.done.length > 0) await deps.store.ackEffects(claim, outcome.done);
  return current;
}

/** The commit that finishes a convoy carries its type's retention: the store expires it after that. */
function withRetention(
  definition: ConvoyDefinition,
  before: ConvoyRecord | null,
  turn: TurnCommit,
): TurnCommit {
  const finishes = turn.record.status === 'done' && before?.status !== 'done';
  return finishes && definition.retainFinishedMs !== undefined
    ? { ...turn, retainMs: definition.retainFinishedMs }
    : turn;
}

/** Outcomes and latencies of a committed turn (end-to-end: from acceptance to this commit). */
function reportTurn(
  metrics: ConvoyMetricsSink,
  claim: Claim,
  turn: TurnCommit,
  startedAt: number,
  committedAt: number,
): void {
  const type = claim.key.type;
  const acceptedAt = new Map(claim.events.map((event) => [event.seq, event.acceptedAt]));
  for (const event of claim.events) {
    if (event.seq <= (claim.record?.processedSeq ?? 0)) continue;
    metrics.eventDequeued?.(type, Math.max(0, startedAt - event.acceptedAt));
  }
  for (const entry of turn.history) {
    const accepted = acceptedAt.get(entry.seq);
    metrics.eventProcessed?.(
      type,
      entry.outcome,
      accepted === undefined ? 0 : Math.max(0, committedAt - accepted),
    );
  }
  metrics.turnCompleted?.(type, Math.max(0, committedAt - startedAt), claim.events.length);
}
