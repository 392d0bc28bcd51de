/**
 * Graphviz DOT from a convoy's JSON graph (`describeType(type).graph`). Every state node keeps its xstate
 * id as the Graphviz `id`, so the rendered SVG's `<g id>` elements can be matched to a convoy's active
 * state ids: atomic and final states are nodes, compound and parallel states are clusters.
 */
import type { ConvoyGraph, ConvoyGraphEdge, ConvoyGraphNode } from '../describe.ts';

/** Options of {@link toDot}. */
export interface DotOptions {
  /**
   * Layout direction.
   * @defaultValue `'LR'`
   */
  readonly rankdir?: 'LR' | 'TB';
}

/** A DOT quoted string (backslashes and quotes escaped, newlines kept as `\n`). */
export function dotString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** The Graphviz name of the point a compound/parallel state's edges attach to (clusters take no edges). */
export function anchorName(node: ConvoyGraphNode): string {
  return `${node.id}#anchor`;
}

const isCluster = (node: ConvoyGraphNode): boolean => node.kind === 'compound' || node.kind === 'parallel';

function attributes(entries: Record<string, string | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(entries)) {
    if (value !== undefined) parts.push(`${name}=${dotString(value)}`);
  }
  return `[${parts.join(', ')}]`;
}

/** Children of every node, keyed by parent id, in declaration order. */
function childrenByParent(graph: ConvoyGraph): Map<string, ConvoyGraphNode[]> {
  const byPath = new Map<string, ConvoyGraphNode>();
  for (const node of graph.nodes) byPath.set(node.path.join('.'), node);
  const children = new Map<string, ConvoyGraphNode[]>();
  for (const node of graph.nodes) {
    if (node.path.length === 0) continue;
    const parent = byPath.get(node.path.slice(0, -1).join('.'));
    if (parent === undefined) continue;
    const list = children.get(parent.id) ?? [];
    list.push(node);
    children.set(parent.id, list);
  }
  return children;
}

function stateLabel(node: ConvoyGraphNode): string {
  const name = node.path.at(-1) ?? node.id;
  return node.tags.length === 0 ? name : `${name}\n#${node.tags.join(' #')}`;
}

function nodeLine(node: ConvoyGraphNode, indent: string): string {
  if (node.kind === 'history') {
    return `${indent}${dotString(node.id)} ${attributes({ id: node.id, label: 'H', shape: 'circle', width: '0.3' })};`;
  }
  return `${indent}${dotString(node.id)} ${attributes({
    id: node.id,
    label: stateLabel(node),
    class: `state ${node.kind}`,
    peripheries: node.kind === 'final' ? '2' : undefined,
  })};`;
}

/**
 * A compound or parallel state as a cluster holding its anchor and its children. A compound state's
 * anchor is the UML initial dot with an arrow to its initial child; a parallel state's anchor is invisible
 * (every region starts at once).
 */
function clusterLines(
  node: ConvoyGraphNode,
  children: Map<string, ConvoyGraphNode[]>,
  indent: string,
  lines: string[],
  region: boolean,
): void {
  const inner = `${indent}  `;
  lines.push(`${indent}subgraph ${dotString(`cluster_${node.id}`)} {`);
  lines.push(`${inner}id=${dotString(node.id)}; class=${dotString(`state ${node.kind}`)};`);
  lines.push(
    `${inner}label=${dotString(node.kind === 'parallel' ? `${stateLabel(node)} ∥` : stateLabel(node))};`,
  );
  // A parallel state's regions are drawn dashed, as in UML.
  lines.push(
    `${inner}style=${dotString(region ? 'rounded,dashed,filled' : 'rounded,filled')}; fillcolor="#f8fafc";`,
  );
  contentLines(node, children, inner, lines);
  lines.push(`${indent}}`);
}

