/**
 * The engine: accepts events through the gateway and processes convoys turn by turn over a store and a
 * scheduler. The same engine runs on the memory store and on the Redis store.
 */
import { randomUUID } from 'node:crypto';
import {
  describeDefinition,
  eventFingerprint,
  systemClock,
  validateConvoyId,
  validateIdempotencyKey,
} from '@convoy/core';
import type {
  AcceptRequest,
  AcceptReceipt,
  AcceptResponse,
  Claim,
  Clock,
  ConvoyDefinition,
  ConvoyGateway,
  ConvoyKey,
  ConvoyListPage,
  ConvoyListQuery,
  ConvoyMetricsSink,
  ConvoyStatus,
  ConvoyStore,
  ConvoyTypeDescription,
  ConvoyTypeSummary,
  ConvoyView,
  DeadLetter,
  DeadLetterListQuery,
  DeadLetterPage,
  DeferredEvent,
  HistoryEntry,
  InboxEvent,
  OperatorOptions,
  RedriveResult,
  TimerArm,
  TurnScheduler,
  WaitCondition,
  WaitForResult,
} from '@convoy/core';
import type { EffectRetryOptions } from './effects.ts';
import { CommitListeners } from './commit-listeners.ts';
import { consoleLogger, errorMessage, type ConvoyLogger } from './logger.ts';
import { ConvoyOperator } from './operator.ts';
import { DefinitionRegistry } from './registry.ts';
import { StallWatch, type ConvoyStall } from './stall-watch.ts';
import { Ticker } from './ticker.ts';
import { fireDueTimers } from './timers.ts';
import { runConvoyTurn, type TurnDeps } from './turn.ts';
import { recordSpanError, runtimeTracer, traceparentOf } from './tracing.ts';
import { toConvoyView } from './view.ts';
import { SeqWaiters } from './waiters.ts';
import { assertSupportedXstate } from './xstate-version.ts';
import { judgeCondition, waitUntil } from './wait-for.ts';

