/**
 * The Standard Schema interface (https://standardschema.dev), declared here so core needs no dependency:
 * zod 4, valibot and arktype schemas all carry `~standard`. Only what Convoy calls is declared.
 */
import { ConvoyError } from './errors.ts';
import { toJson } from './hydrate.ts';
import type { JsonValue } from './model.ts';

/** One issue reported by a schema: a message and where it applies. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Result of `~standard.validate`: the (possibly transformed) value, or the issues. */
export type StandardSchemaResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** A Standard Schema v1 (the subset Convoy uses). */
export interface StandardSchemaV1 {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaResult | Promise<StandardSchemaResult>;
    /** Standard JSON Schema (e.g. zod 4): the input's JSON Schema, used to document event bodies. */
    readonly jsonSchema?: { readonly input: (options: { readonly target: string }) => unknown };
  };
}

/**
 * The JSON Schema (OpenAPI 3.0 flavour) of what a schema accepts, when it can tell (Standard JSON
 * Schema); undefined otherwise. A schema that cannot be expressed (e.g. a refinement) throws: undefined.
 */
export function eventJsonSchema(schema: StandardSchemaV1): JsonValue | undefined {
  try {
    const json = toJson(schema['~standard'].jsonSchema?.input({ target: 'openapi-3.0' }));
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
    const { $schema: _dialect, ...rest } = json;
    return rest;
  } catch {
    return undefined;
  }
}

/** True for a value carrying a Standard Schema v1 `~standard.validate`. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const standard = (value as { '~standard'?: { validate?: unknown } })['~standard'];
  return typeof standard === 'object' && standard !== null && typeof standard.validate === 'function';
}

/** A JSON-pointer-like dotted path of an issue (`$` for the body itself), e.g. `$.address.zip`. */
export function issuePath(issue: StandardSchemaIssue): string {
  let path = '$';
  for (const segment of issue.path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    path += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return path;
}

/**
 * Validate an event body with its schema, synchronously: the accept path must not wait on user code, so
 * an async schema is a definition error (500 `definition_invalid`). Issues are a 422
 * `invalid_event_payload` naming the first failing field; `details.issues` lists all of them.
 */
export function checkEventSchema(
  convoyType: string,
  eventType: string,
  schema: StandardSchemaV1,
  body: unknown,
): void {
  const result = schema['~standard'].validate(body);
  if (result instanceof Promise) {
    // The promise is dropped: a rejection must not surface as an unhandled one.
    result.catch(() => undefined);
    throw new ConvoyError(
      'definition_invalid',
      `Convoy "${convoyType}": the schema of event "${eventType}" is asynchronous; only synchronous schemas are supported`,
      { convoyType, eventType },
    );
  }
  if (result.issues === undefined) return;
  const issues = result.issues.map((issue) => ({ path: issuePath(issue), message: issue.message }));
  const first = issues[0];
  throw new ConvoyError(
    'invalid_event_payload',
    first === undefined
      ? `Event "${eventType}" does not match its schema`
      : `Event "${eventType}" is invalid at ${first.path}: ${first.message}`,
    { convoyType, eventType, issues },
  );
}
