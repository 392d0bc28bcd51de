/**
 * Steady arrivals at a fixed offered rate. Event g is scheduled at `t0 + g / rate` and its latency is
 * measured from that scheduled time to applied (committed), not from when it was actually sent: a
 * contender that falls behind pays for the queue it built (no coordinated omission).
 */
import { startAllocationMeter } from '../alloc-meter.ts';
import type { Contender, ContenderInstance, SendItem } from '../contenders/contender.ts';
import { checkPassed, formatCheck, type CheckResult, type OrderLedger } from '../order-ledger.ts';
import { orderEvents, type OrderEvent } from '../order-machine.ts';
import { commandCounters, type CommandCounters } from '../redis-cost.ts';
import type { RepResult, ScenarioResult } from '../results.ts';
import { withContender, type BenchSession } from '../session.ts';
import { percentile } from '../stats.ts';
import { convoyId, nowMs } from '../workload.ts';
import { judge } from './outcome.ts';

/** Parameters of one steady run. */
export interface SteadyShape {
  /** Offered events per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Seconds of the same arrivals on other convoys before the measured run (not measured). */
  readonly warmupSeconds: number;
  readonly concurrency: number;
}

/** Convoys so that each gets about 20 events (at least 4: a whole order). */
function steadyConvoys(total: number): { readonly convoys: number; readonly perConvoy: number } {
  const convoys = Math.max(1, Math.floor(total / 20));
  return { convoys, perConvoy: Math.max(4, Math.floor(total / convoys)) };
}

/**
 * Steady arrivals from `t0`: event g is event floor(g / convoys) of convoy g mod convoys (round-robin
 * over convoys, so each convoy gets one event at a time), scheduled at `t0 + g / rate`.
 */
function arrivals(
  idOf: (index: number) => string,
  count: number,
  convoys: number,
  events: readonly OrderEvent[],
  rate: number,
  t0: number,
): SendItem[] {
  return Array.from({ length: count }, (_, g) => ({
    convoyId: idOf(g % convoys),
    event: events[Math.floor(g / convoys)]!,
    scheduledAt: t0 + (g * 1000) / rate,
  }));
}

/**
 * Send on schedule. Each convoy's sends are chained (its next event waits for the previous accept), so
 * acceptance order is the schedule order; convoys proceed independently.
 */
async function offer(instance: ContenderInstance, schedule: readonly SendItem[]): Promise<void> {
  await offerOnSchedule(schedule, (item) => instance.send([item]));
}

/**
 * Call `send` for each item at its scheduled time (or as soon after as the loop gets to it), chaining
 * each convoy's sends so one convoy's next send waits for its previous one to resolve. Rejects, after
 * every chain settled, when any send failed.
 */
export async function offerOnSchedule(
  schedule: readonly SendItem[],
  send: (item: SendItem) => Promise<void>,
): Promise<void> {
  const chains = new Map<string, Promise<void>>();
  const failures: unknown[] = [];
  let next = 0;
  while (next < schedule.length) {
    const now = nowMs();
    while (next < schedule.length && schedule[next]!.scheduledAt <= now) {
      const item = schedule[next]!;
      const previous = chains.get(item.convoyId) ?? Promise.resolve();
      chains.set(
        item.convoyId,
        previous.then(() => send(item)).catch((error: unknown) => void failures.push(error)),
      );
      next += 1;
    }
    const wait = next < schedule.length ? Math.max(0, schedule[next]!.scheduledAt - nowMs()) : 0;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5)));
  }
  await Promise.all(chains.values());
  if (failures.length > 0) throw new Error(`${failures.length} sends failed: ${String(failures[0])}`);
}

function latencyMetrics(ledger: OrderLedger): Record<string, number> {
  const samples = ledger.latencyMs;
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: percentile(samples, 100) };
}

