/**
 * The engine: wires its named parts (options, the accept path, local turns, the turn, background work,
 * the operator, waits) into the gateway the edges call. Accepts events through the gateway and processes convoys turn by turn over a store and a
 * scheduler. The same engine runs on the memory store and on the Redis store.
 */
import { randomUUID } from 'node:crypto';
import { describeDefinition, systemClock, validateConvoyId, validateIdempotencyKey } from '@convoy/core';
import { eventFingerprint } from '@convoy/core/engine';
import type {
  AcceptRequest,
  AcceptResponse,
  ConvoyDefinition,
  ConvoyGateway,
  ConvoyKey,
  ConvoyListPage,
  ConvoyListQuery,
  ConvoyMetricsSink,
  ConvoyRecord,
  ConvoyStatus,
  ConvoyTypeDescription,
  ConvoyChangeWatch,
  ConvoyChangeWatcher,
  ConvoyTypeSummary,
  ConvoyView,
  DeadLetter,
  DeadLetterListQuery,
  DeadLetterPage,
  DeferredEvent,
  EventOutcomeReport,
  HistoryEntry,
  InboxEvent,
  OperatorOptions,
  RedriveResult,
  TimerArm,
  WaitCondition,
  WaitForOutcomeOptions,
  WaitForResult,
} from '@convoy/core';
import { AcceptPath } from './accept-path.ts';
import { BackgroundWork } from './background-work.ts';
import { CommitListeners } from './commit-listeners.ts';
import { isDeferred, reportOutcome } from './event-outcome.ts';
import { resolveLeaseRenewMs, resolveTunables, type ConvoyEngineOptions } from './engine-options.ts';
import { LocalTurns } from './local-turns.ts';
import { consoleLogger, errorMessage } from './logger.ts';
import { ConvoyOperator } from './operator.ts';
import { DefinitionRegistry } from './registry.ts';
import { runConvoyTurn, type TurnDeps } from './turn.ts';
import { recordSpanError, runtimeTracer, traceparentOf } from './tracing.ts';
import { toConvoyView } from './view.ts';
import { SeqWaiters } from './waiters.ts';
import { assertSupportedXstate } from './xstate-version.ts';
import { judgeCondition, waitUntil } from './wait-for.ts';

/** A running Convoy engine: the gateway the HTTP layer calls, plus lifecycle and test hooks. */
export interface ConvoyEngine extends ConvoyGateway {
  /** This engine's claim owner name. */
  readonly workerId: string;
  /** Start processing: deliver turns, fire timers, sweep. No-op when `processing` is false. */
  start(): Promise<void>;
  /** Stop taking turns and let running ones finish; pending `waitForSeq` calls resolve false. Does not close the store. */
  close(): Promise<void>;
  /** Run one turn of a convoy now, in this call (tests, tools). */
  runTurn(key: ConvoyKey): Promise<void>;
  /** Accept a firing for every due timer and schedule its convoy. Returns how many were fired. */
  fireDueTimers(): Promise<number>;
  /**
   * Reschedule the next page of dirty convoys (what the sweeper does periodically; a page holds up to
   * 1,000 and the next call continues after it). Returns how many.
   */
  sweep(): Promise<number>;
  /** The convoy's dead letters, oldest first (empty for a convoy never seen). Throws `unknown_convoy_type`. */
  getDeadLetters(key: ConvoyKey): Promise<DeadLetter[]>;
}

/**
 * Create an engine over a store and a scheduler.
 *
 * @example
 * ```ts
 * const engine = createConvoyEngine({
 *   definitions: [order],
 *   store: new MemoryConvoyStore(),
 *   scheduler: new MemoryTurnScheduler(),
 * });
 * await engine.start();
 * const { seq } = await engine.accept({ type: 'order', id: 'o-1', event: { type: 'OrderPlaced' } });
 * await engine.waitForSeq({ type: 'order', id: 'o-1' }, seq, 5000);
 * ```
 */
