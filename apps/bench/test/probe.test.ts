import { describe, expect, it } from 'vitest';
import { startAllocationMeter } from '../src/alloc-meter.ts';
import { convoyMemory } from '../src/contenders/convoy-memory.ts';
import { groupmqNoop } from '../src/contenders/groupmq-noop.ts';
import { capacityResult, nextRate, type ProbeStep } from '../src/scenarios/steady.ts';
import { renderScenario } from '../src/table.ts';

const shape = {
  startRate: 1000,
  stepSeconds: 1,
  warmupSeconds: 0,
  concurrency: 50,
  resolution: 1.08,
  budgetSeconds: 10,
};

const clean = { applied: 0, lost: 0, duplicated: 0, outOfOrder: 0, problems: [] };
const step = (rate: number, keptUp: boolean): ProbeStep => ({
  rate,
  applied: keptUp ? rate : rate / 2,
  p50: keptUp ? 2 : 50,
  keptUp,
  stuck: false,
  check: clean,
});

describe('the capacity probe', () => {
  it('ramps by 1.5× while kept up, then bisects until the bounds are within the resolution', () => {
    // Kept up to 3,000/s: 1000, 1500, 2250 ok; 3400 behind; then bisection between 2250 and 3400.
    const capacity = 3000;
    const rates: number[] = [];
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let rate: number | null = shape.startRate;
    while (rate !== null && rates.length < 20) {
      rates.push(rate);
      if (rate <= capacity) lo = Math.max(lo, rate);
      else hi = Math.min(hi, rate);
      rate = nextRate(shape, lo, hi, rate);
    }
    expect(rates.slice(0, 4)).toEqual([1000, 1500, 2250, 3400]);
    expect(hi / lo).toBeLessThanOrEqual(shape.resolution);
    expect(lo).toBeLessThanOrEqual(capacity);
    expect(rates.length).toBeLessThan(10);
  });

  it('halves down from the start rate when even that is too much, and gives up at 100/s', () => {
    expect(nextRate(shape, 0, 1000, 1000)).toBe(500);
    expect(nextRate(shape, 0, 100, 100)).toBeNull();
  });

  it('reports capacities with ratios to both baselines, and fails a contender that kept up with nothing', () => {
    const result = capacityResult(
      [
        {
          contender: groupmqNoop,
          capacity: 2000,
          steps: [step(1000, true), step(2000, true), step(3000, false)],
        },
        { contender: convoyMemory, capacity: 0, steps: [step(1000, false)] },
      ],
      shape,
      [groupmqNoop.name],
    );
    const table = renderScenario(result);
    expect(table).toContain('| groupmq no-op (FIFO) | 2,000 [2,000–2,000] | 1.00×');
    expect(table).toContain('kept up with no probed rate');
  });
});

describe('the allocation meter', () => {
  it('counts heap bytes allocated, including objects that die young', () => {
    const meter = startAllocationMeter();
    let sum = 0;
    // 20,000 arrays of 100 numbers: about 17 MB, nearly all garbage right away.
    for (let i = 0; i < 20_000; i += 1) sum += new Array<number>(100).fill(i).length;
    const bytes = meter.stop();
    expect(sum).toBe(2_000_000);
    expect(bytes).toBeGreaterThan(15_000_000);
    expect(bytes).toBeLessThan(40_000_000);
  });
});
