import { describe, expect, it } from 'vitest';
import { and, createMachine, fromPromise, not, setup } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { defineConvoy } from '../definition.ts';
import { describeDefinition, summarizeDefinition } from './description.ts';
import { toGraph } from './graph.ts';
import { toMermaid } from './mermaid.ts';
import { toStatelyCode } from './stately.ts';
import { allNodes, formatDelay, guardName } from './walk.ts';

/** Nesting, a parallel state with two regions, finals, `after` (numeric and named), always, onDone, wildcard. */
const shopMachine = setup({
  guards: { ok: () => true, other: () => true },
  actions: { notify: () => {}, log: () => {} },
  delays: { long: 3000 },
  actors: { fetcher: fromPromise(async () => 1) },
}).createMachine({
  id: 'shop',
  initial: 'idle',
  states: {
    idle: {
      on: {
        Start: { target: 'working', guard: 'ok', actions: ['notify', 'log'] },
        Touch: { actions: 'log' },
      },
    },
    working: {
      type: 'parallel',
      after: { 30000: '#shop.timeout', long: 'idle' },
      onDone: 'done',
      states: {
        a: { initial: 'a1', states: { a1: { on: { Next: 'a2' } }, a2: { type: 'final' } } },
        b: {
          initial: 'b1',
          states: {
            b1: { always: { target: 'b2', guard: not('ok') } },
            b2: { tags: ['busy'], on: { '*': 'b1' } },
            b3: { type: 'final' },
          },
        },
      },
    },
    timeout: {
      id: 'timedOut',
      entry: 'notify',
      invoke: {
        id: 'load',
        src: 'fetcher',
        onDone: 'done',
        onError: { target: 'idle', guard: and(['ok', 'other']) },
      },
      on: { Retry: { target: 'working.a.a2' } },
    },
    done: { type: 'final', description: 'All finished' },
  },
});
const shop = defineConvoy({ type: 'shop', machine: shopMachine, description: 'A shop' });

/** Evaluates the code `toStatelyCode` produces, the way the Stately editor reads it. */
function evaluateStately(code: string): AnyStateMachine {
  const start = code.indexOf('createMachine(') + 'createMachine('.length;
  const end = code.lastIndexOf(');');
  const literal = code.slice(start, end);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const config = new Function(`return (${literal});`)() as Parameters<typeof createMachine>[0];
  return createMachine(config);
}

describe('toMermaid', () => {
  const text = toMermaid(shop);
  const lines = text.split('\n').map((line) => line.trim());

  it('starts a stateDiagram-v2 with the root initial state', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('[*] --> shop_idle');
  });

  it('labels transitions with the event and [guard]', () => {
    expect(lines).toContain('shop_idle --> shop_working : Start [ok]');
    expect(lines).toContain('shop_working_a_a1 --> shop_working_a_a2 : Next');
    expect(lines).toContain('shop_working_b_b2 --> shop_working_b_b1 : *');
    expect(lines).toContain('shop_working_b_b1 --> shop_working_b_b2 : always [not(ok)]');
    expect(lines).toContain('timedOut --> shop_idle : error: load [and(ok, other)]');
  });

  it('draws a targetless transition as a self-loop', () => {
    expect(lines).toContain('shop_idle --> shop_idle : Touch');
  });

  it('labels after delays in human units, named delays by name', () => {
    expect(lines).toContain('shop_working --> timedOut : after 30s');
    expect(lines).toContain('shop_working --> shop_idle : after long');
  });

  it('nests compound states, separates parallel regions with --, and marks finals', () => {
    const open = lines.indexOf('state shop_working {');
    const separator = lines.indexOf('--');
    const regionA = lines.indexOf('state shop_working_a {');
    const regionB = lines.indexOf('state shop_working_b {');
    expect(open).toBeGreaterThan(0);
    expect(regionA).toBeGreaterThan(open);
    expect(separator).toBeGreaterThan(regionA);
    expect(regionB).toBeGreaterThan(separator);
    expect(lines).toContain('[*] --> shop_working_a_a1');
    expect(lines).toContain('shop_working_a_a2 --> [*]');
    expect(lines).toContain('shop_done --> [*]');
  });

  it('writes an edge between nested states after both are declared', () => {
    const edge = lines.indexOf('timedOut --> shop_working_a_a2 : Retry');
    expect(edge).toBeGreaterThan(lines.indexOf('state "a2" as shop_working_a_a2'));
  });

  it('accepts a bare machine too', () => {
    expect(toMermaid(shopMachine)).toBe(text);
  });
});

