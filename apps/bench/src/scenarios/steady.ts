/**
 * Steady arrivals at a fixed offered rate. Event g is scheduled at `t0 + g / rate` and its latency is
 * measured from that scheduled time to applied (committed), not from when it was actually sent: a
 * contender that falls behind pays for the queue it built (no coordinated omission).
 */
import type { Contender, ContenderInstance, SendItem } from '../contenders/contender.ts';
import { formatCheck, type OrderLedger } from '../order-ledger.ts';
import { orderEvents } from '../order-machine.ts';
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
      const warmupAt = nowMs() + 50;
      const warmup: SendItem[] = Array.from({ length: warmupCount }, (_, g) => ({
        convoyId: `warmup-${g % convoys}`,
        event: events[Math.floor(g / convoys)]!,
        scheduledAt: warmupAt + (g * 1000) / shape.rate,
      }));
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
      const t0 = nowMs() + 50;
      // Round-robin over convoys: event g is event floor(g / convoys) of convoy g mod convoys.
      const schedule: SendItem[] = Array.from({ length: total }, (_, g) => ({
        convoyId: convoyId(g % convoys),
        event: events[Math.floor(g / convoys)]!,
        scheduledAt: t0 + (g * 1000) / shape.rate,
      }));
      // Applied while events were still being offered: the rate the contender sustains (capacity probe).
      let sustained = Number.NaN;
      // A failed warm-up fails the row without a measured run.
      if (timeout === null) {
        try {
          await offer(instance, schedule);
          sustained = ledger.count / ((nowMs() - t0) / 1000);
          await ledger.waitFor(total, Math.max(30_000, shape.seconds * 3_000));
        } catch (error) {
          timeout = error instanceof Error ? error.message : String(error);
        }
      }
      const cpu = process.cpuUsage(cpuBefore);
      const after = await counters();
      const check = ledger.verify(expected, await instance.verifyStored(expected));
      const verdict = judge(contender, check, timeout);
      const metrics = latencyMetrics(ledger);
      metrics['achieved'] = ledger.count / ((nowMs() - t0) / 1000);
      metrics['sustained'] = sustained;
      metrics['cpuUs'] = (cpu.user + cpu.system) / total;
      if (before && after) {
        metrics['clientCmds'] = (after.client - before.client) / total;
        metrics['serverCpuUs'] = ((after.serverCpuS - before.serverCpuS) * 1e6) / total;
      }
      session.log(
        `  ${contender.name}: p50 ${metrics['p50']?.toFixed(1)} ms, p99 ${metrics['p99']?.toFixed(1)} ms, max ${metrics['max']?.toFixed(1)} ms, CPU ${metrics['cpuUs']?.toFixed(0)} µs/ev (Redis ${metrics['serverCpuUs']?.toFixed(0) ?? '–'}), ${formatCheck(check)}${verdict.passed ? '' : ' FAILED'}`,
      );
      return { value: metrics['p99'] ?? Number.NaN, check, ...verdict, metrics };
    },
  );
}

/**
 * The steady capacity of each of `contenders`: the rate at which it applied events while the steady
 * pattern was offered faster than it can follow (`shape.rate`), after the same warm-up. A backlog's drain
 * rate is no such capacity: there every contender takes events in bulk (and Convoy batches a convoy's
 * events per commit), while steady arrivals over many convoys give each convoy one event at a time.
 */
export async function steadyCapacities(
  session: BenchSession,
  contenders: readonly Contender[],
  shape: SteadyShape,
): Promise<Array<{ readonly contender: Contender; readonly capacity: number }>> {
  const capacities: Array<{ readonly contender: Contender; readonly capacity: number }> = [];
  for (const contender of contenders) {
    session.log(`Steady capacity probe: ${contender.name}, offered ${shape.rate} events/s`);
    const rep = await steadyRep(session, contender, shape);
    const capacity = Math.min(shape.rate, rep.metrics['sustained'] ?? Number.NaN);
    session.log(`  ${contender.name}: sustained ${Math.round(capacity)} events/s`);
    capacities.push({ contender, capacity });
  }
  return capacities;
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
    },
    notes: [
      ...(rateNote === undefined ? [] : [rateNote]),
      'Latency from the SCHEDULED send time to applied (committed): coordinated-omission-safe.',
      'Each run is preceded by an unmeasured warm-up: the same arrivals on other convoys (BENCH_STEADY_WARMUP seconds).',
      'Ratios: p99 of the row / p99 of the baseline (lower is better; ≤ 1.00 meets the target).',
      'CPU µs/ev: CPU time of the bench process (producers and workers) and of redis-server during the run, per event.',
    ],
    rows,
  };
}
