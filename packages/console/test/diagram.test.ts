import { describeDefinition, toDot } from '@convoy/core';
import type { ConvoyGraph } from '@convoy/core';
import { renderSvg } from '@convoy/http';
import { describe, expect, it } from 'vitest';
import { activeStateIds } from '../src/page/active-states.ts';
import { order, review } from './support/shop.ts';

const graphOf = (definition: typeof order | typeof review): ConvoyGraph =>
  describeDefinition(definition).graph;

/** The `id` attributes of the SVG's node and cluster groups. */
function svgStateIds(svg: string): string[] {
  return [...svg.matchAll(/<g id="([^"]+)" class="(?:node|cluster)[^"]*"/g)].map((m) => m[1] ?? '');
}

describe('toDot', () => {
  it('gives every state but the root a Graphviz id equal to its state node id', async () => {
    const graph = graphOf(order);
    const svg = await renderSvg(toDot(graph));
    const stateIds = graph.nodes.filter((n) => n.id !== graph.root).map((n) => n.id);
    expect(
      svgStateIds(svg)
        .filter((id) => !id.startsWith('node'))
        .sort(),
    ).toEqual([...stateIds].sort());
  });

  it('draws compound and parallel states as clusters and atomic/final states as nodes', async () => {
    const svg = await renderSvg(toDot(graphOf(review)));
    expect(svg).toMatch(/<g id="review\.Reviewing" class="cluster state parallel"/);
    expect(svg).toMatch(/<g id="review\.Reviewing\.Legal" class="cluster state compound"/);
    expect(svg).toMatch(/<g id="review\.Reviewing\.Legal\.Pending" class="node state atomic"/);
    expect(svg).toMatch(/<g id="review\.Closed" class="node state final"/);
  });

  it('draws one edge per transition, labelled with its event', async () => {
    const graph = graphOf(order);
    const svg = await renderSvg(toDot(graph));
    const edges = [...svg.matchAll(/<g id="transition_\d+" class="edge transition/g)];
    expect(edges).toHaveLength(graph.edges.length);
    for (const label of ['PaymentReceived', 'Packed', 'ConfirmDelivery', 'Refund'])
      expect(svg).toContain(`>${label}<`);
  });

  it('escapes quotes, backslashes and newlines so a state name cannot break the DOT source', () => {
    const graph: ConvoyGraph = {
      root: 'm',
      nodes: [
        { id: 'm', path: [], kind: 'compound', initial: 'x"]; evil [', tags: [] },
        { id: 'm.x"]; evil [', path: ['x"]; evil ['], kind: 'atomic', tags: ['a\\b\nc'] },
      ],
      edges: [],
    };
    const dot = toDot(graph);
    expect(dot).toContain('"m.x\\"]; evil ["');
    // The tag line: the backslash doubled, the newline written as \n, so the label stays one DOT string.
    expect(dot).toContain('#a\\\\b\\nc"');
    return expect(renderSvg(dot)).resolves.toContain('id="m.x&quot;]; evil ["');
  });
});

describe('activeStateIds', () => {
  it('lists a nested state and its parent', () => {
    expect(activeStateIds(graphOf(order), { Shipping: 'Packing' })).toEqual([
      'order.Shipping',
      'order.Shipping.Packing',
    ]);
    expect(activeStateIds(graphOf(order), 'AwaitingPayment')).toEqual(['order.AwaitingPayment']);
  });

  it('lists every region of a parallel state', () => {
    const ids = activeStateIds(graphOf(review), { Reviewing: { Legal: 'Approved', Finance: 'Pending' } });
    expect(ids).toEqual([
      'review.Reviewing',
      'review.Reviewing.Legal',
      'review.Reviewing.Legal.Approved',
      'review.Reviewing.Finance',
      'review.Reviewing.Finance.Pending',
    ]);
  });

  it('is empty for a convoy not processed yet', () => {
    expect(activeStateIds(graphOf(order), null)).toEqual([]);
  });
});
