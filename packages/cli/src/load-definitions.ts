/**
 * Loading a user's module of convoy definitions: `convoy serve ./orders.ts` and `startServer({ module })`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConvoyError, isConvoyDefinition } from '@convoy/core';
import type { ConvoyDefinition } from '@convoy/core';

/**
 * Collect the convoy definitions a module exports: its default export (one definition or an array of
 * them) and any named export that is a definition. Other named exports are ignored, so a module may also
 * export helpers and machines. The same definition exported twice (e.g. named and default) counts once.
 *
 * @param exports - the module namespace object
 * @param source - how to name the module in error messages
 * @throws ConvoyError `definition_invalid` when the module exports no definition, when a default array
 *   holds something else, or when two different definitions share a type and version.
 */
export function collectDefinitions(
  exports: Readonly<Record<string, unknown>>,
  source: string,
): ConvoyDefinition[] {
  const found: ConvoyDefinition[] = [];
  const defaultExport = exports['default'];
  if (Array.isArray(defaultExport)) {
    defaultExport.forEach((item: unknown, index) => {
      if (!isConvoyDefinition(item)) {
        throw new ConvoyError(
          'definition_invalid',
          `${source}: default export [${index}] is not a convoy definition (create it with defineConvoy)`,
        );
      }
      found.push(item);
    });
  } else if (isConvoyDefinition(defaultExport)) {
    found.push(defaultExport);
  }
  for (const [name, value] of Object.entries(exports)) {
    if (name !== 'default' && isConvoyDefinition(value)) found.push(value);
  }

  const unique = [...new Set(found)];
  if (unique.length === 0) {
    throw new ConvoyError(
      'definition_invalid',
      `${source} exports no convoy definition: export default defineConvoy({...}) (or an array of them), or export named definitions`,
    );
  }
  const seen = new Map<string, ConvoyDefinition>();
  for (const definition of unique) {
    const id = `${definition.type}@${definition.version}`;
    if (seen.has(id)) {
      throw new ConvoyError(
        'definition_invalid',
        `${source} exports two different definitions of convoy type "${definition.type}" version ${definition.version}`,
      );
    }
    seen.set(id, definition);
  }
  return unique;
}

/**
 * Import a TypeScript or JavaScript module (path relative to `cwd`) and collect its convoy definitions
 * (see {@link collectDefinitions}). TypeScript loads through tsx, which the `convoy` bin registers.
 *
 * @example
 * ```ts
 * const definitions = await loadDefinitions('./src/order-convoy.ts');
 * ```
 */
export async function loadDefinitions(
  modulePath: string,
  cwd: string = process.cwd(),
): Promise<ConvoyDefinition[]> {
  const absolute = resolve(cwd, modulePath);
  if (!existsSync(absolute)) {
    throw new ConvoyError('definition_invalid', `Convoy module not found: ${absolute}`);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConvoyError(
      'definition_invalid',
      `Could not load convoy module ${modulePath}: ${reason}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  return collectDefinitions(namespace, modulePath);
}