/** One repetition of steady arrivals for one contender. */
export async function steadyRep(
  session: BenchSession,
  contender: Contender,
  shape: SteadyShape,
): Promise<RepResult> {
  const { convoys, perConvoy } = steadyConvoys(Math.round(shape.rate * shape.seconds));
  const total = convoys * perConvoy;
  const events = orderEvents(perConvoy);
  const expected = new Map(Array.from({ length: convoys }, (_, index) => [convoyId(index), perConvoy]));
  return withContender(
    session,
    contender,
    { concurrency: shape.concurrency },
    async ({ instance, ledger }) => {
      await instance.start();
      const admin = contender.usesRedis ? session.admin : null;
      const counters = async (): Promise<CommandCounters | null> => (admin ? commandCounters(admin) : null);
      // Warm-up: the same arrivals on other convoys, not measured, so every contender is measured in its
      // steady state (JIT-compiled, connections and scripts loaded) rather than in its first second.
      // At most one event per warm-up convoy and round, and never more rounds than a convoy has events.
      const warmupCount = Math.min(Math.round(shape.rate * shape.warmupSeconds), convoys * (perConvoy - 1));
      const warmup = arrivals(
        (index) => `warmup-${index}`,
        warmupCount,
        convoys,
        events,
        shape.rate,
        nowMs() + 50,
      );
      let timeout: string | null = null;
      try {
        await offer(instance, warmup);
        await ledger.waitFor(warmupCount, Math.max(30_000, shape.warmupSeconds * 3_000));
      } catch (error) {
        timeout = `warm-up: ${error instanceof Error ? error.message : String(error)}`;
      }
      ledger.reset();
      const before = await counters();
      const cpuBefore = process.cpuUsage();
      // Heap bytes this process allocates (producers and workers) from the first send to the last apply.
      const allocation = startAllocationMeter();
      const t0 = nowMs() + 50;
      const schedule = arrivals(convoyId, total, convoys, events, shape.rate, t0);
      // A failed warm-up fails the row without a measured run.
      if (timeout === null) {
        try {
          await offer(instance, schedule);
          await ledger.waitFor(total, Math.max(30_000, shape.seconds * 3_000));
        } catch (error) {
          timeout = error instanceof Error ? error.message : String(error);
        }
      }
      const allocated = allocation.stop();
      const cpu = process.cpuUsage(cpuBefore);
      const after = await counters();
      const check = ledger.verify(expected, await instance.verifyStored(expected));
      const verdict = judge(contender, check, timeout);
      const metrics = latencyMetrics(ledger);
      metrics['achieved'] = ledger.count / ((nowMs() - t0) / 1000);
      metrics['cpuUs'] = (cpu.user + cpu.system) / total;
      metrics['allocKB'] = allocated / 1024 / total;
      if (before && after) {
        metrics['clientCmds'] = (after.client - before.client) / total;
        metrics['serverCpuUs'] = ((after.serverCpuS - before.serverCpuS) * 1e6) / total;
        metrics['totalCpuUs'] = metrics['cpuUs'] + metrics['serverCpuUs'];
      } else {
        metrics['totalCpuUs'] = metrics['cpuUs'];
      }
      session.log(
        `  ${contender.name}: p50 ${metrics['p50']?.toFixed(1)} ms, p99 ${metrics['p99']?.toFixed(1)} ms, max ${metrics['max']?.toFixed(1)} ms, CPU ${metrics['cpuUs']?.toFixed(0)} µs/ev (Redis ${metrics['serverCpuUs']?.toFixed(0) ?? '–'}), alloc ${metrics['allocKB']?.toFixed(1)} KB/ev, ${formatCheck(check)}${verdict.passed ? '' : ' FAILED'}`,
      );
      return { value: metrics['p99'] ?? Number.NaN, check, ...verdict, metrics };
    },
  );
}

/** How the capacity probe searches. */
export interface ProbeShape {
  /** First offered rate (events/s); the ramp multiplies it by 1.5 while the contender keeps up. */
  readonly startRate: number;
  /** Seconds of arrivals per step. */
  readonly stepSeconds: number;
  /** Seconds of unmeasured arrivals at `startRate` before the first step. */
  readonly warmupSeconds: number;
  readonly concurrency: number;
  /** Stop once the highest rate kept up with and the lowest one not are within this factor. */
  readonly resolution: number;
  /** No new step starts once the probe (warm-up included) has run this long. */
  readonly budgetSeconds: number;
}

