/**
 * `xstate` is a peer dependency: the copy that built the user's machines must be the copy Convoy steps
 * them with (xstate's `transition()` and snapshot restoring check `instanceof` and read internals a
 * machine from another copy does not share). A second copy in the user's project is caught here, when
 * the convoy is defined, instead of failing later in a turn with a subtle error.
 */
import { StateMachine } from 'xstate';
import { ConvoyError } from './errors.ts';

/**
 * Throws `xstate_unsupported` unless `machine` was created by the `xstate` this package imports.
 *
 * @param owner - who checks, for the message (e.g. `Convoy "order"`)
 */
export function assertMachineFromPeerXstate(machine: unknown, owner: string): void {
  if (machine instanceof StateMachine) return;
  const looksLikeMachine =
    typeof machine === 'object' && machine !== null && 'root' in machine && 'transition' in machine;
  throw new ConvoyError(
    'xstate_unsupported',
    looksLikeMachine
      ? `${owner}: the machine was created by another copy of xstate than the one Convoy uses. ` +
          'Install xstate once, as a direct dependency of your project (`npm ls xstate` shows every copy), ' +
          'so that it and @convoy/* share it.'
      : `${owner}: machine is not an XState v5 machine (create it with createMachine() or setup().createMachine())`,
  );
}
