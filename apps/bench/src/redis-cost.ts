/**
 * What a run costs Redis: commands executed by the server (INFO commandstats, script internals
 * included), commands sent by clients (every ioredis `sendCommand` in this process: an upper bound on
 * round trips, pipelines send several per trip), and memory of the keys a run leaves behind.
 */
import { Redis } from 'ioredis';

let clientCommands = 0;
let patched = false;

/**
 * Count every command any ioredis client in this process writes (BullMQ, groupmq and Convoy all use
 * the same ioredis copy). Patched once; cheap enough not to move the numbers (one increment).
 */
export function installClientCommandCounter(): void {
  if (patched) return;
  patched = true;
  const prototype = Redis.prototype as unknown as { sendCommand: (...args: unknown[]) => unknown };
  const original = prototype.sendCommand;
  prototype.sendCommand = function countedSendCommand(this: unknown, ...args: unknown[]): unknown {
    clientCommands += 1;
    return original.apply(this, args);
  };
}

/** Commands sent by this process's ioredis clients so far. */
export function clientCommandCount(): number {
  return clientCommands;
}

/** Total commands the server executed so far (sum of `calls` over INFO commandstats). */
export async function serverCommandCount(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  let total = 0;
  for (const match of stats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(match[1]);
  return total;
}

/** The counters at one instant; subtract two of them for a run's cost. */
export interface CommandCounters {
  readonly server: number;
  readonly client: number;
  /** Bytes the server received / sent (INFO stats `total_net_input_bytes` / `total_net_output_bytes`). */
  readonly netIn: number;
  readonly netOut: number;
  /** CPU seconds the server used so far (INFO cpu `used_cpu_user` + `used_cpu_sys`). */
  readonly serverCpuS: number;
}

/** Read the counters. */
export async function commandCounters(redis: Redis): Promise<CommandCounters> {
  const server = await serverCommandCount(redis);
  const stats = await redis.info('stats');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? Number.NaN);
  const cpu = await redis.info('cpu');
  const cpuField = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? Number.NaN);
  return {
    server,
    client: clientCommands,
    netIn: field('total_net_input_bytes'),
    netOut: field('total_net_output_bytes'),
    serverCpuS: cpuField('used_cpu_user') + cpuField('used_cpu_sys'),
  };
}

/** Bytes and key count of the keys matching `pattern`, split by a classifier (e.g. history vs rest). */
export async function keyMemory(
  redis: Redis,
  pattern: string,
  classify: (key: string) => string,
): Promise<{ readonly keys: number; readonly bytes: number; readonly byClass: ReadonlyMap<string, number> }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  const byClass = new Map<string, number>();
  do {
    // SCAN, never KEYS: the bench must not block the server it measures.
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const results = (await pipeline.exec()) ?? [];
    batch.forEach((key, index) => {
      const size = Number(results[index]?.[1] ?? 0);
      keys += 1;
      bytes += size;
      const kind = classify(key);
      byClass.set(kind, (byClass.get(kind) ?? 0) + size);
    });
  } while (cursor !== '0');
  return { keys, bytes, byClass };
}

/** `used_memory` of the server in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  return Number(match?.[1] ?? Number.NaN);
}

/** CPU seconds a Redis server used so far (INFO cpu `used_cpu_user` + `used_cpu_sys`). */
export async function serverCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}
