/**
 * A machine as a JSON graph of state nodes and transitions, for the web console and other tools.
 */
import type { ConvoyGraph, ConvoyGraphEdge, ConvoyGraphNode } from '../describe.ts';
import { allNodes, initialChild, machineOf, transitionLabel, transitionsOf } from './walk.ts';
import type { MachineSource } from './walk.ts';

/**
 * Build the {@link ConvoyGraph} of a convoy's machine: every state node (root included) and one edge per
 * transition target. A targetless transition is an edge from the node to itself; an `always` edge has an
 * empty `event`.
 *
 * @example
 * ```ts
 * const { nodes, edges } = toGraph(orderConvoy);
 * edges.find((e) => e.event === 'PaymentReceived'); // { source: 'order.AwaitingPayment', target: 'order.Paid', ... }
 * ```
 */
export function toGraph(source: MachineSource): ConvoyGraph {
  const machine = machineOf(source);
  const nodes: ConvoyGraphNode[] = [];
  const edges: ConvoyGraphEdge[] = [];
  for (const node of allNodes(machine)) {
    const initial = initialChild(node);
    nodes.push({
      id: node.id,
      path: [...node.path],
      kind: node.type,
      ...(initial === undefined ? {} : { initial: initial.key }),
      tags: [...node.tags],
    });
    for (const transition of transitionsOf(node)) {
      const targets = transition.targets.length > 0 ? transition.targets : [node];
      for (const target of targets) {
        edges.push({
          source: node.id,
          target: target.id,
          label: transitionLabel(transition),
          event: transition.eventType,
          ...(transition.guard === undefined ? {} : { guard: transition.guard }),
        });
      }
    }
  }
  return { root: machine.root.id, nodes, edges };
}
