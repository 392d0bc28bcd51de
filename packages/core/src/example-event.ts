/**
 * An example event a new convoy of a type accepts: for `convoy serve`'s start-up banner, so the first
 * request a user copies is applied, not refused.
 */
import { initialTransition } from 'xstate';
import type { ConvoyDefinition } from './definition.ts';
import type { ConvoyEvent, JsonValue } from './model.ts';
import { eventJsonSchema } from './standard-schema.ts';

type JsonSchema = { [keyword: string]: JsonValue };

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value the JSON Schema accepts for a required field: its example, const, first enum value, or a stand-in by type. */
function sampleOf(schema: JsonSchema): JsonValue {
  const examples = schema['examples'];
  if (Array.isArray(examples) && examples.length > 0) return examples[0] ?? null;
  if (schema['const'] !== undefined) return schema['const'];
  const choices = schema['enum'];
  if (Array.isArray(choices) && choices.length > 0) return choices[0] ?? null;
  const variants = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(variants) && isSchema(variants[0])) return sampleOf(variants[0]);
  const type = Array.isArray(schema['type']) ? schema['type'][0] : schema['type'];
  switch (type) {
    case 'integer':
    case 'number': {
      const minimum = schema['minimum'] ?? schema['exclusiveMinimum'];
      return typeof minimum === 'number' ? Math.max(1, Math.ceil(minimum) + 1) : 1;
    }
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return requiredFields(schema);
    case 'null':
      return null;
    default: {
      const format = schema['format'];
      if (format === 'email') return 'ada@example.com';
      if (format === 'date-time') return '2026-01-01T00:00:00.000Z';
      const minLength = schema['minLength'];
      return typeof minLength === 'number' && minLength > 7 ? 'x'.repeat(minLength) : 'example';
    }
  }
}

/** An object holding just the required properties of an object schema, each with a sample value. */
function requiredFields(schema: JsonSchema): { [field: string]: JsonValue } {
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  const fields: { [field: string]: JsonValue } = {};
  for (const name of required) {
    if (typeof name !== 'string' || name === 'type') continue;
    const property = properties[name];
    fields[name] = isSchema(property) ? sampleOf(property) : 'example';
  }
  return fields;
}

/** The candidate event of `type`: its schema's required fields filled in, when the schema can say. */
function candidate(definition: ConvoyDefinition, type: string): ConvoyEvent | undefined {
  const schema = definition.schemas[type];
  if (schema === undefined) return { type };
  const json = eventJsonSchema(schema);
  const event: ConvoyEvent = { type, ...(isSchema(json) ? requiredFields(json) : {}) };
  const result = schema['~standard'].validate(event);
  // An asynchronous schema cannot be checked here (nor at accept time): no example from it.
  if (result instanceof Promise) return undefined;
  return result.issues === undefined ? event : undefined;
}

/**
 * An event a brand-new convoy of this type applies: the first client event, in the machine's order,
 * that passes its payload schema (required fields filled from the schema's JSON Schema) and that the
 * initial state takes with every guard passing (`snapshot.can`). Undefined when there is none (e.g. a
 * guard needs data a schema cannot describe).
 */
export function exampleEvent(definition: ConvoyDefinition, id = 'demo-1'): ConvoyEvent | undefined {
  const key = { type: definition.type, id };
  let snapshot;
  try {
    [snapshot] = initialTransition(definition.machine, definition.input ? definition.input(key) : key);
  } catch {
    return undefined;
  }
  for (const type of definition.eventTypes) {
    const event = candidate(definition, type);
    try {
      if (event !== undefined && snapshot.can(event)) return event;
    } catch {
      // A guard that throws on this payload: not an example to offer.
    }
  }
  return undefined;
}
