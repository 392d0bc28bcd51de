/** Every contender of the comparison, by role. */
export { bullmqNoop, bullmqSerial } from './bullmq-noop.ts';
export { groupmqNoop } from './groupmq-noop.ts';
export { groupmqXstate } from './groupmq-xstate.ts';
export { convoyRedis, convoyRedisLocal } from './convoy-redis.ts';
export { convoyMemory } from './convoy-memory.ts';
export type { Contender, ContenderInstance, ContenderTarget, SendItem } from './contender.ts';
