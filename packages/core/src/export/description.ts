/**
 * What `GET /convoy-types` and `GET /convoy-types/:type` show about a definition.
 */
import type { ConvoyDefinition } from '../definition.ts';
import type { ConvoyTypeDescription, ConvoyTypeSummary } from '../describe.ts';
import { toJson } from '../hydrate.ts';
import type { JsonValue } from '../model.ts';
import { eventJsonSchema } from '../standard-schema.ts';
import { toGraph } from './graph.ts';
import { toMermaid } from './mermaid.ts';
import { toStatelyCode } from './stately.ts';
import { allNodes } from './walk.ts';

/**
 * The short summary of a convoy type. `versions` lists every registered version of the type (the
 * definition's own version is added when missing); they are returned sorted.
 *
 * @example
 * ```ts
 * summarizeDefinition(orderV2, [1, 2]); // { type: 'order', version: 2, versions: [1, 2], events: [...] }
 * ```
 */
export function summarizeDefinition(
  definition: ConvoyDefinition,
  versions: readonly number[] = [],
): ConvoyTypeSummary {
  const all = [...new Set([...versions, definition.version])].sort((a, b) => a - b);
  return {
    type: definition.type,
    version: definition.version,
    versions: all,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    events: [...definition.eventTypes],
  };
}

/**
 * Everything about a convoy type: its summary, every state path, a Mermaid diagram, Stately-importable
 * code, a JSON graph and `machine.toJSON()`.
 *
 * @example
 * ```ts
 * const description = describeDefinition(order, registry.versionsOf('order'));
 * console.log(description.mermaid);
 * ```
 */
export function describeDefinition(
  definition: ConvoyDefinition,
  versions: readonly number[] = [],
): ConvoyTypeDescription {
  const { machine } = definition;
  return {
    ...summarizeDefinition(definition, versions),
    states: allNodes(machine)
      .slice(1)
      .map((node) => node.path.join('.')),
    mermaid: toMermaid(definition),
    stately: toStatelyCode(definition),
    graph: toGraph(definition),
    machine: toJson(machine.toJSON()) ?? null,
    ...eventSchemasOf(definition),
  };
}

function eventSchemasOf(definition: ConvoyDefinition): { eventSchemas?: Record<string, JsonValue> } {
  const eventSchemas: Record<string, JsonValue> = {};
  for (const [eventType, schema] of Object.entries(definition.schemas)) {
    const json = eventJsonSchema(schema);
    if (json !== undefined) eventSchemas[eventType] = json;
  }
  return Object.keys(eventSchemas).length === 0 ? {} : { eventSchemas };
}
