/**
 * `@convoy/runtime`: the engine that executes convoys (accept → turn → fenced commit → effects) over a
 * store port, with the embedded memory store and scheduler. Store conformance tests and a simulated
 * clock live in `@convoy/runtime/testing`.
 */
export { createConvoyEngine } from './engine.ts';
export type { ConvoyEngine } from './engine.ts';
export { engineDefaults } from './engine-options.ts';
export type { ConvoyEngineOptions, EngineTunables } from './engine-options.ts';
export type { EffectRetryOptions } from './effects.ts';
export type { ConvoyStall } from './stall-watch.ts';
export { consoleLogger, pinoLogger, silentLogger } from './logger.ts';
export type { ConvoyLogger, LogFields, PinoLike } from './logger.ts';
export { parseTraceparent, runtimeTracerName } from './tracing.ts';
export { DefinitionRegistry } from './registry.ts';
export { MemoryConvoyStore } from './memory/memory-store.ts';
export type { MemoryConvoyStoreOptions } from './memory/memory-store.ts';
export { MemoryTurnScheduler } from './memory/memory-scheduler.ts';
export type { MemoryTurnSchedulerOptions } from './memory/memory-scheduler.ts';
