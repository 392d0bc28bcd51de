/**
 * One inert actor scope reused for every transition of one `stepConvoy` call, instead of the fresh actor
 * and actor system xstate's `transition()` builds per event.
 *
 * This relies on, and mirrors, the internals of xstate 5.33's `transition()` and
 * `createInertActorScope()` (dist/xstate.cjs.js): an actor that is never started serves as `self`,
 * every scope callback is a no-op, `actionExecutor` collects the executable actions, and
 * `machine.transition(snapshot, event, scope)` computes the next snapshot. Per event, xstate also pays
 * for `createActor(machine)` (which computes the machine's initial snapshot) and a new actor system; this
 * does not. Re-check this file (and its tests, which compare it with xstate's `transition()`) when
 * upgrading xstate.
 */
import {
  createEmptyActor,
  initialTransition as xstateInitialTransition,
  transition as xstateTransition,
} from 'xstate';
import type {
  AnyActorRef,
  AnyActorScope,
  AnyMachineSnapshot,
  AnyStateMachine,
  EventObject,
  ExecutableActionObject,
  Snapshot,
} from 'xstate';

/** The next snapshot and the actions to execute: the shape of xstate's `transition()` result. */
export type TransitionResult = [next: AnyMachineSnapshot, actions: ExecutableActionObject[]];

/** The scope callbacks that do nothing (shared: no closures per turn). */
function noop(): void {}

/**
 * Pure transitions of one machine through one reused inert actor scope, for the duration of one
 * `stepConvoy` call. Same results as xstate's `transition(machine, snapshot, event)`, event by event;
 * {@link restore} also stands in for the actor `hydrateSnapshot` would create to restore the snapshot.
 *
 * `self`: under xstate's `transition()` a never-started actor of the machine, in its initial snapshot.
 * Here a never-started empty actor (`createEmptyActor()`) shared by all scopes (see `cleanInertSelf`).
 * xstate's own actions only pass `self` along (as the parent of the children a transition creates, as
 * the default `sendTo` target, in action arguments); user code reading `self.getSnapshot()` inside a
 * pure transition sees an empty snapshot rather than the machine's initial one (neither is the convoy's
 * state). Not an actor of the machine, and not one per turn: measured with the bench order machine,
 * reusing the hydration actor as `self` (alive for the whole turn), or making an empty actor per turn,
 * tipped V8's allocation-site pretenuring into sending per-turn garbage to the old generation; lone
 * events then cost ~20 µs of CPU instead of ~11 µs.
 *
 * The actor system: xstate gives every `transition()` call a new system (its `createSystem` is not
 * exported). All a pure transition can observe of a system is its registry of actors with a `systemId`
 * (`system.get`, and the "already exists" error when a child registers a taken `systemId`). So before
 * each transition and restore the scope checks that registry and, if an earlier transition or restore
 * registered an actor there, swaps in a new empty actor as `self` with its new system. `system.get` and
 * `systemId` registration then behave exactly as under xstate's `transition()`.
 *
 * **Fallback**: when the reused-scope transition throws, or returns a snapshot with status `'error'`, the
 * same event is transitioned once more by xstate's own `transition()` (fresh actor and system) and that
 * result is used. Transitions are pure, so retrying is safe, and a genuine failure (a throwing guard or
 * assign) fails the same way again (its guard or assign then runs twice). It is the safety net for
 * state leaking between transitions through the reused scope: the case known in xstate 5.33 is a child
 * whose `systemId` collides with one registered by an earlier event in a reused system (a state invoking
 * it left and re-entered within one batch), which the system swap above already prevents; a later
 * xstate may keep more state in the scope.
 *
 * @example
 * ```ts
 * const scope = new TransitionScope(definition.machine);
 * const [next, actions] = scope.transition(snapshot, event);
 * ```
 */
export class TransitionScope {
  readonly #machine: AnyStateMachine;
  /** The actions of the transition in progress, collected by the scope's `actionExecutor`. */
  #actions: ExecutableActionObject[] = [];
  #scope: AnyActorScope | undefined;
  #fallbacks = 0;

  constructor(machine: AnyStateMachine) {
    this.#machine = machine;
  }

  /** How many transitions were retried with xstate's `transition()` (see the fallback above). */
  get fallbacks(): number {
    return this.#fallbacks;
  }

  /** The next snapshot and the actions to execute for `event` in `snapshot`; pure, like xstate's `transition()`. */
  transition(snapshot: AnyMachineSnapshot, event: EventObject): TransitionResult {
    try {
      const result = this.#reused(snapshot, event);
      if (result[0].status !== 'error') return result;
    } catch {
      // Retried below with a fresh scope, which throws again if the failure is genuine.
    }
    this.#fallbacks += 1;
    return xstateTransition(this.#machine, snapshot, event);
  }

  /**
   * The initial snapshot for `input` and the actions of entering it: xstate's `initialTransition(machine,
   * input)` through this scope (it builds an actor of the machine, which computes the initial snapshot
   * once more, and a system). Same fallback to xstate's own function as {@link transition}.
   */
  initial(input: unknown): TransitionResult {
    try {
      const scope = this.#scopeFor();
      const actions: ExecutableActionObject[] = [];
      this.#actions = actions;
      const next = this.#machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot;
      if (next.status !== 'error') return [next, actions];
    } catch {
      // Retried below with a fresh scope, which throws again if the failure is genuine.
    }
    this.#fallbacks += 1;
    return xstateInitialTransition(this.#machine, input) as TransitionResult;
  }

  /**
   * A stored snapshot restored through this scope: what `createActor(machine, { snapshot })` does when it
   * is constructed, without the actor. May throw where the actor would report `status: 'error'`.
   */
  restore(persisted: Snapshot<unknown>): AnyMachineSnapshot {
    return this.#machine.restoreSnapshot(persisted, this.#scopeFor()) as AnyMachineSnapshot;
  }

  #reused(snapshot: AnyMachineSnapshot, event: EventObject): TransitionResult {
    const scope = this.#scopeFor();
    const actions: ExecutableActionObject[] = [];
    this.#actions = actions;
    const next = this.#machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
    return [next, actions];
  }

  #collect(action: ExecutableActionObject): void {
    this.#actions.push(action);
  }

  /** The scope, its `self` and system swapped for clean ones if an actor was registered there. */
  #scopeFor(): AnyActorScope {
    const self = cleanInertSelf();
    const scope = this.#scope;
    if (scope === undefined) {
      // The same no-op callbacks as xstate's `createInertActorScope`: nothing runs, nothing is stopped.
      this.#scope = {
        self,
        id: '',
        sessionId: '',
        logger: noop,
        defer: noop,
        emit: noop,
        stopChild: noop,
        system: self.system,
        actionExecutor: this.#collect.bind(this),
      };
      return this.#scope;
    }
    if (scope.self !== self) {
      scope.self = self;
      scope.system = self.system;
    }
    return scope;
  }
}

/** `self` of every scope while its system has no actor registered under a `systemId`. */
let inertSelf: AnyActorRef = createEmptyActor();

/**
 * The shared inert `self`, replaced by a new empty actor (with a new system) once an actor has been
 * registered in its system. Sharing is safe: the actor is never started and a pure transition does not
 * change it (children only point at it as their parent). A registered child stays reachable from the
 * shared system until the next transition or restore replaces it.
 */
function cleanInertSelf(): AnyActorRef {
  for (const _ in inertSelf.system.getAll()) {
    inertSelf = createEmptyActor();
    break;
  }
  return inertSelf;
}
