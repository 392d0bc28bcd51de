import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { loadConfig } from '../src/config.ts';
import type { Contender, SendItem } from '../src/contenders/contender.ts';
import { convoyMemory } from '../src/contenders/convoy-memory.ts';
import { OrderLedger, checkPassed } from '../src/order-ledger.ts';
import { contextProblem, orderEvents, orderMachine } from '../src/order-machine.ts';
import { backlogScenario } from '../src/scenarios/backlog.ts';
import { inProcessSession } from '../src/session.ts';
import { renderScenario } from '../src/table.ts';

const expected = new Map([['o-1', 5]]);

function ledgerOf(sequence: readonly number[]): OrderLedger {
  const ledger = new OrderLedger();
  for (const n of sequence) ledger.applied('o-1', n);
  return ledger;
}

/** Runs events through the machine the way every stateful contender does, in the given order. */
function finalContext(order: readonly number[]): { context: unknown; status: string } {
  const events = orderEvents(20);
  let [snapshot] = initialTransition(orderMachine, undefined);
  for (const n of order) [snapshot] = transition(orderMachine, snapshot, events[n - 1]!);
  return { context: snapshot.context, status: snapshot.status };
}

/** Convoy on the memory store, but its producer swaps each convoy's 2nd and 3rd event (both NoteAdded). */
const reorderingConvoy: Contender = {
  ...convoyMemory,
  id: 'sabotaged',
  name: 'sabotaged: events 2 and 3 swapped',
  async open(target) {
    const instance = await convoyMemory.open(target);
    const swap = (item: SendItem): SendItem => {
      const n = item.event.n === 2 ? 3 : item.event.n === 3 ? 2 : item.event.n;
      return { ...item, event: { type: 'NoteAdded', n } };
    };
    return {
      ...instance,
      send: (items) =>
        instance.send(items.map((item) => (item.event.n === 2 || item.event.n === 3 ? swap(item) : item))),
    };
  },
};

describe('the order checker', () => {
  it('passes a clean sequence', () => {
    expect(checkPassed(ledgerOf([1, 2, 3, 4, 5]).verify(expected))).toBe(true);
  });

  it('catches a reordered, a lost and a duplicated event', () => {
    expect(ledgerOf([1, 3, 2, 4, 5]).verify(expected).outOfOrder).toBe(1);
    expect(ledgerOf([1, 2, 4, 5]).verify(expected).lost).toBe(1);
    expect(ledgerOf([1, 2, 2, 3, 4, 5]).verify(expected).duplicated).toBe(1);
    expect(checkPassed(ledgerOf([1, 3, 2, 4, 5]).verify(expected))).toBe(false);
  });

  it("the machine's own context proves order: a swap, a loss and a replay are each detected", () => {
    const clean = Array.from({ length: 20 }, (_, index) => index + 1);
    expect(contextProblem(finalContext(clean).context, finalContext(clean).status, 20)).toBeNull();
    const swapped = [1, 3, 2, ...clean.slice(3)];
    expect(contextProblem(finalContext(swapped).context, 'done', 20)).toMatch(/out_of_order/);
    const lost = clean.filter((n) => n !== 4);
    expect(contextProblem(finalContext(lost).context, 'done', 20)).toMatch(/out_of_order/);
    const replayed = [1, 2, 2, ...clean.slice(2)];
    expect(contextProblem(finalContext(replayed).context, 'done', 20)).not.toBeNull();
  });
});

describe('the backlog scenario in QUICK mode (memory store, no Redis)', () => {
  const config = { ...loadConfig({ BENCH_QUICK: '1' }), durable: false };
  const session = inProcessSession(config, () => undefined);
  const shape = { convoys: 50, eventsPerConvoy: 20, concurrency: 8 };
  const labels = { id: 'backlog', title: 'Backlog drain', baselines: [convoyMemory.name], memory: false };

  it('passes Convoy on the memory store and marks a reordering contender FAILED', async () => {
    const result = await backlogScenario(session, [convoyMemory, reorderingConvoy], shape, 1, labels);
    const [clean, sabotaged] = result.rows;
    expect(clean?.reps.every((rep) => rep.passed)).toBe(true);
    expect(clean?.reps[0]?.value).toBeGreaterThan(0);
    expect(sabotaged?.reps[0]?.passed).toBe(false);
    expect(sabotaged?.reps[0]?.check.outOfOrder).toBe(shape.convoys);
    const table = renderScenario(result);
    expect(table).toMatch(/\| sabotaged: events 2 and 3 swapped \| – \|.*\*\*FAILED\*\* 1\/1/);
  }, 20_000);
});
