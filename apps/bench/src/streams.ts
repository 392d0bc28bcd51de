/**
 * What idle live streams cost (issue 14): spawns a private redis-server and `convoy serve --redis`
 * (processing on, as `convoy serve` runs by default), opens N idle per-type streams
 * (`GET /convoys/<type>/stream`), and prints the server's CPU %, Redis commands/s and the server's RSS
 * before, while the streams are open, and after they close.
 *
 *   pnpm --filter @convoy/bench bench:streams [--streams 300] [--cli <path to convoy.js>] [--seconds 5]
 *
 * `--cli` runs another checkout's CLI (e.g. a worktree of main) against the same measurement.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { killAllRedis, startRedis } from './redis-server.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '5' },
    cli: { type: 'string', default: join(here, '../../../packages/cli/bin/convoy.js') },
  },
});
const streamCount = Number(values.streams);
const seconds = Number(values.seconds);
const cli = resolve(values.cli);
const cliDir = dirname(dirname(cli));
const module = join(cliDir, 'test/fixtures/support-ticket.ts');
const type = 'support-ticket';
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) / 1024;
}

async function totalCommands(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
}

/** CPU % of the server and Redis commands/s over `seconds`. */
async function measure(pid: number, redis: Redis): Promise<{ cpu: number; ops: number; rss: number }> {
  const cpu0 = cpuTicks(pid);
  const ops0 = await totalCommands(redis);
  const started = Date.now();
  await sleep(seconds * 1000);
  const elapsed = (Date.now() - started) / 1000;
  const cpu = ((cpuTicks(pid) - cpu0) / ticksPerSecond / elapsed) * 100;
  const ops = ((await totalCommands(redis)) - ops0 - 1) / elapsed;
  return { cpu, ops, rss: rssMb(pid) };
}

function openStream(base: URL): Promise<ClientRequest> {
  return new Promise((done, fail) => {
    const req = request(new URL(`/convoys/${type}/stream`, base), { agent: false }, (res) => {
      if (res.statusCode !== 200) fail(new Error(`stream answered ${res.statusCode}`));
      res.resume(); // a reading client
      done(req);
    });
    req.on('error', () => undefined);
    req.end();
  });
}

async function main(): Promise<void> {
  const server = await startRedis('none');
  const redis = new Redis(server.url);
  const child = spawn(process.execPath, [cli, 'serve', module, '--port', '0', '--redis', server.url], {
    cwd: cliDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Convoy listening on (http:\/\/\S+)/.exec(out);
        if (match?.[1]) done(match[1]);
      });
      child.once('exit', (code) => fail(new Error(`convoy serve exited with ${code}`)));
    });
    const pid = child.pid!;
    await sleep(3000);
    const before = await measure(pid, redis);
    console.error(`before: ${JSON.stringify(before)}`);
    const streams: ClientRequest[] = [];
    while (streams.length < streamCount) {
      const batch = Math.min(25, streamCount - streams.length);
      streams.push(...(await Promise.all(Array.from({ length: batch }, () => openStream(new URL(url))))));
    }
    console.error(`${streams.length} streams open`);
    await sleep(2000);
    const open = await measure(pid, redis);
    console.error(`open: ${JSON.stringify(open)}`);
    for (const stream of streams) stream.destroy();
    await sleep(5000);
    const after = await measure(pid, redis);
    const row = (label: string, m: { cpu: number; ops: number; rss: number }) =>
      `${label.padEnd(28)} cpu ${m.cpu.toFixed(1).padStart(6)} %   redis ${m.ops.toFixed(0).padStart(7)} cmd/s   rss ${m.rss.toFixed(0).padStart(5)} MB`;
    console.log(`convoy serve --redis (${cli}), ${streamCount} idle per-type streams, ${seconds} s windows`);
    console.log(row('before', before));
    console.log(row(`${streamCount} streams open`, open));
    console.log(row('5 s after they closed', after));
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    redis.disconnect();
    await server.stop();
  }
}

process.once('SIGINT', () => {
  killAllRedis();
  process.exit(130);
});
try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
