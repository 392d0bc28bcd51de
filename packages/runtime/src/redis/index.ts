/**
 * `@convoy/runtime/redis`: the durable, multi-process store and scheduler on Redis (ioredis + Lua) and
 * BullMQ, plus the startup guard. Key schema and durability statement: `docs/redis-keys.md`.
 */
export { RedisConvoyStore } from './redis-convoy-store.ts';
export type { RedisConvoyStoreOptions } from './redis-convoy-store.ts';
export { BullmqTurnScheduler, turnDedupId } from './bullmq-scheduler.ts';
export type { BullmqTurnSchedulerOptions, TurnJobData } from './bullmq-scheduler.ts';
export { assertDurableRedis, parseInfo } from './startup-guard.ts';
export type { RedisDurabilityReport, RedisGuardOptions } from './startup-guard.ts';
export { RedisKeys, defaultBuckets } from './keys.ts';
export type { ConvoyKeySet, RedisKeyOptions } from './keys.ts';
export { ScriptCode, scriptCodeToError } from './script-codes.ts';
export type { ScriptCodeName } from './script-codes.ts';