/** A contender keeps up when it applies at least this share of the offered rate... */
const keepUpShare = 0.97;
/** ...with the median latency (scheduled send to applied) below this, in ms. */
const keepUpP50Ms = 10;

/** One step of the probe: a rate offered for `stepSeconds`, and what the contender did with it. */
export interface ProbeStep {
  readonly rate: number;
  /** Events/s applied while the step's events were being offered (after its first quarter). */
  readonly applied: number;
  readonly p50: number;
  /** Applied ≥ 0.97 × offered, p50 < 10 ms, every event applied in time and the order check passed. */
  readonly keptUp: boolean;
  /** Not even drained a minute later: the probe stops here. */
  readonly stuck: boolean;
  readonly check: CheckResult;
}

/** A contender's probed capacity: the highest offered rate it kept up with (0: none). */
export interface ProbedCapacity {
  readonly contender: Contender;
  readonly capacity: number;
  readonly steps: readonly ProbeStep[];
}

/** Offer `rate` for `seconds` on fresh convoys (`tag`), then wait for every event to be applied. */
async function probeStep(
  instance: ContenderInstance,
  ledger: OrderLedger,
  tag: string,
  rate: number,
  seconds: number,
): Promise<ProbeStep> {
  const { convoys, perConvoy } = steadyConvoys(Math.round(rate * seconds));
  const total = convoys * perConvoy;
  const expected = new Map(Array.from({ length: convoys }, (_, index) => [`${tag}-${index}`, perConvoy]));
  ledger.reset();
  const t0 = nowMs() + 50;
  const schedule = arrivals((index) => `${tag}-${index}`, total, convoys, orderEvents(perConvoy), rate, t0);
  // The applied rate is read over the offering after its first quarter (the contender has caught the
  // pattern): events applied in that window per second. Keeping up, it equals the offered rate.
  const window = { at: t0, count: 0 };
  const timer = setTimeout(
    () => {
      window.at = nowMs();
      window.count = ledger.count;
    },
    Math.max(0, t0 + seconds * 250 - nowMs()),
  );
  let drained = true;
  let stuck = false;
  let applied = Number.NaN;
  try {
    await offer(instance, schedule);
    applied = (ledger.count - window.count) / ((nowMs() - window.at) / 1000);
    // An overloaded contender gets time to drain, so the next (lower) step starts on an idle one.
    await ledger.waitFor(total, Math.max(5_000, seconds * 2_000)).catch(async () => {
      drained = false;
      await ledger.waitFor(total, 60_000).catch(() => {
        stuck = true;
      });
    });
  } finally {
    clearTimeout(timer);
  }
  const p50 = percentile(ledger.latencyMs, 50);
  const check = ledger.verify(expected);
  const keptUp = drained && checkPassed(check) && applied >= keepUpShare * rate && p50 < keepUpP50Ms;
  return { rate, applied, p50, keptUp, stuck, check };
}

/** The next rate to try, or null when the search is done. */
export function nextRate(shape: ProbeShape, lo: number, hi: number, last: number): number | null {
  const round = (rate: number): number => Math.max(50, Math.round(rate / 50) * 50);
  if (!Number.isFinite(hi)) return round(last * 1.5);
  if (lo > 0 && hi / lo <= shape.resolution) return null;
  const next = round(lo > 0 ? (lo + hi) / 2 : hi / 2);
  return next === lo || next >= hi || (lo === 0 && hi <= 100) ? null : next;
}

/**
 * The steady capacity of `contender`: the highest offered rate at which it keeps up with the steady
 * pattern (fresh convoys, one event per convoy at a time) — applied rate ≥ 0.97 × offered and p50 under
 * 10 ms. After an unmeasured warm-up, the rate grows by 1.5× from `startRate` while the contender keeps
 * up, then bisects between the highest rate kept up with and the lowest one not, until the two are
 * within `resolution` or the time budget is spent. Rates a contender cannot follow are not capacity:
 * offered more, a contender falls back to batching and still "applies" more per second, but no event
 * gets through in single-digit milliseconds.
 */