describe('toStatelyCode', () => {
  const code = toStatelyCode(shop);
  const rebuilt = evaluateStately(code);

  it('is a createMachine module', () => {
    expect(code.startsWith("import { createMachine } from 'xstate';")).toBe(true);
    expect(code).toContain('export const machine = createMachine({');
  });

  it('evaluates to a machine with the same state ids', () => {
    expect(allNodes(rebuilt).map((node) => [node.id, node.type])).toEqual(
      allNodes(shopMachine).map((node) => [node.id, node.type]),
    );
  });

  it('evaluates to a machine with the same events, guards and targets', () => {
    expect([...rebuilt.events].sort()).toEqual([...shopMachine.events].sort());
    expect(toGraph(rebuilt).edges).toEqual(toGraph(shopMachine).edges);
  });

  it('keeps named actions, tags, descriptions, custom ids and invokes', () => {
    expect(code).toContain("actions: [\n            'notify',\n            'log',\n          ]");
    expect(code).toContain("id: 'timedOut'");
    expect(code).toContain("description: 'All finished'");
    expect(rebuilt.root.states['timeout']!.invoke.map((i) => [i.id, i.src])).toEqual([['load', 'fetcher']]);
    expect(rebuilt.root.states['working']!.states['b']!.states['b2']!.tags).toEqual(['busy']);
  });

  it('round-trips the order convoy machine with inline actions dropped', () => {
    const machine = setup({ actions: { named: () => {} } }).createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { on: { Go: { target: 'b', actions: ['named', () => {}] } } }, b: {} },
    });
    const stately = toStatelyCode(machine);
    expect(stately).toContain("actions: 'named'");
    expect(evaluateStately(stately).events).toEqual(['Go']);
  });
});

describe('toGraph', () => {
  const graph = toGraph(shop);

  it('lists every node with its kind, initial child and tags', () => {
    expect(graph.root).toBe('shop');
    expect(graph.nodes.find((n) => n.id === 'shop')).toEqual({
      id: 'shop',
      path: [],
      kind: 'compound',
      initial: 'idle',
      tags: [],
    });
    expect(graph.nodes.find((n) => n.id === 'shop.working')?.kind).toBe('parallel');
    expect(graph.nodes.find((n) => n.id === 'shop.working.b.b2')).toMatchObject({
      kind: 'atomic',
      tags: ['busy'],
    });
    expect(graph.nodes.find((n) => n.id === 'shop.done')?.kind).toBe('final');
  });

  it('lists one edge per transition with event, label and guard', () => {
    expect(graph.edges).toContainEqual({
      source: 'shop.idle',
      target: 'shop.working',
      label: 'Start [ok]',
      event: 'Start',
      guard: 'ok',
    });
    expect(graph.edges).toContainEqual({
      source: 'shop.working',
      target: 'timedOut',
      label: 'after 30s',
      event: 'xstate.after.30000.shop.working',
    });
    expect(graph.edges).toContainEqual({
      source: 'shop.working',
      target: 'shop.done',
      label: 'done',
      event: 'xstate.done.state.shop.working',
    });
    expect(graph.edges).toContainEqual({
      source: 'timedOut',
      target: 'shop.done',
      label: 'done: load',
      event: 'xstate.done.actor.load',
    });
  });

  it('is JSON-safe', () => {
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
  });
});

describe('describeDefinition / summarizeDefinition', () => {
  it('summarizes type, versions (sorted, including its own) and events', () => {
    expect(summarizeDefinition(shop, [3, 2])).toEqual({
      type: 'shop',
      version: 1,
      versions: [1, 2, 3],
      description: 'A shop',
      events: shop.eventTypes,
    });
    expect(shop.eventTypes).toEqual(expect.arrayContaining(['Start', 'Touch', 'Next', 'Retry']));
  });

  it('describes states, diagrams, graph and machine JSON', () => {
    const description = describeDefinition(shop, [1]);
    expect(description.states).toEqual([
      'idle',
      'working',
      'working.a',
      'working.a.a1',
      'working.a.a2',
      'working.b',
      'working.b.b1',
      'working.b.b2',
      'working.b.b3',
      'timeout',
      'done',
    ]);
    expect(description.mermaid).toBe(toMermaid(shop));
    expect(description.stately).toBe(toStatelyCode(shop));
    expect(description.graph).toEqual(toGraph(shop));
    expect(description.machine).toMatchObject({ id: 'shop', type: 'compound' });
    expect(JSON.parse(JSON.stringify(description))).toEqual(description);
  });
});

describe('labels', () => {
  it('formats delays', () => {
    expect([500, 1000, 90_000, 120_000, 7_200_000, 0].map(formatDelay)).toEqual([
      '500ms',
      '1s',
      '90s',
      '2m',
      '2h',
      '0ms',
    ]);
    expect(formatDelay('long')).toBe('long');
  });

  it('names guards', () => {
    expect(guardName('ok')).toBe('ok');
    expect(guardName({ type: 'ok', params: { x: 1 } })).toBe('ok');
    expect(guardName(not('ok'))).toBe('not(ok)');
    expect(guardName(() => true)).toBe('inline');
    expect(guardName(undefined)).toBeUndefined();
  });
});
