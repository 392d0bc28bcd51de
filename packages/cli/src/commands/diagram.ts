/**
 * `convoy diagram <type> [--format mermaid|dot|svg|stately]`: a convoy type's state diagram as text.
 * All four come from the API: Mermaid and Stately code in the type's description, DOT and SVG from
 * `GET /convoy-types/:type/diagram.dot|svg`.
 */
import type { DiagramFormat } from '@convoy/client';
import type { Command } from 'commander';
import { Option } from 'commander';
import { remoteOptions, runRemote } from './remote.ts';
import type { Output, RemoteFlags } from './remote.ts';

const formats: readonly DiagramFormat[] = ['mermaid', 'dot', 'svg', 'stately'];

/** Register `diagram` on `program`. */
export function registerDiagramCommand(program: Command, output: Output): void {
  remoteOptions(
    program
      .command('diagram')
      .description("print a convoy type's state diagram")
      .argument('<type>', 'convoy type')
      .addOption(
        new Option('--format <format>', 'mermaid, stately, dot (Graphviz) or svg')
          .choices(formats)
          .default('mermaid'),
      ),
  ).action(async (type: string, flags: RemoteFlags & { format: DiagramFormat }) => {
    await runRemote(
      flags,
      output,
      async (client) => ({ type, format: flags.format, diagram: await client.diagram(type, flags.format) }),
      (result) => [result.diagram.replace(/\n$/, '')],
    );
  });
}