export async function probeCapacity(
  session: BenchSession,
  contender: Contender,
  shape: ProbeShape,
): Promise<ProbedCapacity> {
  return withContender(
    session,
    contender,
    { concurrency: shape.concurrency },
    async ({ instance, ledger }) => {
      const startedAt = nowMs();
      await instance.start();
      if (shape.warmupSeconds > 0)
        await probeStep(instance, ledger, 'warmup', shape.startRate, shape.warmupSeconds);
      const steps: ProbeStep[] = [];
      let lo = 0;
      let hi = Number.POSITIVE_INFINITY;
      let rate: number | null = shape.startRate;
      // A step costs its arrivals plus about half a second of drain and setup.
      while (
        rate !== null &&
        nowMs() - startedAt + (shape.stepSeconds + 0.5) * 1000 <= shape.budgetSeconds * 1000
      ) {
        const step = await probeStep(instance, ledger, `p${steps.length}`, rate, shape.stepSeconds);
        steps.push(step);
        session.log(
          `  ${contender.name}: offered ${rate}/s → applied ${Math.round(step.applied)}/s, p50 ${step.p50.toFixed(1)} ms: ${step.keptUp ? 'kept up' : 'behind'}${checkPassed(step.check) ? '' : ` (${formatCheck(step.check)})`}`,
        );
        if (step.keptUp) lo = Math.max(lo, rate);
        else hi = Math.min(hi, rate);
        rate = step.stuck ? null : nextRate(shape, lo, hi, rate);
      }
      session.log(
        `  ${contender.name}: capacity ${lo.toLocaleString('en-US')} events/s (${steps.length} steps, ${((nowMs() - startedAt) / 1000).toFixed(0)} s)`,
      );
      return { contender, capacity: lo, steps };
    },
  );
}

/** Probe each of `contenders` in turn. */
export async function steadyCapacities(
  session: BenchSession,
  contenders: readonly Contender[],
  shape: ProbeShape,
): Promise<ProbedCapacity[]> {
  const capacities: ProbedCapacity[] = [];
  for (const contender of contenders) {
    session.log(`Steady capacity probe: ${contender.name}, from ${shape.startRate} events/s`);
    capacities.push(await probeCapacity(session, contender, shape));
  }
  return capacities;
}

/** Probed capacities as a table, with ratios to `baselines` (contender names). */
export function capacityResult(
  capacities: readonly ProbedCapacity[],
  shape: ProbeShape,
  baselines: readonly string[],
): ScenarioResult {
  return {
    id: 'steady-capacity',
    title: `Steady capacity (highest offered rate kept up with: applied ≥ ${keepUpShare} × offered, p50 < ${keepUpP50Ms} ms; ${shape.stepSeconds} s steps)`,
    unit: 'events/s',
    higherIsBetter: true,
    baselines,
    columns: {
      p50: 'p50 ms at capacity',
      applied: 'applied ev/s at capacity',
      behindAt: 'lowest rate behind',
    },
    notes: [
      `After ${shape.warmupSeconds} s of unmeasured arrivals, the offered rate grows by 1.5× from ${shape.startRate}/s while the contender keeps up, then bisects (to within ${Math.round((shape.resolution - 1) * 100)} %, at most ${shape.budgetSeconds} s per contender). Each step uses fresh convoys, ~20 events each, one at a time.`,
      'Ratios: capacity of the row / capacity of the baseline (higher is better).',
    ],
    rows: capacities.map(({ contender, capacity, steps }) => {
      const best = steps.find((step) => step.keptUp && step.rate === capacity);
      const behind = steps.filter((step) => !step.keptUp).map((step) => step.rate);
      const check = steps.reduce<CheckResult>(
        (sum, step) => ({
          applied: sum.applied + step.check.applied,
          lost: sum.lost + step.check.lost,
          duplicated: sum.duplicated + step.check.duplicated,
          outOfOrder: sum.outOfOrder + step.check.outOfOrder,
          problems: [...sum.problems, ...step.check.problems],
        }),
        { applied: 0, lost: 0, duplicated: 0, outOfOrder: 0, problems: [] },
      );
      const passed = capacity > 0 && checkPassed(check);
      return {
        contender: contender.name,
        ordered: contender.ordered,
        reps: [
          {
            value: capacity,
            check,
            passed,
            ...(passed ? {} : { failure: capacity > 0 ? formatCheck(check) : 'kept up with no probed rate' }),
            metrics: {
              p50: best?.p50 ?? Number.NaN,
              applied: best?.applied ?? Number.NaN,
              behindAt: behind.length > 0 ? Math.min(...behind) : Number.NaN,
              steps: steps.length,
            },
          },
        ],
      };
    }),
  };
}

