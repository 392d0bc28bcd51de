/** The machine a run happened on, printed in the table header so numbers are never read without it. */
import { cpus, loadavg, totalmem } from 'node:os';
import type { Redis } from 'ioredis';

/** Facts about the machine and the Redis server under test. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly redisVersion: string;
  readonly platform: string;
  /** 1-minute load average when the run started: other work on the box skews absolute numbers. */
  readonly loadAverage: number;
}

/** Read one field of an `INFO` section (matching the whole line: `loading` vs `async_loading`). */
export function infoField(info: string, field: string): string | undefined {
  const line = info.split(/\r?\n/).find((candidate) => candidate.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim();
}

/** Collect machine info; `redis` is a connection to the bench's own server. */
export async function machineInfo(redis: Redis): Promise<MachineInfo> {
  const cpuList = cpus();
  const server = await redis.info('server');
  return {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redisVersion: infoField(server, 'redis_version') ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg()[0] ?? Number.NaN,
  };
}
