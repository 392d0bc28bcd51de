/**
 * `convoy diagram <type>` and `convoy diagram <module> <type>`: a convoy type's state diagram as text.
 * With a module the diagram is drawn offline from the definitions the module exports (no server); with
 * a type only it is asked of a running server (Mermaid and Stately code in the type's description, DOT
 * and SVG from `GET /convoy-types/:type/diagram.dot|svg`). Both draw with the same functions.
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
      .description("print a convoy type's state diagram: offline from <module>, or from the server at --url")
      .argument('<module-or-type>', 'a module exporting convoy definitions, or a type on the server')
      .argument('[type]', 'the convoy type (when a module is given)')
      .addOption(
        new Option('--format <format>', 'mermaid, stately, dot or svg').choices(formats).default('mermaid'),
      ),
  ).action(
    async (first: string, second: string | undefined, flags: RemoteFlags & { format: DiagramFormat }) => {
      if (second !== undefined) {
        const { diagramFromModule } = await import('../offline-diagram.ts');
        const diagram = await diagramFromModule(first, second, flags.format);
        output.out(
          flags.json
            ? JSON.stringify({ type: second, format: flags.format, diagram })
            : diagram.replace(/\n$/, ''),
        );
        return;
      }
      await runRemote(
        flags,
        output,
        async (client) => ({
          type: first,
          format: flags.format,
          diagram: await client.diagram(first, flags.format),
        }),
        (result) => [result.diagram.replace(/\n$/, '')],
      );
    },
  );
}
