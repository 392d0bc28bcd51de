// TEMPORARY: stands in for core's describeDefinition (src/export) until it lands; replace the import in
// engine.ts with '@convoy/core' and delete this file.
import type { ConvoyDefinition, ConvoyTypeDescription, ConvoyTypeSummary, JsonValue } from '@convoy/core';

/** A minimal description (no diagrams) until core's exporter lands. */
export function describeDefinition(
  definition: ConvoyDefinition,
  summary: ConvoyTypeSummary,
): ConvoyTypeDescription {
  return {
    ...summary,
    states: [],
    mermaid: '',
    stately: '',
    graph: { root: definition.machine.id, nodes: [], edges: [] },
    machine: definition.machine.toJSON() as unknown as JsonValue,
  };
}
