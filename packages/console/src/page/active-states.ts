/**
 * Which state nodes a convoy is in, as state node ids (the ids the diagram's SVG elements carry).
 */
import type { ConvoyGraph } from '@convoy/core';
import type { StateValue } from 'xstate';

/** Every active path of a state value, parents before children: `{a: {b: 'c'}}` → `a`, `a.b`, `a.b.c`. */
export function activePaths(value: StateValue | null): string[][] {
  if (value === null) return [];
  if (typeof value === 'string') return [[value]];
  const paths: string[][] = [];
  for (const [key, child] of Object.entries(value)) {
    paths.push([key]);
    // A parallel region or compound state with no active child yet is `{}` / undefined in xstate.
    if (child === undefined) continue;
    for (const sub of activePaths(child)) paths.push([key, ...sub]);
  }
  return paths;
}

/**
 * The ids of the state nodes active in `value` (root excluded), resolved through the graph so states with
 * a custom xstate `id` map correctly; a path the graph does not know (the convoy runs on an older version
 * of its definition) falls back to `<root>.<path>`.
 *
 * @example
 * ```ts
 * activeStateIds(graph, { Shipping: 'Packing' }); // ['order.Shipping', 'order.Shipping.Packing']
 * ```
 */
export function activeStateIds(graph: ConvoyGraph, value: StateValue | null): string[] {
  const idByPath = new Map(graph.nodes.map((node) => [node.path.join('.'), node.id]));
  return activePaths(value).map((path) => {
    const joined = path.join('.');
    return idByPath.get(joined) ?? `${graph.root}.${joined}`;
  });
}
