/**
 * Prometheus metrics with prom-client: a `ConvoyMetricsSink` for the engine (the runtime reports through
 * core's port and never depends on prom-client) and the registry `GET /metrics` serves. Labels are the
 * convoy type and an outcome or source only: never ids, so cardinality stays bounded.
 */
import { convoyStatuses } from '@convoy/core';
import type { ConvoyGateway, ConvoyMetricsSink } from '@convoy/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { MinuteWindow } from './minute-window.ts';

/** Options of {@link createConvoyMetrics}. */
export interface ConvoyMetricsOptions {
  /**
   * The registry to register on (e.g. your app's).
   * @defaultValue a new registry
   */
  readonly registry?: Registry;
  /**
   * Also collect prom-client's default process metrics (CPU, memory, event loop lag).
   * @defaultValue false
   */
  readonly processMetrics?: boolean;
}

/** The metrics of one Convoy deployment. */
export interface ConvoyMetrics {
  /** Hand to `createConvoyEngine({ metrics })`. */
  readonly sink: ConvoyMetricsSink;
  readonly registry: Registry;
  /** Let the `convoy_convoys` gauge read per-status counts from this gateway at scrape time. */
  observe(gateway: ConvoyGateway): void;
  /** Events received and outcomes committed for `type` by this node over the last 60 s. */
  lastMinute(type: string): { readonly received: number; readonly processed: number };
}

/** Seconds: from 1 ms to 5 min, for turns, end-to-end latency and timer lag alike. */
const buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Create the Convoy metrics.
 *
 * @example
 * ```ts
 * const metrics = createConvoyMetrics();
 * const engine = createConvoyEngine({ definitions, store, scheduler, metrics: metrics.sink });
 * const app = buildConvoyApp({ gateway: engine, metrics }); // serves GET /metrics
 * ```
 */
export function createConvoyMetrics(options: ConvoyMetricsOptions = {}): ConvoyMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const received = new Counter({
    name: 'convoy_events_received_total',
    help: 'Events accepted into a convoy inbox, by source (client, timer, effect, redrive)',
    labelNames: ['type', 'source'] as const,
    registers,
  });
  const processed = new Counter({
    name: 'convoy_events_processed_total',
    help: 'Event outcomes committed (applied, deferred, rejected, deadLettered, ignored)',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });
  const deadLetters = new Counter({
    name: 'convoy_dead_letters_total',
    help: 'Events dead-lettered',
    labelNames: ['type'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'convoy_event_latency_seconds',
    help: 'End to end: from acceptance to the commit of the outcome',
    labelNames: ['type'] as const,
    buckets,
    registers,
  });
  const queueWait = new Histogram({
    name: 'convoy_queue_wait_seconds',
    help: 'From acceptance until a turn picked the event up',
    labelNames: ['type'] as const,
    buckets,
    registers,
  });
  const turns = new Histogram({
    name: 'convoy_turn_duration_seconds',
    help: 'Stepping and committing one batch of a convoy',
    labelNames: ['type'] as const,
    buckets,
    registers,
  });
  const claimsLost = new Counter({
    name: 'convoy_claims_lost_total',
    help: 'Commits or acks fenced off (stale_claim): another worker took the convoy over',
    labelNames: ['type'] as const,
    registers,
  });
  const timerLag = new Histogram({
    name: 'convoy_timer_lag_seconds',
    help: 'How late a due timer entered the inbox after its deadline',
    labelNames: ['type'] as const,
    buckets,
    registers,
  });
  let gateway: ConvoyGateway | undefined;
  new Gauge({
    name: 'convoy_convoys',
    help: 'Convoys per type and status (from the status index, read at scrape time)',
    labelNames: ['type', 'status'] as const,
    registers,
    async collect() {
      this.reset();
      if (!gateway) return;
      for (const { type } of gateway.listTypes()) {
        const counts = await gateway.countConvoys(type);
        for (const status of convoyStatuses) this.set({ type, status }, counts[status]);
      }
    },
  });

  const receivedLastMinute = new MinuteWindow();
  const processedLastMinute = new MinuteWindow();
  const sink: ConvoyMetricsSink = {
    eventAccepted: (type, source) => {
      received.inc({ type, source });
      receivedLastMinute.add(type);
    },
    eventProcessed: (type, outcome, latencyMs) => {
      processed.inc({ type, outcome });
      processedLastMinute.add(type);
      if (outcome === 'deadLettered') deadLetters.inc({ type });
      latency.observe({ type }, latencyMs / 1000);
    },
    eventDequeued: (type, waitMs) => queueWait.observe({ type }, waitMs / 1000),
    turnCompleted: (type, durationMs) => turns.observe({ type }, durationMs / 1000),
    claimLost: (type) => claimsLost.inc({ type }),
    timerFired: (type, lagMs) => timerLag.observe({ type }, lagMs / 1000),
  };
  return {
    sink,
    registry,
    observe(next) {
      gateway = next;
    },
    lastMinute: (type) => ({
      received: receivedLastMinute.total(type),
      processed: processedLastMinute.total(type),
    }),
  };
}
