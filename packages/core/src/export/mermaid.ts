/**
 * A machine as a Mermaid `stateDiagram-v2`: nested compound states as composite blocks, parallel regions
 * separated by `--`, `[*] -->` for initial states, `--> [*]` for final ones, transitions labeled with
 * their event and `[guard]`, `after` delays as `after 30s`.
 */
import type { AnyStateNode } from 'xstate';
import { allNodes, initialChild, machineOf, transitionLabel, transitionsOf } from './walk.ts';
import type { MachineSource, WalkedTransition } from './walk.ts';

/** Unique Mermaid identifiers per node: Mermaid ids cannot contain dots, so paths are joined with `_`. */
function mermaidIds(nodes: readonly AnyStateNode[]): Map<AnyStateNode, string> {
  const ids = new Map<AnyStateNode, string>();
  const used = new Set<string>();
  for (const node of nodes) {
    const base = node.id.replace(/[^A-Za-z0-9_]/g, '_');
    let id = base;
    for (let n = 2; used.has(id); n += 1) id = `${base}_${n}`;
    used.add(id);
    ids.set(node, id);
  }
  return ids;
}

function ancestors(node: AnyStateNode): AnyStateNode[] {
  const chain: AnyStateNode[] = [];
  for (let current = node.parent; current !== undefined; current = current.parent) chain.push(current);
  return chain;
}

/**
 * The block an edge is written in: the deepest node having both ends strictly inside it. Mermaid would
 * otherwise create a stray state for an end it has not seen in that block. A parallel node's block is
 * split into regions, so its edges go one level up.
 */
function edgeBlock(source: AnyStateNode, target: AnyStateNode): AnyStateNode | undefined {
  const targetAncestors = new Set(ancestors(target));
  let block = ancestors(source).find((node) => targetAncestors.has(node));
  while (block?.type === 'parallel' && block.parent !== undefined) block = block.parent;
  return block;
}

function clean(label: string): string {
  return label.replace(/[\r\n;]+/g, ' ');
}

/**
 * Render a Mermaid `stateDiagram-v2` of a convoy's machine (for docs, the console and `GET /convoy-types/:type`).
 *
 * @example
 * ```ts
 * toMermaid(orderConvoy);
 * // stateDiagram-v2
 * //   [*] --> order_AwaitingPayment
 * //   order_AwaitingPayment --> order_Paid : PaymentReceived [enoughPaid]
 * ```
 */
export function toMermaid(source: MachineSource): string {
  const machine = machineOf(source);
  const nodes = allNodes(machine);
  const ids = mermaidIds(nodes);
  const idOf = (node: AnyStateNode): string => ids.get(node) ?? node.id;
  const edgesByBlock = new Map<AnyStateNode | undefined, Array<[WalkedTransition, AnyStateNode]>>();
  for (const node of nodes) {
    for (const transition of transitionsOf(node)) {
      const targets = transition.targets.length > 0 ? transition.targets : [node];
      for (const target of targets) {
        const block = edgeBlock(node, target);
        edgesByBlock.set(block, [...(edgesByBlock.get(block) ?? []), [transition, target]]);
      }
    }
  }
  const lines: string[] = ['stateDiagram-v2'];
  const pad = (depth: number): string => '  '.repeat(depth);

  const declare = (node: AnyStateNode, depth: number): void => {
    const id = idOf(node);
    const label = node.type === 'history' ? (node.history === 'deep' ? 'H*' : 'H') : node.key;
    lines.push(`${pad(depth)}state "${clean(label).replace(/"/g, "'")}" as ${id}`);
    if (Object.keys(node.states).length === 0) return;
    lines.push(`${pad(depth)}state ${id} {`);
    body(node, depth + 1);
    lines.push(`${pad(depth)}}`);
  };

  const body = (node: AnyStateNode, depth: number): void => {
    const children = Object.values(node.states);
    if (node.type === 'parallel') {
      children.forEach((child, index) => {
        if (index > 0) lines.push(`${pad(depth)}--`);
        declare(child, depth);
      });
      return;
    }
    const initial = initialChild(node);
    if (initial !== undefined) lines.push(`${pad(depth)}[*] --> ${idOf(initial)}`);
    for (const child of children) declare(child, depth);
    for (const child of children)
      if (child.type === 'final') lines.push(`${pad(depth)}${idOf(child)} --> [*]`);
    for (const [transition, target] of edgesByBlock.get(node) ?? []) {
      const line = `${pad(depth)}${idOf(transition.source)} --> ${idOf(target)} : ${clean(transitionLabel(transition))}`;
      lines.push(line);
    }
  };

  const root = machine.root;
  if (root.type === 'parallel') declare(root, 1);
  else body(root, 1);
  // Edges with no common ancestor block (to or from the root itself) go at the top level.
  for (const [transition, target] of edgesByBlock.get(undefined) ?? []) {
    lines.push(`  ${idOf(transition.source)} --> ${idOf(target)} : ${clean(transitionLabel(transition))}`);
  }
  return `${lines.join('\n')}\n`;
}
