/**
 * The definitions an engine runs, by type and version.
 */
import { ConvoyError, isConvoyError, summarizeDefinition } from '@convoy/core';
import { validateEvent } from '@convoy/core/engine';
import type { ConvoyDefinition, ConvoyEvent, ConvoyTypeSummary } from '@convoy/core';

/**
 * Registered convoy definitions. A convoy keeps the version it started on; new convoys start on the
 * highest registered version of their type.
 */
export class DefinitionRegistry {
  readonly #byType = new Map<string, Map<number, ConvoyDefinition>>();

  constructor(definitions: readonly ConvoyDefinition[]) {
    for (const definition of definitions) {
      let versions = this.#byType.get(definition.type);
      if (!versions) {
        versions = new Map();
        this.#byType.set(definition.type, versions);
      }
      if (versions.has(definition.version)) {
        throw new ConvoyError(
          'definition_invalid',
          `Convoy "${definition.type}" version ${definition.version} is registered twice`,
        );
      }
      versions.set(definition.version, definition);
    }
  }

  /** The highest version of a type, or throws `unknown_convoy_type`. */
  latest(type: string): ConvoyDefinition {
    const versions = this.#byType.get(type);
    let latest: ConvoyDefinition | undefined;
    for (const definition of versions?.values() ?? []) {
      if (!latest || definition.version > latest.version) latest = definition;
    }
    if (!latest) throw new ConvoyError('unknown_convoy_type', `Unknown convoy type "${type}"`, { type });
    return latest;
  }

  /** One exact version, or undefined when it is not registered (the convoy is then blocked). */
  find(type: string, version: number): ConvoyDefinition | undefined {
    return this.#byType.get(type)?.get(version);
  }

  /**
   * Validate an event body for a type: against its newest version, or else any older registered version
   * that knows the event type, because convoys keep running on the version they started on (the step
   * dead-letters it as `unknown_event_type` if the convoy's own version does not know it either).
   * Throws like core's `validateEvent`.
   */
  validateEvent(type: string, body: unknown): ConvoyEvent {
    const latest = this.latest(type);
    try {
      return validateEvent(latest, body);
    } catch (error) {
      if (!isConvoyError(error) || error.code !== 'unknown_event_type') throw error;
      const eventType = (body as ConvoyEvent).type;
      const older = [...(this.#byType.get(type)?.values() ?? [])].find((definition) =>
        definition.eventTypes.includes(eventType),
      );
      if (!older) throw error;
      return validateEvent(older, body);
    }
  }

  /** Every registered version of a type, ascending. */
  versions(type: string): number[] {
    return [...(this.#byType.get(type)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Whether the type is registered. */
  has(type: string): boolean {
    return this.#byType.has(type);
  }

  /** A summary per type (its highest version), sorted by type. */
  summaries(): ConvoyTypeSummary[] {
    return [...this.#byType.keys()].sort().map((type) => this.summary(type));
  }

  /** The summary of one type, or throws `unknown_convoy_type`. */
  summary(type: string): ConvoyTypeSummary {
    return summarizeDefinition(this.latest(type), this.versions(type));
  }
}
