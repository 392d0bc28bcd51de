/**
 * One walk of a machine's state-node tree into plain data, shared by every exporter (Mermaid, graph,
 * Stately code) so they agree on what a machine contains.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { ConvoyDefinition } from '../definition.ts';

/** A definition, or a bare machine (for tools that have no definition). */
export type MachineSource = ConvoyDefinition | AnyStateMachine;

/** The machine of a definition or the machine itself. */
export function machineOf(source: MachineSource): AnyStateMachine {
  return 'kind' in source && source.kind === 'convoy-definition'
    ? source.machine
    : (source as AnyStateMachine);
}

/** How a transition is triggered. */
export type TransitionKind = 'event' | 'after' | 'always' | 'done' | 'invokeDone' | 'invokeError';

/** A transition read from the state-node tree. */
export interface WalkedTransition {
  readonly source: AnyStateNode;
  /** Target nodes; empty for a targetless transition (actions only, the state is not left). */
  readonly targets: readonly AnyStateNode[];
  readonly kind: TransitionKind;
  /** The xstate event type (`Start`, `*`, `xstate.after.1000.m.a`, `` for `always`). */
  readonly eventType: string;
  /** The `after` delay: milliseconds, or the name of a delay from `setup({ delays })`. */
  readonly delay?: number | string;
  /** The invoke id, for `invokeDone` / `invokeError`. */
  readonly invokeId?: string;
  readonly guard?: string;
  /** Names of named actions (inline and built-in actions have no name to show). */
  readonly actions: readonly string[];
  readonly reenter: boolean;
}

type GuardLike = string | { readonly type?: unknown } | ((...args: never[]) => unknown) | undefined;

/**
 * A readable name for a guard: its name, `not(a)` / `and(a, b)` / `or(a, b)` for higher-order guards,
 * `inline` for an anonymous function (it cannot be named in an export).
 */
export function guardName(guard: unknown): string | undefined {
  const g = guard as GuardLike;
  if (g === undefined || g === null) return undefined;
  if (typeof g === 'string') return g;
  if (typeof g === 'function') {
    const nested = (g as { guards?: unknown }).guards;
    if (Array.isArray(nested) && ['and', 'or', 'not'].includes(g.name)) {
      return `${g.name}(${nested.map((item) => guardName(item) ?? 'inline').join(', ')})`;
    }
    return 'inline';
  }
  return typeof g.type === 'string' ? g.type : 'inline';
}

/** Names of named actions (`'notify'`, `{ type: 'notify', params }`); functions are skipped. */
export function actionNames(actions: readonly unknown[]): string[] {
  const names: string[] = [];
  for (const action of actions) {
    if (typeof action === 'string') names.push(action);
    else if (typeof action === 'object' && action !== null) {
      const type = (action as { type?: unknown }).type;
      if (typeof type === 'string') names.push(type);
    }
  }
  return names;
}

interface RawTransition {
  readonly target?: readonly AnyStateNode[] | undefined;
  readonly guard?: unknown;
  readonly actions: readonly unknown[];
  readonly reenter?: boolean;
}

function walkTransition(
  source: AnyStateNode,
  raw: RawTransition,
  kind: TransitionKind,
  eventType: string,
  extra: { delay?: number | string; invokeId?: string },
): WalkedTransition {
  const guard = guardName(raw.guard);
  return {
    source,
    targets: raw.target ?? [],
    kind,
    eventType,
    ...extra,
    ...(guard === undefined ? {} : { guard }),
    actions: actionNames(raw.actions),
    reenter: raw.reenter ?? false,
  };
}

/** The transitions declared on one state node, in declaration order. */
export function transitionsOf(node: AnyStateNode): WalkedTransition[] {
  const result: WalkedTransition[] = [];
  for (const [eventType, list] of node.transitions) {
    for (const raw of list as readonly RawTransition[]) {
      if (eventType.startsWith('xstate.after.')) {
        const declared: unknown = node.after.find((t) => t.eventType === eventType)?.delay;
        // A delay expression (function) has no static value; the event type still carries its key.
        const delay = typeof declared === 'number' || typeof declared === 'string' ? declared : undefined;
        result.push(walkTransition(node, raw, 'after', eventType, delay === undefined ? {} : { delay }));
      } else if (eventType.startsWith('xstate.done.state.')) {
        result.push(walkTransition(node, raw, 'done', eventType, {}));
      } else if (eventType.startsWith('xstate.done.actor.')) {
        const invokeId = eventType.slice('xstate.done.actor.'.length);
        result.push(walkTransition(node, raw, 'invokeDone', eventType, { invokeId }));
      } else if (eventType.startsWith('xstate.error.actor.')) {
        const invokeId = eventType.slice('xstate.error.actor.'.length);
        result.push(walkTransition(node, raw, 'invokeError', eventType, { invokeId }));
      } else {
        result.push(walkTransition(node, raw, 'event', eventType, {}));
      }
    }
  }
  for (const raw of (node.always ?? []) as readonly RawTransition[]) {
    result.push(walkTransition(node, raw, 'always', '', {}));
  }
  return result;
}

/** Every state node below and including `machine.root`, depth first, in declaration order. */
export function allNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode): void => {
    nodes.push(node);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return nodes;
}

/** The direct child an initial transition enters (`undefined` for atomic, parallel and final nodes). */
export function initialChild(node: AnyStateNode): AnyStateNode | undefined {
  if (node.type !== 'compound') return undefined;
  const target = node.initial.target[0];
  if (target === undefined) return undefined;
  // A deep initial target (`initial: 'a.b'` style) still enters through one direct child.
  let child: AnyStateNode | undefined = target;
  while (child !== undefined && child.parent !== node) child = child.parent;
  return child;
}

/** Formats a delay for humans: `30s`, `5m`, `2h`, `1500ms`, or a named delay as is. */
export function formatDelay(delay: number | string | undefined): string {
  if (typeof delay === 'string') return delay;
  if (delay === undefined) return '?';
  if (delay > 0 && delay % 3_600_000 === 0) return `${delay / 3_600_000}h`;
  if (delay > 0 && delay % 60_000 === 0) return `${delay / 60_000}m`;
  if (delay > 0 && delay % 1000 === 0) return `${delay / 1000}s`;
  return `${delay}ms`;
}

/** The label of a transition: `Start [ok]`, `after 30s`, `always`, `done`, `done.invoke load`. */
export function transitionLabel(transition: WalkedTransition): string {
  const base = ((): string => {
    switch (transition.kind) {
      case 'event':
        return transition.eventType;
      case 'after':
        return `after ${formatDelay(transition.delay)}`;
      case 'always':
        return 'always';
      case 'done':
        return 'done';
      case 'invokeDone':
        return `done.invoke ${transition.invokeId ?? ''}`.trim();
      case 'invokeError':
        return `error.invoke ${transition.invokeId ?? ''}`.trim();
    }
  })();
  return transition.guard === undefined ? base : `${base} [${transition.guard}]`;
}
