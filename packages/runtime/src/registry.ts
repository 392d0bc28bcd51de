/**
 * The definitions an engine runs, by type and version.
 */
import { ConvoyError, summarizeDefinition } from '@convoy/core';
import type { ConvoyDefinition, ConvoyTypeSummary } from '@convoy/core';

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
