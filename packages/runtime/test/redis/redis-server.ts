/**
 * Spawns a private `redis-server` for tests: a free loopback port (never 6379), AOF with
 * `appendfsync always`, `noeviction`, a temporary data directory. Stopped by pid; can be killed with
 * SIGKILL and restarted from the same directory (AOF replay) for crash tests.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A running test Redis. */
export interface TestRedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** The current server process id. */
  pid(): number;
  /** A new client (the caller closes it). */
  client(): Redis;
  /** SIGKILL the server (no shutdown, no final fsync beyond `appendfsync always`). */
  kill9(): Promise<void>;
  /** Start the server again on the same port and data directory (replays the AOF). */
  restart(): Promise<void>;
  /** Stop the server and delete its data directory. */
  stop(): Promise<void>;
}

/** Extra `redis-server` arguments, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
export interface TestRedisOptions {
  readonly args?: readonly string[];
}

/** Finds a free loopback port by binding port 0 and releasing it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a private redis-server and waits until it answers PING. */
export async function startRedisServer(options: TestRedisOptions = {}): Promise<TestRedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'convoy-redis-'));
  let port = await freePort();
  if (port === 6379) port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', '--dir', dir, '--daemonize', 'no',
    ...(options.args ?? []),
  ]; // prettier-ignore
  let child: ChildProcess = await launch(args, port);

  const exited = (proc: ChildProcess): Promise<void> =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => proc.once('exit', () => resolve()));

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child.pid ?? -1,
    client: () => new Redis({ host: '127.0.0.1', port, lazyConnect: false }),
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null)
        throw new Error('redis-server is still running');
      child = await launch(args, port);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited(child);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(args: readonly string[], port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output}`);
    if (await answersPing(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port}:\n${output}`);
}

async function answersPing(port: number): Promise<boolean> {
  const probe = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
