/**
 * `@convoy/core/engine`: the pure pieces the runtime executes convoys with (the step, hydration,
 * fingerprints, the invoke effect's shape). For `@convoy/runtime` and tools at its level, not for
 * convoy authors; the main entry `@convoy/core` is the stable surface.
 */
export { stepConvoy } from './step.ts';
export type { StepInput } from './step.ts';
export { blockedTurn } from './block.ts';
export { invokeEffectAction } from './actions.ts';
export { stallTimerIds } from './turn-state.ts';
export type { InvokeEffectParams } from './actions.ts';
export { hydrateSnapshot, toJson } from './hydrate.ts';
export type { HydrateResult } from './hydrate.ts';
export { eventFingerprint, validateEvent } from './validate.ts';
export { assertMachineFromPeerXstate } from './xstate-peer.ts';
export { exampleEvent } from './example-event.ts';
