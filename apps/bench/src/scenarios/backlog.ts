/**
 * Backlog drain: send every event first (workers stopped), then start the workers and time the drain.
 * Also where the Redis cost per event (commands) and the memory per finished convoy are measured.
 */
import type { Contender, SendItem } from '../contenders/contender.ts';
import { formatCheck } from '../order-ledger.ts';
import { commandCounters, keyMemory, type CommandCounters } from '../redis-cost.ts';
import type { RepResult, ScenarioResult } from '../results.ts';
import { withContender, type BenchSession } from '../session.ts';
import { backlogRounds, expectedCounts, nowMs } from '../workload.ts';
import { judge } from './outcome.ts';

/** How a key counts in the memory split. */
function keyClass(key: string): string {
  if (key.endsWith(':history')) return 'history';
  // BullMQ's event log is capped (10,000 entries by default): a fixed cost per queue, not per convoy.
  if (key.endsWith(':events')) return 'queue-log';
  if (key.includes(':idem:')) return 'idempotency';
  return 'state';
}

/**
 * The backlog in chunks of about 1,000 events: rounds flattened (each convoy's events stay in order),
 * so a hot convoy is not sent one event per call.
 */
function sendChunks(shape: BacklogShape): SendItem[][] {
  const items = backlogRounds(shape.convoys, shape.eventsPerConvoy).flat();
  const chunks: SendItem[][] = [];
  for (let start = 0; start < items.length; start += 1000) chunks.push(items.slice(start, start + 1000));
  return chunks;
}

/** A key's last segment (its kind: state, meta, inbox, …) with ids and numbers folded. */
function keySuffix(key: string): string {
  if (key.includes(':idem:')) return 'idem';
  const last = key.slice(key.lastIndexOf(':') + 1);
  return /^[0-9a-f-]{8,}$|^\d+$|^o-\d+$/.test(last) ? '<id>' : last;
}

/** Parameters of one backlog run. */
export interface BacklogShape {
  readonly convoys: number;
  readonly eventsPerConvoy: number;
  readonly concurrency: number;
}

/** One repetition of the backlog drain for one contender. */
export async function backlogRep(
  session: BenchSession,
  contender: Contender,
  shape: BacklogShape,
): Promise<RepResult> {
  const total = shape.convoys * shape.eventsPerConvoy;
  const expected = expectedCounts(shape.convoys, shape.eventsPerConvoy);
  return withContender(
    session,
    contender,
    { concurrency: shape.concurrency },
    async ({ instance, ledger }) => {
      const admin = contender.usesRedis ? session.admin : null;
      const counters = async (): Promise<CommandCounters | null> => (admin ? commandCounters(admin) : null);
      const before = await counters();
      const sendStart = nowMs();
      for (const chunk of sendChunks(shape)) await instance.send(chunk);
      const sendMs = nowMs() - sendStart;
      const afterSend = await counters();

      const drainStart = nowMs();
      await instance.start();
      let timeout: string | null = null;
      try {
        await ledger.waitFor(total, Math.max(60_000, total * 5));
      } catch (error) {
        timeout = error instanceof Error ? error.message : String(error);
      }
      const drainMs = nowMs() - drainStart;
      // Let the last turn release its claim before counting commands and bytes.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const after = await counters();
      const check = ledger.verify(expected, await instance.verifyStored(expected));
      const verdict = judge(contender, check, timeout);

      const metrics: Record<string, number> = {
        acceptRate: total / (sendMs / 1000),
        // Accept and process back to back in one process: what it sustains when both run (steady's yardstick).
        endToEnd: total / ((sendMs + drainMs) / 1000),
        reorders: check.outOfOrder,
      };
      if (admin && before && afterSend && after) {
        // The admin connection's own INFO calls are one per reading: negligible next to `total`.
        metrics['serverCmds'] = (after.server - before.server) / total;
        metrics['clientCmds'] = (after.client - before.client) / total;
        metrics['acceptClientCmds'] = (afterSend.client - before.client) / total;
        metrics['drainClientCmds'] = (after.client - afterSend.client) / total;
        metrics['netInPerEvent'] = (after.netIn - before.netIn) / total;
        metrics['netOutPerEvent'] = (after.netOut - before.netOut) / total;
        const memory = await keyMemory(admin, '*', keyClass);
        const history = memory.byClass.get('history') ?? 0;
        const idempotency = memory.byClass.get('idempotency') ?? 0;
        const queueLog = memory.byClass.get('queue-log') ?? 0;
        metrics['bytesPerConvoy'] = (memory.bytes - history - idempotency - queueLog) / shape.convoys;
        metrics['historyPerConvoy'] = history / shape.convoys;
        metrics['idempotencyPerConvoy'] = idempotency / shape.convoys;
        const bySuffix = await keyMemory(admin, '*', keySuffix);
        session.log(
          `  ${contender.name}: ${bySuffix.keys} keys, by kind (B/convoy): ${[...bySuffix.byClass]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 8)
            .map(([kind, bytes]) => `${kind}=${(bytes / shape.convoys).toFixed(0)}`)
            .join(' ')}`,
        );
      }
      session.log(
        `  ${contender.name}: drain ${(total / (drainMs / 1000)).toFixed(0)} ev/s, accept ${metrics['acceptRate']?.toFixed(0)} ev/s, ${formatCheck(check)}${verdict.passed ? '' : ' FAILED'}`,
      );
      return { value: total / (drainMs / 1000), check, ...verdict, metrics };
    },
  );
}