/** The anchor, initial arrow and children of a cluster (or of the root, at top level). */
function contentLines(
  node: ConvoyGraphNode,
  children: Map<string, ConvoyGraphNode[]>,
  indent: string,
  lines: string[],
): void {
  const kids = children.get(node.id) ?? [];
  const anchor = anchorName(node);
  if (node.kind === 'parallel') {
    lines.push(`${indent}${dotString(anchor)} [shape=point, style=invis, width=0.01];`);
  } else {
    lines.push(
      `${indent}${dotString(anchor)} [shape=point, width=0.12, fillcolor="#334155", color="#334155", class="initial"];`,
    );
    const initial = kids.find((child) => child.path.at(-1) === node.initial);
    if (initial !== undefined) {
      lines.push(
        `${indent}${dotString(anchor)} -> ${dotString(entryName(initial))} ${entryAttributes(initial)};`,
      );
    }
  }
  for (const child of kids) {
    if (isCluster(child)) clusterLines(child, children, indent, lines, node.kind === 'parallel');
    else lines.push(nodeLine(child, indent));
  }
}

/** The Graphviz node an edge to/from this state attaches to. */
function entryName(node: ConvoyGraphNode): string {
  return isCluster(node) ? anchorName(node) : node.id;
}

function entryAttributes(target: ConvoyGraphNode): string {
  return isCluster(target) ? `[lhead=${dotString(`cluster_${target.id}`)}]` : '[]';
}

function edgeLine(
  edge: ConvoyGraphEdge,
  index: number,
  nodes: Map<string, ConvoyGraphNode>,
): string | undefined {
  const source = nodes.get(edge.source);
  const target = nodes.get(edge.target);
  if (source === undefined || target === undefined) return undefined;
  const selfLoop = source.id === target.id;
  // lhead/ltail clip the arrow at the cluster border; Graphviz refuses them when one end is inside the
  // other's cluster (a transition to an ancestor), so they are only set between disjoint states.
  const inside = (a: ConvoyGraphNode, b: ConvoyGraphNode): boolean =>
    a.path.length >= b.path.length && b.path.every((key, i) => a.path[i] === key);
  const related = inside(source, target) || inside(target, source);
  const attrs: Record<string, string | undefined> = {
    id: `transition_${index}`,
    class: `transition event_${(edge.event === '' ? 'always' : edge.event).replace(/[^A-Za-z0-9_-]/g, '_')}`,
    label: edge.label,
    ltail: isCluster(source) && !selfLoop && !related ? `cluster_${source.id}` : undefined,
    lhead: isCluster(target) && !selfLoop && !related ? `cluster_${target.id}` : undefined,
  };
  return `  ${dotString(entryName(source))} -> ${dotString(entryName(target))} ${attributes(attrs)};`;
}

/**
 * Render a convoy graph as a Graphviz `digraph`. The root state is not drawn (its id is the machine id);
 * its children sit at top level, compound and parallel states become `cluster_<id>` subgraphs, and every
 * node and cluster carries `id=<state node id>`.
 *
 * @example
 * ```ts
 * const dot = toDot(gateway.describeType('order').graph);
 * // digraph convoy { ... "order.Shipping.Packing" [id="order.Shipping.Packing", label="Packing", ...]; ... }
 * ```
 */
export function toDot(graph: ConvoyGraph, options: DotOptions = {}): string {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  const root = nodes.get(graph.root);
  if (root === undefined) throw new TypeError(`toDot: the graph has no root node "${graph.root}"`);
  const children = childrenByParent(graph);
  const lines: string[] = [
    `digraph ${dotString(graph.root)} {`,
    `  graph [rankdir=${options.rankdir ?? 'LR'}, compound=true, fontname="Helvetica,Arial,sans-serif", fontsize=12, nodesep=0.35, ranksep=0.45, pad=0.2, bgcolor="transparent", style=rounded, color="#94a3b8", fontcolor="#334155"];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#64748b", fontname="Helvetica,Arial,sans-serif", fontsize=12, fontcolor="#0f172a", height=0.4, margin="0.18,0.06"];',
    '  edge [color="#94a3b8", fontname="Helvetica,Arial,sans-serif", fontsize=10, fontcolor="#475569", arrowsize=0.7];',
  ];
  if (isCluster(root)) contentLines(root, children, '  ', lines);
  else lines.push(nodeLine(root, '  '));
  graph.edges.forEach((edge, index) => {
    const line = edgeLine(edge, index, nodes);
    if (line !== undefined) lines.push(line);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
