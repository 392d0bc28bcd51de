/**
 * Issue 12, item 5: invokes without an explicit id. `defineConvoy` warns once (the generated id is
 * persisted with convoys in flight), and every export labels an invoke's result transitions with the
 * invoke's id or its src name, never xstate's generated path (`0.loan.CreditCheck`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromPromise, setup } from 'xstate';
import { defineConvoy, invokeWithoutIdWarning } from '../definition.ts';
import { describeDefinition } from './description.ts';
import { toDot } from './dot.ts';
import { toGraph } from './graph.ts';
import { toMermaid } from './mermaid.ts';
import { toStatelyCode } from './stately.ts';

function loanMachine(id: string) {
  return setup({
    actors: { CreditCheck: fromPromise(async () => 'ok'), Notify: fromPromise(async () => undefined) },
  }).createMachine({
    id,
    initial: 'checking',
    states: {
      checking: {
        invoke: [
          { src: 'CreditCheck', onDone: 'approved', onError: 'declined' },
          { id: 'notify', src: 'Notify' },
          { src: fromPromise(async () => 1), onDone: 'approved' },
        ],
      },
      approved: { type: 'final' },
      declined: { type: 'final' },
    },
  });
}

let emitted: Array<{ message: string; code: unknown }>;
beforeEach(() => {
  emitted = [];
  vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error, options?: unknown) => {
    emitted.push({ message: String(warning), code: (options as { code?: unknown } | undefined)?.code });
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('an invoke without an id', () => {
  it('defineConvoy warns once per invoke, with a code, naming the generated id and the fix', () => {
    defineConvoy({ type: 'loanWarned', machine: loanMachine('loan') });
    defineConvoy({ type: 'loanWarned', machine: loanMachine('loan') }); // defined again: no new warning
    expect(emitted.map((warning) => warning.code)).toEqual([invokeWithoutIdWarning, invokeWithoutIdWarning]);
    expect(emitted[0]?.message).toContain('invoke "CreditCheck" in state "loan.checking" has no id');
    expect(emitted[0]?.message).toContain('"0.loan.checking"');
    expect(emitted[0]?.message).toContain("invoke: { id: 'CreditCheck'");
    expect(emitted[1]?.message).toContain('an inline invoke in state "loan.checking" has no id');
  });

  it('an invoke with an id draws no warning', () => {
    const machine = setup({ actors: { Work: fromPromise(async () => 1) } }).createMachine({
      id: 'quiet',
      initial: 'a',
      states: { a: { invoke: { id: 'work', src: 'Work', onDone: 'b' } }, b: { type: 'final' } },
    });
    defineConvoy({ type: 'quiet', machine });
    expect(emitted).toEqual([]);
  });

  it('exports label its transitions with the src name, never the generated path', () => {
    const loan = defineConvoy({ type: 'loanLabels', machine: loanMachine('loan') });
    // (The JSON graph keeps each edge's xstate `event` type as data; only its labels are for people.)
    const texts = [toMermaid(loan), toDot(toGraph(loan)), toStatelyCode(loan)];
    for (const text of texts) {
      expect(text).not.toContain('0.loan.checking');
      expect(text).not.toContain('2.loan.checking');
    }
    expect(toMermaid(loan)).toContain('loan_checking --> loan_approved : done: CreditCheck');
    expect(toMermaid(loan)).toContain('loan_checking --> loan_declined : error: CreditCheck');
    expect(toMermaid(loan)).toContain('loan_checking --> loan_approved : done: inline invoke');
    expect(toDot(toGraph(loan))).toContain('label="done: CreditCheck"');
    expect(toGraph(loan).edges.map((edge) => edge.label)).toEqual(
      expect.arrayContaining(['done: CreditCheck', 'error: CreditCheck', 'done: inline invoke']),
    );
    // The description (what the console draws from) carries the same labels.
    expect(JSON.stringify(describeDefinition(loan, [1]))).toContain('done: CreditCheck');
    // Stately code keeps explicit ids only; the rest get their src (the editor generates ids).
    const stately = toStatelyCode(loan);
    expect(stately).toContain("id: 'notify'");
    expect(stately).toContain("src: 'CreditCheck'");
  });
});
