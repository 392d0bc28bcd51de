import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvoyEvent, ConvoyRecord, InboxEvent } from './model.ts';
import type { TurnCommit } from './ports/store.ts';
import { stepConvoy } from './step.ts';
import { client, key, orderConvoy } from '../test/fixtures/order-convoy.ts';

const now = 5_000_000;

const eventArb: fc.Arbitrary<ConvoyEvent> = fc.oneof(
  fc.record({ type: fc.constant('PaymentReceived'), amount: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ type: fc.constant('Note'), text: fc.string({ maxLength: 3 }) }),
  fc.constantFrom<ConvoyEvent>(
    { type: 'ItemsShipped' },
    { type: 'Delivered' },
    { type: 'CancelReminder' },
    { type: 'Remind' },
    { type: 'Explode' },
    { type: 'Corrupt' },
    { type: 'Bogus' },
  ),
);

const policyArb = fc.constantFrom('defer', 'reject', 'deadLetter', 'ignore' as const);

/** Steps `events` split into batches at the given cut points, like a runtime claiming a few at a time. */
function runBatches(definition: ReturnType<typeof orderConvoy>, events: InboxEvent[], cuts: number[]) {
  let record: ConvoyRecord | null = null;
  const commits: TurnCommit[] = [];
  const bounds = [...new Set([0, ...cuts.map((c) => c % (events.length + 1)), events.length])].sort(
    (a, b) => a - b,
  );
  for (let i = 0; i + 1 < bounds.length || commits.length === 0; i += 1) {
    const batch = events.slice(bounds[i] ?? 0, bounds[i + 1] ?? events.length);
    const commit = stepConvoy({ definition, key, record, events: batch, now });
    commits.push(commit);
    record = commit.record;
  }
  return {
    record: record!,
    history: commits.flatMap((c) => c.history),
    deadLetters: commits.flatMap((c) => c.deadLetters),
    effects: commits.flatMap((c) => c.effects),
  };
}

describe('stepConvoy properties', () => {
  it('batching does not change outcomes: one batch or many give the same history, effects and state', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        policyArb,
        (bodies, cuts, unexpected) => {
          const definition = orderConvoy({ unexpected });
          const events = bodies.map((body, index) => client(index + 1, body));
          const whole = runBatches(definition, events, []);
          const split = runBatches(definition, events, cuts);
          expect(split.history).toEqual(whole.history);
          expect(split.deadLetters).toEqual(whole.deadLetters);
          expect(split.effects).toEqual(whole.effects);
          const { revision: _r1, ...wholeRecord } = whole.record;
          const { revision: _r2, ...splitRecord } = split.record;
          expect(splitRecord).toEqual(wholeRecord);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('no event is lost or applied twice: each ends applied, refused with a reason, or still deferred', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 15 }), policyArb, (bodies, unexpected) => {
        const events = bodies.map((body, index) => client(index + 1, body));
        const { record, history, deadLetters } = runBatches(orderConvoy({ unexpected }), events, []);
        const deferredSeqs = new Set(record.deferred.map((d) => d.seq));
        for (const { seq } of events) {
          const entries = history.filter((h) => h.seq === seq);
          expect(entries.length).toBeGreaterThan(0);
          expect(entries.filter((h) => h.outcome === 'applied').length).toBeLessThanOrEqual(1);
          const last = entries[entries.length - 1]!;
          if (last.outcome === 'deferred') expect(deferredSeqs.has(seq)).toBe(true);
          else expect(deferredSeqs.has(seq)).toBe(false);
          if (last.outcome !== 'applied') expect(last.reason).toBeDefined();
        }
        expect(deadLetters.map((d) => d.seq)).toEqual(
          history.filter((h) => h.outcome === 'deadLettered').map((h) => h.seq),
        );
        expect(record.processedSeq).toBe(events.length);
        if (record.status === 'done') expect(record.deferred).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
