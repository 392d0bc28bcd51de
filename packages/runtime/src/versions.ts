/**
 * Which definition version a convoy's turn runs on: its own version, or a newer one its snapshot is
 * migrated to. A convoy parked for a version reason is un-blocked once that reason is gone.
 */
import { hydrateSnapshot, toJson } from '@convoy/core/engine';
import type { ConvoyDefinition, ConvoyKey, ConvoyRecord } from '@convoy/core';
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
    const migrated: ConvoyRecord = { ...record, definitionVersion: latest.version, snapshot };
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
