import { describe, expect, it } from 'vitest';
import { checkPassed } from '../src/order-ledger.ts';
import type { ScenarioResult } from '../src/results.ts';
import { sweptCapacity, topologyPlan } from '../src/scenarios/topology.ts';
import { renderScenario } from '../src/table.ts';
import { summariseApplied, type AppliedNote } from '../src/topology/applied.ts';

describe('the topology scenario', () => {
  it('schedules round-robin over the convoys at the offered rate, each convoy in order', () => {
    const plan = topologyPlan('t', 6, 3, 100, 1_000);
    expect(plan.items.map((item) => `${item.convoyId}#${item.event.n}@${item.scheduledAt}`)).toEqual([
      't-0#1@1000',
      't-1#1@1010',
      't-2#1@1020',
      't-0#2@1030',
      't-1#2@1040',
      't-2#2@1050',
    ]);
    expect([...plan.expected.values()]).toEqual([2, 2, 2]);
    expect(plan.orderLength).toBe(4);
  });

  it('measures latency from the scheduled send time, not from when the send happened', () => {
    const plan = topologyPlan('t', 4, 2, 100, 1_000);
    // Applied 5 ms after schedule, except t-1#2, applied 200 ms late (the system fell behind).
    const notes: AppliedNote[] = plan.items.map((item, index) => ({
      convoyId: item.convoyId,
      n: item.event.n,
      appliedAt: item.scheduledAt + (index === 3 ? 200 : 5),
    }));
    const summary = summariseApplied(notes, plan.scheduled, plan.expected);
    expect(checkPassed(summary.check)).toBe(true);
    expect([...summary.latencies].sort((a, b) => a - b)).toEqual([5, 5, 5, 200]);
    expect(summary.p50).toBe(5);
    expect(summary.max).toBe(200);
    expect(summary.lastAppliedAt).toBe(1_030 + 200);
  });

  it('fails a convoy whose events were applied out of order, twice, or not at all', () => {
    const plan = topologyPlan('t', 2, 1, 100, 0);
    const note = (n: number, appliedAt: number): AppliedNote => ({ convoyId: 't-0', n, appliedAt });
    const check = (notes: AppliedNote[]) => summariseApplied(notes, plan.scheduled, plan.expected).check;
    expect(check([note(2, 5), note(1, 6)]).outOfOrder).toBe(1);
    expect(check([note(1, 5), note(1, 6), note(2, 7)]).duplicated).toBe(1);
    expect(check([note(1, 5)]).lost).toBe(1);
  });

  it('renders ratios against the baseline row the column names for each row', () => {
    const rep = (value: number) => ({
      value,
      passed: true,
      check: { applied: 1, lost: 0, duplicated: 0, outOfOrder: 0, problems: [] },
      metrics: {},
    });
    const result: ScenarioResult = {
      id: 'topology',
      title: 'T',
      unit: 'p99 ms',
      higherIsBetter: false,
      baselines: [],
      ratioColumns: [
        { label: 'B', baselineOf: (row) => (row.endsWith('A') ? row.replace(/A$/, 'B') : undefined) },
      ],
      columns: {},
      notes: [],
      rows: [
        { contender: '100 A', ordered: true, reps: [rep(30)] },
        { contender: '100 B', ordered: true, reps: [rep(10)] },
        { contender: '500 A', ordered: true, reps: [rep(40)] },
        { contender: '500 B', ordered: true, reps: [rep(80)] },
      ],
    };
    const lines = renderScenario(result).split('\n');
    expect(lines.find((line) => line.startsWith('| 100 A'))).toContain('| 3.00× |');
    expect(lines.find((line) => line.startsWith('| 500 A'))).toContain('| 0.50× |');
    expect(lines.find((line) => line.startsWith('| 500 B'))).toContain('| – |');
  });
});

describe('sweptCapacity', () => {
  const run = (applied: number, p50: number, passed = true) => ({
    value: 10,
    check: { applied: 0, lost: 0, duplicated: 0, outOfOrder: 0, problems: [] },
    passed,
    metrics: { applied, p50 },
  });

  it('is the highest rate kept up with: passed, applied ≥ 0.97 × offered and p50 < 10 ms', () => {
    const rates = [100, 500, 1000, 1500];
    // The highest rate that kept up counts, wherever it is in the sweep; a p50 ≥ 10 ms or a failed run does not.
    expect(sweptCapacity(rates, [run(100, 2), run(499, 3), run(900, 40), run(1490, 8)])).toBe(1500);
    expect(sweptCapacity(rates, [run(100, 2), run(499, 3), run(990, 12), run(1490, 8, false)])).toBe(500);
    expect(sweptCapacity(rates, [run(90, 2), run(400, 3)])).toBeNaN();
  });
});
