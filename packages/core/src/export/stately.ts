/**
 * A machine as `createMachine({...})` TypeScript the Stately editor imports: ids, initial states,
 * nested and parallel states, `on` / `after` / `always` / `onDone`, invokes, final and history types,
 * and guards and actions by name. Implementations are not exported (inline functions have no name; a
 * named one is referenced by its name only).
 */
import type { AnyStateNode } from 'xstate';
import { actionNames, initialChild, invokesOf, machineOf, transitionsOf } from './walk.ts';
import type { MachineSource, WalkedTransition } from './walk.ts';

type Literal = string | number | boolean | Literal[] | { [key: string]: Literal };

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}

function propertyKey(key: string): string {
  return identifier.test(key) || /^(0|[1-9][0-9]*)$/.test(key) ? key : quote(key);
}

/** Serialize as a JS literal in house style (single quotes, unquoted identifier keys, 2-space indent). */
export function toJsLiteral(value: Literal, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${pad}${toJsLiteral(item, depth + 1)},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${propertyKey(k)}: ${toJsLiteral(v, depth + 1)},`).join('\n')}\n${end}}`;
}

/** How `source` refers to `target`: a sibling by key, a child as `.key`, anything else as `#id`. */
function targetRef(source: AnyStateNode, target: AnyStateNode): string {
  if (source.parent !== undefined && target.parent === source.parent) return target.key;
  if (target.parent === source) return `.${target.key}`;
  return `#${target.id}`;
}

function transitionConfig(transition: WalkedTransition): Literal {
  const config: Record<string, Literal> = {};
  const targets = transition.targets.map((target) => targetRef(transition.source, target));
  if (targets.length === 1) config['target'] = targets[0]!;
  else if (targets.length > 1) config['target'] = targets;
  if (transition.guard !== undefined) config['guard'] = transition.guard;
  if (transition.actions.length === 1) config['actions'] = transition.actions[0]!;
  else if (transition.actions.length > 1) config['actions'] = [...transition.actions];
  if (transition.reenter) config['reenter'] = true;
  return config;
}

function addTransition(map: Record<string, Literal[]>, key: string, transition: WalkedTransition): void {
  (map[key] ??= []).push(transitionConfig(transition));
}

function collapse(map: Record<string, Literal[]>): Record<string, Literal> {
  return Object.fromEntries(
    Object.entries(map).map(([key, list]) => [key, list.length === 1 ? list[0]! : list]),
  );
}

function nodeConfig(node: AnyStateNode, isRoot: boolean): Record<string, Literal> {
  const config: Record<string, Literal> = {};
  const defaultId = node.parent === undefined ? node.key : `${node.parent.id}.${node.key}`;
  if (isRoot || node.id !== defaultId) config['id'] = node.id;
  if (node.type === 'parallel' || node.type === 'final' || node.type === 'history')
    config['type'] = node.type;
  if (node.type === 'history' && node.history === 'deep') config['history'] = 'deep';
  const initial = initialChild(node);
  if (initial !== undefined) config['initial'] = initial.key;
  if (node.description !== undefined) config['description'] = node.description;
  if (node.tags.length > 0) config['tags'] = [...node.tags];
  const entry = actionNames(node.entry);
  if (entry.length > 0) config['entry'] = entry;
  const exit = actionNames(node.exit);
  if (exit.length > 0) config['exit'] = exit;

  const on: Record<string, Literal[]> = {};
  const after: Record<string, Literal[]> = {};
  const always: Literal[] = [];
  const onDone: Literal[] = [];
  const invokeDone: Record<string, Literal[]> = {};
  const invokeError: Record<string, Literal[]> = {};
  for (const transition of transitionsOf(node)) {
    switch (transition.kind) {
      case 'event':
        addTransition(on, transition.eventType, transition);
        break;
      case 'after': {
        // `xstate.after.<delay>.<node id>`: the key as written in the config (ms or a named delay).
        const key = transition.eventType.slice('xstate.after.'.length, -(node.id.length + 1));
        addTransition(after, key, transition);
        break;
      }
      case 'always':
        always.push(transitionConfig(transition));
        break;
      case 'done':
        onDone.push(transitionConfig(transition));
        break;
      case 'invokeDone':
        addTransition(invokeDone, transition.invokeId ?? '', transition);
        break;
      case 'invokeError':
        addTransition(invokeError, transition.invokeId ?? '', transition);
        break;
    }
  }
  if (node.invoke.length > 0) {
    config['invoke'] = invokesOf(node).map((invoke) => {
      // A generated id is left out: the editor generates its own, and the path would only mislead.
      const item: Record<string, Literal> = {
        ...(invoke.generated ? {} : { id: invoke.id }),
        // Inline logic has no name to import by: its id, or a placeholder to implement in the editor.
        src: invoke.src ?? (invoke.generated ? 'inlineInvoke' : invoke.id),
      };
      const done = invokeDone[invoke.id];
      const error = invokeError[invoke.id];
      if (done) item['onDone'] = done.length === 1 ? done[0]! : done;
      if (error) item['onError'] = error.length === 1 ? error[0]! : error;
      return item;
    });
  }
  if (Object.keys(on).length > 0) config['on'] = collapse(on);
  if (Object.keys(after).length > 0) config['after'] = collapse(after);
  if (always.length > 0) config['always'] = always.length === 1 ? always[0]! : always;
  if (onDone.length > 0) config['onDone'] = onDone.length === 1 ? onDone[0]! : onDone;
  const children = Object.values(node.states);
  if (children.length > 0) {
    config['states'] = Object.fromEntries(children.map((child) => [child.key, nodeConfig(child, false)]));
  }
  return config;
}

/**
 * Render a convoy's machine as a `createMachine({...})` module the Stately editor (stately.ai) imports.
 * Named guards and actions appear by name; inline guards appear as `'inline'` and inline actions are
 * left out, since they have no name the editor could show.
 *
 * @example
 * ```ts
 * await writeFile('order.machine.ts', toStatelyCode(orderConvoy));
 * ```
 */
export function toStatelyCode(source: MachineSource): string {
  const machine = machineOf(source);
  const literal = toJsLiteral(nodeConfig(machine.root, true));
  return `import { createMachine } from 'xstate';\n\nexport const machine = createMachine(${literal});\n`;
}