function redisLabel(session: BenchSession): string {
  if (session.redis === null) return 'no Redis';
  return session.redis.persistence === 'none'
    ? 'Redis without persistence'
    : 'Redis with AOF appendfsync always';
}

/** The backlog scenario over all contenders, `reps` times each (interleaved, so drift hits all alike). */
export async function backlogScenario(
  session: BenchSession,
  contenders: readonly Contender[],
  shape: BacklogShape,
  reps: number,
  labels: {
    readonly id: string;
    readonly title: string;
    readonly baselines: readonly string[];
    /** Show the memory columns (meaningless for one convoy: fixed queue overheads dominate). */
    readonly memory: boolean;
  },
): Promise<ScenarioResult> {
  const { id, title } = labels;
  const rows = contenders.map((contender) => ({
    contender: contender.name,
    ordered: contender.ordered,
    reps: [] as RepResult[],
  }));
  for (let rep = 0; rep < reps; rep += 1) {
    session.log(`${title}: repetition ${rep + 1}/${reps}`);
    for (const [index, contender] of contenders.entries()) {
      rows[index]!.reps.push(await backlogRep(session, contender, shape));
    }
  }
  return {
    id,
    title: `${title} (${shape.convoys} convoys × ${shape.eventsPerConvoy} events, concurrency ${shape.concurrency}, ${redisLabel(session)})`,
    unit: 'events/s',
    higherIsBetter: true,
    baselines: labels.baselines,
    columns: {
      acceptRate: 'accept ev/s',
      endToEnd: 'end-to-end ev/s',
      clientCmds: 'client cmds/ev',
      drainClientCmds: 'drain client cmds/ev',
      serverCmds: 'server cmds/ev',
      netInPerEvent: 'B to Redis/ev',
      netOutPerEvent: 'B from Redis/ev',
      ...(labels.memory
        ? {
            bytesPerConvoy: 'B/convoy',
            historyPerConvoy: 'history B/convoy',
            idempotencyPerConvoy: 'idem B/convoy',
          }
        : {}),
    },
    notes: [
      'events/s: drain throughput (workers started after every event was accepted), median of repetitions [min–max]; × columns: median [min–max] of per-repetition ratios.',
      'client cmds/ev: commands written by all ioredis clients (accept + drain) per event, an upper bound on round trips (pipelines and MULTI share one).',
      'server cmds/ev: commands Redis executed per event (INFO commandstats delta), commands inside Lua scripts included.',
      'end-to-end ev/s: events / (accept time + drain time), the rate one process sustains doing both.',
      ...(labels.memory
        ? [
            'B/convoy: MEMORY USAGE of every key left after the drain / convoys, without history, idempotency records (they expire) and BullMQ event logs (capped, a fixed cost per queue).',
          ]
        : []),
    ],
    rows,
  };
}
