/**
 * Diagrams drawn from a module's definitions, without a server (`convoy diagram ./convoys.ts order`).
 * The server draws with the same functions: Mermaid, Stately code and DOT from `@convoy/core`, SVG from
 * `@convoy/http`.
 */
import type { DiagramFormat } from '@convoy/client';
import { ConvoyError, describeDefinition, toDot } from '@convoy/core';
import { loadDefinitions } from './load-definitions.ts';

/**
 * The diagram of the latest version of `type` among the definitions `modulePath` exports.
 *
 * @throws ConvoyError `unknown_convoy_type` when the module defines no such type (the message lists
 *   the types it does define); `definition_invalid` when the module cannot be loaded.
 */
export async function diagramFromModule(
  modulePath: string,
  type: string,
  format: DiagramFormat,
  cwd: string = process.cwd(),
): Promise<string> {
  const definitions = await loadDefinitions(modulePath, cwd);
  const versions = definitions.filter((definition) => definition.type === type);
  const latest = versions.reduce<(typeof versions)[number] | undefined>(
    (best, definition) => (best === undefined || definition.version > best.version ? definition : best),
    undefined,
  );
  if (!latest) {
    const known = [...new Set(definitions.map((definition) => definition.type))].join(', ');
    throw new ConvoyError(
      'unknown_convoy_type',
      `${modulePath} defines no convoy type "${type}" (it defines: ${known})`,
      {
        type,
      },
    );
  }
  const description = describeDefinition(
    latest,
    versions.map((definition) => definition.version),
  );
  switch (format) {
    case 'mermaid':
      return description.mermaid;
    case 'stately':
      return description.stately;
    case 'dot':
    case 'svg': {
      const dot = toDot(description.graph);
      if (format === 'dot') return dot;
      const { renderSvg } = await import('@convoy/http');
      return await renderSvg(dot);
    }
  }
}
