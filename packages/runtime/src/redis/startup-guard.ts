/**
 * Refuses to run the durable mode on a Redis that can lose acknowledged writes by design: an eviction
 * policy other than `noeviction` silently deletes convoy keys under memory pressure. Warns when AOF is
 * off (a restart then loses everything since the last RDB snapshot). See `docs/redis-keys.md`.
 */
import { ConvoyError } from '@convoy/core';
import type { Cluster, Redis } from 'ioredis';

/** What the guard found. */
export interface RedisDurabilityReport {
  readonly maxmemoryPolicy: string;
  readonly appendonly: boolean;
  /** `appendfsync` when readable (CONFIG may be disabled on managed Redis). */
  readonly appendfsync: string | undefined;
  readonly warnings: readonly string[];
}

/** Options of the startup guard. */
export interface RedisGuardOptions {
  /**
   * Receives warnings (AOF off, `appendfsync no`).
   * @defaultValue `console.warn`
   */
  readonly warn?: (message: string) => void;
  /**
   * How long to wait for a Redis that is still loading its data set.
   * @defaultValue 30_000
   */
  readonly loadingTimeoutMs?: number;
}

type Client = Pick<Redis | Cluster, 'info' | 'config'>;

/**
 * Checks that `client`'s Redis suits durable mode: waits until it has finished loading (`loading:0`),
 * throws `redis_misconfigured` unless `maxmemory-policy` is `noeviction`, warns unless `appendonly yes`.
 * On Cluster, pass each primary's client.
 *
 * @example
 * ```ts
 * const store = new RedisConvoyStore({ connection: url });
 * await assertDurableRedis(store.client); // throws on allkeys-lru & co.
 * ```
 */
export async function assertDurableRedis(
  client: Client,
  options: RedisGuardOptions = {},
): Promise<RedisDurabilityReport> {
  const warn = options.warn ?? ((message: string) => console.warn(message));
  await waitUntilLoaded(client, options.loadingTimeoutMs ?? 30_000);

  // INFO works where CONFIG is renamed or disabled (many managed services); CONFIG adds appendfsync.
  const memory = parseInfo(await client.info('memory'));
  const persistence = parseInfo(await client.info('persistence'));
  const maxmemoryPolicy =
    memory.get('maxmemory_policy') ?? (await configGet(client, 'maxmemory-policy')) ?? 'unknown';
  const appendonly = persistence.get('aof_enabled') === '1';
  const appendfsync = await configGet(client, 'appendfsync');

  if (maxmemoryPolicy !== 'noeviction') {
    throw new ConvoyError(
      'redis_misconfigured',
      `Redis maxmemory-policy is "${maxmemoryPolicy}": it may evict convoy keys and lose accepted events. ` +
        'Set "maxmemory-policy noeviction" for the durable mode.',
      { maxmemoryPolicy },
    );
  }
  const warnings: string[] = [];
  if (!appendonly) {
    warnings.push(
      'Redis runs without AOF (appendonly no): a Redis restart loses events accepted since the last snapshot. ' +
        'Set "appendonly yes" (and "appendfsync always" for no loss on a crash).',
    );
  } else if (appendfsync === 'no') {
    warnings.push('Redis appendfsync is "no": the OS decides when accepted events reach the disk.');
  }
  for (const warning of warnings) warn(`[convoy] ${warning}`);
  return { maxmemoryPolicy, appendonly, appendfsync, warnings };
}

/** Parses `INFO` text into field -> value; matches whole lines so `loading` never matches `async_loading`. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

async function waitUntilLoaded(client: Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await client.info('persistence');
    if (/^loading:0\r?$/m.test(info)) return;
    if (Date.now() >= deadline) {
      throw new ConvoyError('store_unavailable', `Redis is still loading its data set after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function configGet(client: Client, name: string): Promise<string | undefined> {
  try {
    const reply = (await client.config('GET', name)) as unknown;
    return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
  } catch {
    return undefined; // CONFIG disabled or renamed: INFO already gave what is required
  }
}
