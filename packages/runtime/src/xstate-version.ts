/**
 * The engine refuses to start on an xstate it does not support, or when the definitions' machines come
 * from another copy of xstate than the one the runtime resolves: both fail later in subtle ways
 * (snapshots that do not restore, `transition()` throwing on a foreign machine) otherwise.
 */
import { createRequire } from 'node:module';
import { ConvoyError } from '@convoy/core';
import { assertMachineFromPeerXstate } from '@convoy/core/engine';
import type { ConvoyDefinition } from '@convoy/core';

/** The oldest xstate 5 minor Convoy is tested with; xstate 6 changes the APIs Convoy relies on. */
export const supportedXstate = { major: 5, minMinor: 33 } as const;

/** The version of the `xstate` this package resolves. */
export function resolvedXstateVersion(): string {
  const pkg = createRequire(import.meta.url)('xstate/package.json') as { version: string };
  return pkg.version;
}

/**
 * Throws `xstate_unsupported` when the resolved xstate is outside `^5.33` or a definition's machine
 * belongs to another xstate copy.
 */
export function assertSupportedXstate(
  definitions: readonly ConvoyDefinition[],
  version: string = resolvedXstateVersion(),
): void {
  const [major, minor] = version.split('.').map(Number);
  if (major !== supportedXstate.major || minor === undefined || minor < supportedXstate.minMinor) {
    throw new ConvoyError(
      'xstate_unsupported',
      `Convoy needs xstate ^${supportedXstate.major}.${supportedXstate.minMinor}.0, found xstate ${version}. ` +
        `Install a supported version in your project: npm install xstate@^${supportedXstate.major}.${supportedXstate.minMinor}`,
      { version },
    );
  }
  for (const definition of definitions) {
    assertMachineFromPeerXstate(definition.machine, `Convoy "${definition.type}" v${definition.version}`);
  }
}