/** The steady scenario over all contenders at one offered rate. */
export async function steadyScenario(
  session: BenchSession,
  contenders: readonly Contender[],
  shape: SteadyShape,
  reps: number,
  /** How the offered rate was chosen (shown under the table). */
  rateNote?: string,
): Promise<ScenarioResult> {
  const rows = contenders.map((contender) => ({
    contender: contender.name,
    ordered: contender.ordered,
    reps: [] as RepResult[],
  }));
  for (let rep = 0; rep < reps; rep += 1) {
    session.log(`Steady arrivals at ${shape.rate} events/s: repetition ${rep + 1}/${reps}`);
    for (const [index, contender] of contenders.entries()) {
      rows[index]!.reps.push(await steadyRep(session, contender, shape));
    }
  }
  const { convoys, perConvoy } = steadyConvoys(Math.round(shape.rate * shape.seconds));
  // The p99 target is judged per repetition: in how many did a row beat the baseline's p99 of the same one?
  const baseline = rows.find((row) => row.contender === 'groupmq no-op (FIFO)');
  const beats = baseline
    ? rows
        .filter((row) => row !== baseline)
        .map((row) => {
          const met = row.reps.filter((result, rep) => {
            const base = baseline.reps[rep];
            return result.passed && base?.passed === true && result.value <= base.value;
          }).length;
          return `${row.contender} ${met}/${row.reps.length}`;
        })
    : [];
  return {
    id: 'steady',
    title: `Steady arrivals (${shape.rate} events/s offered for ${shape.seconds} s, ${convoys} convoys × ${perConvoy} events, concurrency ${shape.concurrency})`,
    unit: 'p99 ms',
    higherIsBetter: false,
    baselines: ['groupmq no-op (FIFO)'],
    columns: {
      p50: 'p50 ms',
      max: 'max ms',
      achieved: 'applied ev/s',
      clientCmds: 'client cmds/ev',
      cpuUs: 'bench CPU µs/ev',
      serverCpuUs: 'Redis CPU µs/ev',
      totalCpuUs: 'CPU µs/ev (bench + Redis)',
      allocKB: 'alloc KB/ev',
    },
    notes: [
      ...(rateNote === undefined ? [] : [rateNote]),
      'Latency from the SCHEDULED send time to applied (committed): coordinated-omission-safe.',
      'Each run is preceded by an unmeasured warm-up: the same arrivals on other convoys (BENCH_STEADY_WARMUP seconds).',
      'Ratios: p99 of the row / p99 of the baseline (lower is better; ≤ 1.00 meets the target).',
      ...(beats.length === 0
        ? []
        : [`Repetitions with p99 ≤ groupmq no-op's p99 of the same repetition: ${beats.join(', ')}.`]),
      'CPU µs/ev: CPU time of the bench process (producers and workers) and of redis-server during the run, per event.',
      'alloc KB/ev: bytes allocated on the bench process’s V8 heap (producers and workers) from the first send to the last apply, per event (v8.GCProfiler: used heap before each collection minus used heap after the previous one, summed; Buffer contents not counted).',
    ],
    rows,
  };
}
