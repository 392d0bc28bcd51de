/**
 * A private `redis-server` for the CLI's process tests: free loopback port (never 6379), AOF with
 * `appendfsync always`, `noeviction`, a temporary directory; stopped by its pid. Talks RESP over a raw
 * socket so the CLI package needs no Redis client of its own.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running test Redis. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Send one command, resolve with the raw first reply line (e.g. `+OK`, `+PONG`). */
  command(...args: string[]): Promise<string>;
  /** `INFO <section>` as `field -> value`. */
  info(section: string): Promise<Map<string, string>>;
  /** SIGKILL the server (an outage); its data directory stays for `restart`. */
  kill9(): Promise<void>;
  /** Start the server again on the same port and directory (replays the AOF). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const found = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port !== 6379) return port;
  }
}

function command(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(reply.slice(0, end));
      }
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** Send `INFO <section>` and read the whole bulk reply. */
function info(port: number, section: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const header = reply.indexOf('\r\n');
      const length = Number(reply.subarray(1, header).toString());
      if (header < 0 || reply.length < header + 2 + length) return;
      socket.destroy();
      const fields = new Map<string, string>();
      for (const line of reply
        .subarray(header + 2, header + 2 + length)
        .toString()
        .split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
      }
      resolve(fields);
    });
    socket.write(`*2\r\n$4\r\nINFO\r\n$${section.length}\r\n${section}\r\n`);
  });
}

/** Start redis-server and wait until it answers PING. */
export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'convoy-cli-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', '--dir', dir,
  ]; // prettier-ignore
  let child = await launch(args, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    command: (...commandArgs: string[]) => command(port, commandArgs),
    info: (section: string) => info(port, section),
    async kill9() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      child = await launch(args, port);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(args: readonly string[], port: number): Promise<ChildProcess> {
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const spawnError = new Promise<never>((_, reject) =>
    child.on('error', (error) =>
      reject(new Error(`cannot start redis-server (is it installed?): ${error.message}`)),
    ),
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pong = await Promise.race([command(port, ['PING']).catch(() => ''), spawnError]);
    if (pong === '+PONG') return child;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