/** Options of {@link createConvoyEngine}. */
export interface ConvoyEngineOptions {
  /** The convoy definitions this engine accepts and runs (several versions of a type allowed). */
  readonly definitions: readonly ConvoyDefinition[];
  readonly store: ConvoyStore;
  readonly scheduler: TurnScheduler;
  /**
   * Time source for leases, timers and history.
   * @defaultValue systemClock
   */
  readonly clock?: Clock;
  /**
   * Names this engine's claims in the store.
   * @defaultValue `worker-<random uuid>`
   */
  readonly workerId?: string;
  /**
   * How long a claim is exclusive; a worker that stops for longer loses the convoy (its commit is
   * fenced off).
   * @defaultValue 30000
   */
  readonly leaseMs?: number;
  /**
   * Inbox events stepped per commit.
   * @defaultValue 100
   */
  readonly batchSize?: number;
  /**
   * Batches one turn may process before it yields and reschedules the convoy.
   * @defaultValue 10
   */
  readonly maxBatchesPerTurn?: number;
  /**
   * Local turns: when this engine's own `accept` wakes a convoy (it was idle) and the engine processes
   * (`processing` and started), run that convoy's turn right here, without a round trip through the
   * scheduler, while fewer than this many such turns are running; beyond that, and for every other
   * wake-up, the scheduler is used as usual. 0 disables it.
   *
   * Safe for the same reasons as any turn: the claim is exclusive and fenced, so a local turn and a
   * scheduler turn of the same convoy never both commit. If the process dies mid-turn the convoy stays
   * dirty and its lease expires, and the sweeper wakes it through the scheduler (the lost wake-up
   * repair). A local turn that fails hands the convoy to the scheduler at once.
   *
   * Worth it where ingestion and turns share a process (`convoy serve`, embedded): it saves the
   * scheduler's round trips (on BullMQ: the job's add, fetch and completion) for a convoy's first
   * event after it went idle, which is most events under steady, light per-convoy traffic.
   * @defaultValue 0
   */
  readonly localTurns?: number;
  /**
   * How often due timers are fired; 0 disables the poller (another process fires them).
   * @defaultValue 1000
   */
  readonly timerPollMs?: number;
  /**
   * How often the sweeper reschedules dirty convoys (repairs lost wake-ups, retries failed effects);
   * 0 disables it (e.g. when the scheduler runs its own sweeper job).
   * @defaultValue 5000
   */
  readonly sweepMs?: number;
  /**
   * How often `waitForSeq` re-reads the store (the processing worker may be another process).
   * @defaultValue 100
   */
  readonly waitPollMs?: number;
  /**
   * A convoy whose waiting events see no progress for this long is reported (logged, `onStall`) by the
   * sweeper, once per stall; 0 disables the check.
   * @defaultValue 60000
   */
  readonly stallAfterMs?: number;
  /** Called for each convoy the sweeper finds stalled (e.g. to alert, or to page an operator). */
  readonly onStall?: (stall: ConvoyStall) => void;
  /** Retries of a failing effect within one turn. */
  readonly effectRetry?: EffectRetryOptions;
  /**
   * When false, the engine only accepts and reads (an HTTP-only node): `start` takes no turns and runs
   * no timers or sweeper; workers elsewhere process.
   * @defaultValue true
   */
  readonly processing?: boolean;
  /** @defaultValue console warnings and errors */
  readonly logger?: ConvoyLogger;
  /**
   * Receives counts and timings (events, outcomes, turns, lease losses, timer lag), e.g. the Prometheus
   * sink of `@convoy/http`.
   * @defaultValue no metrics
   */
  readonly metrics?: ConvoyMetricsSink;
}

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
  /** Reschedule every dirty convoy (what the sweeper does periodically). Returns how many. */
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
  const registry = new DefinitionRegistry(options.definitions);
  const { store, scheduler } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const workerId = options.workerId ?? `worker-${randomUUID()}`;
  const processing = options.processing ?? true;
  const waitPollMs = options.waitPollMs ?? 100;
  const waiters = new SeqWaiters();
  const commitListeners = new CommitListeners(logger);
  // `waitFor` calls still pending; closing the engine ends them as timeouts.
  const pendingWaits = new Set<() => void>();
  const metrics: ConvoyMetricsSink = options.metrics ?? {};
  let state: 'new' | 'started' | 'closed' = 'new';

  const schedule = async (key: ConvoyKey): Promise<void> => {
    try {
      await scheduler.schedule(key);
    } catch (error) {
      // The event is already accepted and the convoy marked dirty: the sweeper delivers the wake-up.
      logger.warn('scheduling a turn failed; the sweeper will retry', {
        type: key.type,
        id: key.id,
        error: errorMessage(error),
      });
    }
  };

  const leaseMs = options.leaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 100;
  // Turns of convoys this engine's accepts woke, run here rather than through the scheduler.
  const localTurnLimit = Math.max(0, options.localTurns ?? 0);
  const localTurns = new Set<Promise<void>>();
  // Accepts in flight that asked the store to claim for a local turn (they hold a slot meanwhile).
  let localClaimsPending = 0;
  const localSlotFree = (): boolean =>
    state === 'started' && processing && localTurns.size + localClaimsPending < localTurnLimit;
  const runLocally = (key: ConvoyKey, claim?: Claim): void => {
    const turn = runConvoyTurn(turnDeps, key, claim)
      .catch(async (error: unknown) => {
        logger.warn('local turn failed; handing the convoy to the scheduler', {
          type: key.type,
          id: key.id,
          error: errorMessage(error),
        });
        await schedule(key);
      })
      .finally(() => localTurns.delete(turn));
    localTurns.add(turn);
  };
  const wake = async (key: ConvoyKey): Promise<void> => {
    if (!localSlotFree()) return schedule(key);
    runLocally(key);
  };

  const turnDeps: TurnDeps = {
    store,
    registry,
    clock,
    owner: workerId,
    leaseMs,
    batchSize,
    maxBatchesPerTurn: options.maxBatchesPerTurn ?? 10,
    effectRetry: options.effectRetry ?? {},
    effectFailures: new Map(),
    logger,
    onCommitted: (key, processedSeq) => {
      waiters.notify(key, processedSeq);
      commitListeners.notify(key);
    },
    reschedule: schedule,
    metrics,
  };
  const operator = new ConvoyOperator({
    store,
    registry,
    clock,
    metrics,
    schedule,
    // Live views (console, SSE) see operator actions like commits.
    onChanged: (key) => commitListeners.notify(key),
  });

  const fireTimers = (): Promise<number> =>
    fireDueTimers({ store, registry, clock, logger, schedule: wake, metrics });
  const stallAfterMs = options.stallAfterMs ?? 60_000;
  const stallWatch = new StallWatch(stallAfterMs);
  const sweep = async (): Promise<number> => {
    const dirty = await store.dirtyConvoys(1000);
    for (const key of dirty) await schedule(key);
    if (stallAfterMs > 0) {
      for (const stall of await stallWatch.check(store, dirty, clock.now())) {
        logger.error('convoy stalled: waiting events and no progress', {
          type: stall.key.type,
          id: stall.key.id,
          processedSeq: stall.processedSeq,
          accepted: stall.accepted,
          since: stall.since,
        });
        options.onStall?.(stall);
      }
    }
    return dirty.length;
  };
  const timerPollMs = options.timerPollMs ?? 1000;
  const sweepMs = options.sweepMs ?? 5000;
  const tickers = [
    ...(timerPollMs > 0
      ? [new Ticker('timer poller', timerPollMs, async () => void (await fireTimers()), logger)]
      : []),
    ...(sweepMs > 0 ? [new Ticker('sweeper', sweepMs, async () => void (await sweep()), logger)] : []),
  ];

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
          const now = clock.now();
          // With a local slot free, the accept also claims the convoy it wakes (one round trip less).
          const local = localSlotFree();
          if (local) localClaimsPending += 1;
          let receipt: AcceptReceipt;
          try {
            receipt = await store.accept({
              key,
              event,
              source: {
                kind: 'client',
                ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
                ...(trace === undefined ? {} : { trace }),
              },
              ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
              fingerprint: eventFingerprint(event),
              now,
              maxBacklog: definition.maxBacklog,
              ...(local ? { claim: { owner: workerId, leaseMs, maxEvents: batchSize, now } } : {}),
            });
          } finally {
            if (local) localClaimsPending -= 1;
          }
          span.setAttributes({ 'convoy.seq': receipt.seq, duplicate: receipt.duplicate });
          if (!receipt.duplicate) metrics.eventAccepted?.(key.type, 'client');
          // Claimed with the accept: this process runs the turn. Else, as usual: the convoy was already
          // dirty (a turn is pending or running, and sees this event: see AcceptReceipt) or it needs a wake-up.
          if (receipt.claim) runLocally(key, receipt.claim);
          else if (receipt.wake !== false) await wake(key);
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
              subscribe: (listener) => commitListeners.subscribe(listener),
              onClose: (cancel) => {
                pendingWaits.add(cancel);
                return () => pendingWaits.delete(cancel);
              },
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

    describeType(type: string): ConvoyTypeDescription {
      return describeDefinition(registry.latest(type), registry.versions(type));
    },

    async start(): Promise<void> {
      if (state !== 'new') return;
      state = 'started';
      if (!processing) return;
      await scheduler.start((key) => runConvoyTurn(turnDeps, key));
      for (const ticker of tickers) ticker.start();
    },

    async close(): Promise<void> {
      if (state === 'closed') return;
      state = 'closed';
      await Promise.all(tickers.map((ticker) => ticker.stop()));
      // Local turns finish (or fail and hand over) before the scheduler they may fall back on closes;
      // an accept that was claiming meanwhile may have started one more, hence a second pass.
      await Promise.allSettled([...localTurns]);
      await Promise.allSettled([...localTurns]);
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
    fireDueTimers: fireTimers,
    sweep,
  };
}
