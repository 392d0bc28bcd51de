/**
 * Which definition version a convoy's turn runs on: its own version, or a newer one its snapshot is
 * migrated to. A convoy parked for a version reason is un-blocked once that reason is gone.
 */
import { hydrateSnapshot, stallTimerIds, toJson } from '@convoy/core/engine';
import type { ConvoyDefinition, ConvoyKey, ConvoyRecord, TimerArm } from '@convoy/core';
import type { TurnCommit } from '@convoy/core/store';
import type { AnyStateMachine, StateValue } from 'xstate';
import { errorMessage } from './logger.ts';
import type { DefinitionRegistry } from './registry.ts';

/** The definition a turn runs on and the record to step (migrated or un-blocked), or why there is none. */
export type DefinitionChoice =
  | { readonly ok: true; readonly definition: ConvoyDefinition; readonly record: ConvoyRecord | null }
  | { readonly ok: false; readonly reason: string };

/** Blocked reasons that a newly registered version or migration can cure. */
const versionReasons = ['version_unknown', 'version_mismatch', 'migration_failed', 'snapshot_mismatch'];

function unblocked(record: ConvoyRecord, cured: readonly string[]): ConvoyRecord {
  if (record.status !== 'blocked' || !cured.some((reason) => record.blockedReason?.startsWith(`${reason}:`)))
    return record;
  const { blockedReason: _dropped, ...rest } = record;
  return { ...rest, status: 'active' };
}

/**
 * Choose the definition for a convoy's turn.
 *
 * - A new convoy starts on the highest registered version.
 * - When the highest version of the type defines `migrate` and the convoy runs on an older version, its
 *   snapshot is migrated (`migrate(snapshot, fromVersion)`) and must hydrate on the new machine; the
 *   convoy then runs on the new version (the step commits it with the next revision).
 * - Otherwise the convoy's own version must be registered.
 *
 * A convoy blocked for a version reason (`version_unknown`, `migration_failed`, `snapshot_mismatch`
 * after a migration) is un-blocked here once the reason is gone, so registering the version or the
 * migration un-blocks it on its next turn.
 */
export function chooseDefinition(
  registry: DefinitionRegistry,
  key: ConvoyKey,
  record: ConvoyRecord | null,
  /** The turn's time: timers re-planned by a migration without an earlier arming count from it. */
  now: number = record?.updatedAt ?? 0,
  /** The convoy's incarnation, for the tokens of re-planned timers. */
  incarnation?: string,
): DefinitionChoice {
  const latest = registry.latest(key.type);
  if (!record) return { ok: true, definition: latest, record: null };
  const from = record.definitionVersion;
  if (latest.migrate && latest.version > from && record.snapshot !== null && record.status !== 'done') {
    let snapshot;
    try {
      snapshot = toJson(latest.migrate(record.snapshot, from)) ?? null;
    } catch (error) {
      return {
        ok: false,
        reason: `migration_failed: version ${from} to ${latest.version}: ${errorMessage(error)}`,
      };
    }
    const hydrated = hydrateSnapshot(latest.machine, snapshot);
    if (!hydrated.ok) {
      return {
        ok: false,
        reason: `migration_failed: version ${from} to ${latest.version}: the migrated snapshot does not fit (${hydrated.reason})`,
      };
    }
    const timers = replanTimers(latest, key, record, hydrated.snapshot.value, now, incarnation);
    const migrated: ConvoyRecord = { ...record, definitionVersion: latest.version, snapshot, timers };
    return { ok: true, definition: latest, record: unblocked(migrated, versionReasons) };
  }
  const own = registry.find(key.type, from);
  if (!own) {
    const registered = registry.versions(key.type).join(', ') || 'none';
    return {
      ok: false,
      reason: `version_unknown: convoy runs on version ${from} of "${key.type}", which is not registered (registered: ${registered}); register it or a newer version with migrate`,
    };
  }
  return { ok: true, definition: own, record: unblocked(record, ['version_unknown', 'migration_failed']) };
}

const afterTimerId = /^xstate\.after\.(\d+)\.(.+)$/;

/**
 * The timers of a migrated convoy: the old version's timers are dropped (their events belong to the old
 * machine), the new version's `after` timers of the states the convoy is in are armed, and the runtime's
 * stall timers are kept. An `after` timer of a state that had one under the old version counts from when
 * that one was armed (a timeout shortened from 60 s to 30 s fires 30 s after the state was entered, at
 * once if that is past); any other counts from the migration.
 */
export function replanTimers(
  definition: ConvoyDefinition,
  key: ConvoyKey,
  record: ConvoyRecord,
  value: StateValue,
  now: number,
  incarnation?: string,
): Record<string, TimerArm> {
  const armedAt = new Map<string, number>();
  const timers: Record<string, TimerArm> = {};
  for (const timer of Object.values(record.timers)) {
    if (timer.timerId === stallTimerIds.idle || timer.timerId === stallTimerIds.headOfLine) {
      timers[timer.timerId] = timer;
      continue;
    }
    const match = afterTimerId.exec(timer.timerId);
    if (match) armedAt.set(match[2]!, timer.dueAt - Number(match[1]));
  }
  const lifetime = incarnation === undefined ? '' : `|${incarnation}`;
  let index = 0;
  for (const node of activeNodes(definition.machine, value)) {
    for (const delayed of node.after) {
      const delay = resolveDelay(definition.machine, delayed.delay, record);
      if (delay === undefined || timers[delayed.eventType] !== undefined) continue;
      const token = `${key.type}|${key.id}|${record.processedSeq}|m${definition.version}.${index}${lifetime}`;
      index += 1;
      timers[delayed.eventType] = {
        timerId: delayed.eventType,
        token,
        dueAt: (armedAt.get(node.id) ?? now) + delay,
        event: { type: delayed.eventType },
      };
    }
  }
  return timers;
}

type MachineNode = AnyStateMachine['root'];

/** The state nodes a state value is in (the root included), parallel regions and nesting walked. */
function activeNodes(machine: AnyStateMachine, value: StateValue): MachineNode[] {
  const nodes: MachineNode[] = [machine.root];
  const walk = (node: MachineNode, sub: StateValue): void => {
    const entries = typeof sub === 'string' ? [[sub, undefined] as const] : Object.entries(sub);
    for (const [name, deeper] of entries) {
      const child = node.states[name];
      if (!child) continue;
      nodes.push(child);
      if (deeper !== undefined && deeper !== null) walk(child, deeper);
    }
  };
  walk(machine.root, value);
  return nodes;
}

/** An `after` delay in ms: a number, or a named delay of the machine (a number or a function of context). */
function resolveDelay(machine: AnyStateMachine, delay: unknown, record: ConvoyRecord): number | undefined {
  if (typeof delay === 'number') return delay;
  if (typeof delay !== 'string') return undefined;
  const named = (machine.implementations.delays as Readonly<Record<string, unknown>>)[delay];
  if (typeof named === 'number') return named;
  if (typeof named !== 'function') return undefined;
  try {
    const ms: unknown = (named as (args: { context: unknown; event: unknown }) => unknown)({
      context: record.context,
      event: { type: 'xstate.migrate' },
    });
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** The store's timer changes from `before` to `after` (as the step reports them): arm new tokens, cancel ids gone. */
export function timerChanges(
  before: Readonly<Record<string, TimerArm>>,
  after: Readonly<Record<string, TimerArm>>,
): TurnCommit['timers'] {
  const arm = Object.values(after).filter((timer) => before[timer.timerId]?.token !== timer.token);
  const cancel = Object.keys(before).filter((timerId) => after[timerId] === undefined);
  return { arm, cancel };
}
