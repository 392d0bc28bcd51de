/**
 * Spawns the bench's own `redis-server` on a free loopback port (never 6379), so a run never touches a
 * developer's Redis and every contender measures against the same, freshly started server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** How the server persists: nothing (throughput runs) or an fsync'd AOF after every write (durability run). */
export type RedisPersistence = 'none' | 'aof-always';

/** A running redis-server owned by the bench. */
export interface BenchRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  readonly persistence: RedisPersistence;
  /** Kill the server by pid and remove its data directory. */
  stop(): Promise<void>;
}

/** Servers started and not yet stopped, so an interrupted run can still kill them by pid. */
const running = new Map<number, string>();

/** Kill every server this process started (SIGKILL by pid), remove their data; for signal handlers. */
export function killAllRedis(): void {
  for (const [pid, dir] of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
}

/** Ask the kernel for a free loopback port (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port === 6379 || port === 0 ? reject(new Error('no usable port')) : resolve(port)));
    });
  });
}

function persistenceArgs(persistence: RedisPersistence): string[] {
  return persistence === 'none'
    ? ['--save', '', '--appendonly', 'no']
    : ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not listening yet
    } finally {
      probe.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer within ${timeoutMs} ms`);
}

/**
 * Start a redis-server with `noeviction` (Convoy refuses durable mode otherwise), the given persistence
 * and any further arguments.
 *
 * @example
 * ```ts
 * const redis = await startRedis('none');
 * try { ... } finally { await redis.stop(); }
 * ```
 */
export async function startRedis(
  persistence: RedisPersistence,
  /** Further `redis-server` arguments (e.g. `--cluster-enabled yes`). */
  extraArgs: readonly string[] = [],
): Promise<BenchRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'convoy-bench-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
      ...persistenceArgs(persistence),
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('redis-server could not be spawned (is it installed?)');
  running.set(pid, dir);
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPing(url, child, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    running.delete(pid);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url,
    pid,
    persistence,
    async stop() {
      if (child.exitCode === null) {
        process.kill(pid, 'SIGTERM');
        const killed = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
        ]);
        if (!killed) process.kill(pid, 'SIGKILL');
        await exited;
      }
      running.delete(pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