export function createConvoyEngine(options: ConvoyEngineOptions): ConvoyEngine {
  assertSupportedXstate(options.definitions);
  const tunables = resolveTunables(options);
  const registry = new DefinitionRegistry(options.definitions);
  const { store, scheduler } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const workerId = options.workerId ?? `worker-${randomUUID()}`;
  const processing = options.processing ?? true;
  const metrics: ConvoyMetricsSink = options.metrics ?? {};
  const { leaseMs, batchSize, waitPollMs } = tunables;
  const waiters = new SeqWaiters();
  const commitListeners = new CommitListeners(logger);
  // `waitFor` calls still pending; closing the engine ends them as timeouts.
  const pendingWaits = new Set<() => void>();
  let state: 'new' | 'started' | 'closed' = 'new';

  const schedule = async (key: ConvoyKey, delayMs?: number): Promise<void> => {
    try {
      await scheduler.schedule(key, delayMs === undefined ? undefined : { delayMs });
    } catch (error) {
      // The event is already accepted and the convoy marked dirty: the sweeper delivers the wake-up.
      logger.warn('scheduling a turn failed; the sweeper will retry', {
        type: key.type,
        id: key.id,
        error: errorMessage(error),
      });
    }
  };
  const localTurns = new LocalTurns({
    limit: tunables.localTurns,
    open: () => state === 'started' && processing,
    runTurn: (key, claim) => runConvoyTurn(turnDeps, key, claim),
    schedule,
    logger,
  });
  const acceptPath = new AcceptPath({
    store,
    clock,
    localTurns,
    owner: workerId,
    leaseMs,
    batchSize,
    metrics,
  });
  // Tell other processes' live views about a change, unless the store's step already did (Redis
  // standalone: the commit scripts append to the change feed, saving a round trip per commit).
  const publishChange = (key: ConvoyKey): void => {
    if (store.publishesChanges !== true) store.publishChange?.(key);
  };
  const turnDeps: TurnDeps = {
    store,
    acceptPath,
    registry,
    clock,
    owner: workerId,
    leaseMs,
    leaseRenewMs: resolveLeaseRenewMs(options.leaseRenewMs, leaseMs),
    batchSize,
    maxBatchesPerTurn: tunables.maxBatchesPerTurn,
    effectRetry: options.effectRetry ?? {},
    effectFailures: new Map(),
    logger,
    onCommitted: (key, processedSeq) => {
      waiters.notify(key, processedSeq);
      commitListeners.notify(key);
      publishChange(key);
    },
    reschedule: schedule,
    metrics,
  };
  const background = new BackgroundWork({
    store,
    acceptPath,
    clock,
    logger,
    metrics,
    schedule,
    timerPollMs: tunables.timerPollMs,
    sweepMs: tunables.sweepMs,
    stallAfterMs: tunables.stallAfterMs,
    onStall: options.onStall,
  });
  const operator = new ConvoyOperator({
    store,
    registry,
    clock,
    metrics,
    schedule,
    // Live views (console, SSE) see operator actions like commits.
    onChanged: (key) => {
      commitListeners.notify(key);
      publishChange(key);
    },
  });

  // What every wait hooks into: this process's commits, and the engine closing (ends it as a timeout).
  const waitHooks = {
    subscribe: (listener: (key: ConvoyKey) => void) => commitListeners.subscribe(listener),
    onClose: (cancel: () => void) => {
      pendingWaits.add(cancel);
      return () => pendingWaits.delete(cancel);
    },
  };

  const knownKey = (key: ConvoyKey): ConvoyDefinition => {
    const definition = registry.latest(key.type);
    validateConvoyId(key.id);
    return definition;
  };

  return {
    workerId,

    accept(request: AcceptRequest): Promise<AcceptResponse> {
      const attributes = { 'convoy.type': request.type, 'convoy.id': request.id };
      return runtimeTracer().startActiveSpan('convoy.accept', { attributes }, async (span) => {
        try {
          const definition = knownKey(request);
          const idempotencyKey =
            request.idempotencyKey === undefined ? undefined : validateIdempotencyKey(request.idempotencyKey);
          const event = registry.validateEvent(request.type, request.event);
          const key: ConvoyKey = { type: request.type, id: request.id };
          span.setAttribute('convoy.event_type', event.type);
          // Stored with the event so the turn span links to this accept (absent when nothing records spans).
          const trace = traceparentOf(span);
          const receipt = await acceptPath.accept(
            {
              key,
              event,
              source: {
                kind: 'client',
                ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
                ...(trace === undefined ? {} : { trace }),
              },
              ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
              fingerprint: eventFingerprint(event),
              now: clock.now(),
              maxBacklog: definition.maxBacklog,
            },
            // With a local slot free, the accept also claims the convoy it wakes (one round trip less).
            { claimLocally: true },
          );
          span.setAttributes({ 'convoy.seq': receipt.seq, duplicate: receipt.duplicate });
          return { type: key.type, id: key.id, seq: receipt.seq, duplicate: receipt.duplicate };
        } catch (error) {
          recordSpanError(span, error);
          throw error;
        } finally {
          span.end();
        }
      });
    },

    async waitForSeq(key: ConvoyKey, seq: number, timeoutMs: number): Promise<boolean> {
      if (state === 'closed') return false;
      const read = async (): Promise<number> => (await store.get(key))?.record?.processedSeq ?? 0;
      return waiters.wait(key, seq, timeoutMs, waitPollMs, read);
    },

    async waitForOutcome(
      key: ConvoyKey,
      seq: number,
      options: WaitForOutcomeOptions,
    ): Promise<EventOutcomeReport | null> {
      knownKey(key);
      const last: { record: ConvoyRecord | null } = { record: null };
      // Met once the seq is processed; with `final`, once it is no longer deferred either.
      const check = async (): Promise<'met' | 'pending'> => {
        const record = (await store.get(key))?.record ?? null;
        last.record = record;
        if (record === null || record.processedSeq < seq) return 'pending';
        return options.final === true && isDeferred(record, seq) ? 'pending' : 'met';
      };
      if (state === 'closed') await check();
      else await waitUntil({ key, timeoutMs: options.timeoutMs, pollMs: waitPollMs, check, ...waitHooks });
      const { record } = last;
      if (record === null || record.processedSeq < seq) return null;
      return reportOutcome(store, key, seq, record);
    },

    async waitFor(key: ConvoyKey, condition: WaitCondition, timeoutMs: number): Promise<WaitForResult> {
      const definition = knownKey(key);
      let view: ConvoyView | null = null;
      const check = async (): Promise<'met' | 'unreachable' | 'pending'> => {
        const stored = await store.get(key);
        view = stored ? toConvoyView(key, stored, definition.version) : null;
        const record = stored?.record ?? null;
        const version = record ? registry.find(key.type, record.definitionVersion) : undefined;
        return judgeCondition(condition, record, version);
      };
      const outcome =
        state === 'closed'
          ? 'timeout'
          : await waitUntil({
              key,
              timeoutMs,
              pollMs: waitPollMs,
              check,
              ...waitHooks,
            });
      return { outcome: outcome === 'pending' ? 'timeout' : outcome, view };
    },

    async getConvoy(key: ConvoyKey): Promise<ConvoyView | null> {
      const definition = knownKey(key);
      const stored = await store.get(key);
      return stored ? toConvoyView(key, stored, definition.version) : null;
    },

    async getHistory(key: ConvoyKey): Promise<HistoryEntry[] | null> {
      knownKey(key);
      if (!(await store.get(key))) return null;
      const entries: HistoryEntry[] = [];
      const pageSize = 1000;
      for (;;) {
        const page = await store.history(key, { afterIndex: entries.length - 1, limit: pageSize });
        entries.push(...page);
        if (page.length < pageSize) return entries;
      }
    },

    listTypes(): ConvoyTypeSummary[] {
      return registry.summaries();
    },

    subscribe(listener: (key: ConvoyKey) => void): () => void {
      return commitListeners.subscribe(listener);
    },

    watchType(type: string, watcher: ConvoyChangeWatcher): ConvoyChangeWatch {
      registry.latest(type); // unknown_convoy_type
      if (store.watchChanges !== undefined) {
        return { complete: true, close: store.watchChanges(type, watcher) };
      }
      // A store without a shared feed: this process's changes only; the edge polls for the rest.
      return {
        complete: false,
        close: commitListeners.subscribe((key) => {
          if (key.type === type) watcher.onChange(key);
        }),
      };
    },

    describeType(type: string): ConvoyTypeDescription {
      return describeDefinition(registry.latest(type), registry.versions(type));
    },

    async start(): Promise<void> {
      if (state !== 'new') return;
      state = 'started';
      if (!processing) return;
      await scheduler.start((key) => runConvoyTurn(turnDeps, key));
      background.start();
    },

    async close(): Promise<void> {
      if (state === 'closed') return;
      state = 'closed';
      await background.stop();
      // Local turns finish (or fail and hand over) before the scheduler they may fall back on closes,
      // including the turns of accepts still claiming for one.
      await localTurns.drain();
      await scheduler.close();
      waiters.cancelAll();
      for (const cancel of [...pendingWaits]) cancel();
    },

    async getDeadLetters(key: ConvoyKey): Promise<DeadLetter[]> {
      knownKey(key);
      return store.deadLetters(key);
    },

    listConvoys: (query: ConvoyListQuery): Promise<ConvoyListPage> => operator.listConvoys(query),
    countConvoys: (type: string): Promise<Readonly<Record<ConvoyStatus, number>>> =>
      operator.countConvoys(type),
    oldestWaiting: async (type: string): Promise<number | null> => {
      registry.latest(type);
      return store.oldestWaiting(type);
    },
    countDeadLetterConvoys: (type: string): Promise<number> => operator.countDeadLetterConvoys(type),
    listDeadLetters: (query: DeadLetterListQuery): Promise<DeadLetterPage> => operator.listDeadLetters(query),
    redriveDeadLetters: (
      key: ConvoyKey,
      options?: OperatorOptions & { readonly seq?: number },
    ): Promise<RedriveResult> => operator.redrive(key, options),
    discardDeadLetter: (key: ConvoyKey, seq: number, options?: OperatorOptions): Promise<void> =>
      operator.discard(key, seq, options),
    pauseConvoy: (key: ConvoyKey, options?: OperatorOptions): Promise<ConvoyView> =>
      operator.changeStatus(key, 'pause', options),
    resumeConvoy: (key: ConvoyKey, options?: OperatorOptions): Promise<ConvoyView> =>
      operator.changeStatus(key, 'resume', options),
    retryConvoy: (key: ConvoyKey, options?: OperatorOptions): Promise<ConvoyView> =>
      operator.changeStatus(key, 'retry', options),
    getInbox: (key: ConvoyKey, limit?: number): Promise<InboxEvent[] | null> => operator.inbox(key, limit),
    getDeferred: (key: ConvoyKey): Promise<DeferredEvent[] | null> => operator.deferred(key),
    getTimers: (key: ConvoyKey): Promise<TimerArm[] | null> => operator.timers(key),
    ping: (): Promise<void> => store.ping(),

    runTurn: (key: ConvoyKey) => runConvoyTurn(turnDeps, key),
    fireDueTimers: () => background.fireTimers(),
    sweep: () => background.sweep(),
  };
}
