/**
 * The demo on Redis: this process serves HTTP only (`worker: false`) while separate `convoy worker`
 * processes do the processing, as in production. The workers' `notifyCustomer` log lines are collected
 * from their output, so the effect check still runs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@convoy/cli';
import type { DemoEnvironment } from './demo.ts';
import { createOrderConvoy } from './order-convoy.ts';
import { demoPaymentTimeout } from './demo.ts';

/** Options of {@link startRedisDemoEnvironment}. */
export interface RedisDemoOptions {
  /** The Redis URL (must use `maxmemory-policy noeviction`). */
  readonly redis: string;
  /** @defaultValue 0 (a free port) */
  readonly port?: number;
  /**
   * Worker processes to spawn.
   * @defaultValue 2
   */
  readonly workers?: number;
  /** Called for every notification a worker logs. */
  readonly onNotification?: (notification: string) => void;
  /** Payment timeout of the orders (handed to the workers). @defaultValue see `demoPaymentTimeout` */
  readonly paymentTimeoutMs?: number;
}

const convoyBin = join(
  dirname(createRequire(import.meta.url).resolve('@convoy/cli/package.json')),
  'bin/convoy.js',
);
const orderModule = fileURLToPath(new URL('./order-convoy.ts', import.meta.url));
const notificationLine = /\[notifyCustomer\] order (\S+): (\S+)/;

function spawnWorker(
  redis: string,
  paymentTimeoutMs: number,
  onLine: (line: string) => void,
): ChildProcessWithoutNullStreams {
  // The workers load the module's default export, which reads its payment timeout from the environment.
  const env = { ...process.env, CONVOY_DEMO_PAYMENT_TIMEOUT_MS: String(paymentTimeoutMs) };
  const child = spawn(process.execPath, [convoyBin, 'worker', orderModule, '--redis', redis], { env });
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    // Warnings and errors matter; the shutdown chatter of a SIGTERM we sent does not.
    for (const line of chunk.toString().split('\n')) {
      if (line && !/^convoy: (SIGTERM received|stopped)/.test(line))
        process.stderr.write(`[worker ${child.pid}] ${line}\n`);
    }
  });
  return child;
}

async function stopProcess(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Start an HTTP-only server in this process and worker processes, all on one Redis. */
export async function startRedisDemoEnvironment(options: RedisDemoOptions): Promise<DemoEnvironment> {
  const notifications: string[] = [];
  const ready: Array<Promise<void>> = [];
  const workers = Array.from({ length: options.workers ?? 2 }, () => {
    let markReady: () => void = () => undefined;
    ready.push(new Promise<void>((resolve) => (markReady = resolve)));
    const child = spawnWorker(options.redis, options.paymentTimeoutMs ?? demoPaymentTimeout(), (line) => {
      if (line.includes(' processing')) markReady();
      const match = notificationLine.exec(line);
      if (match) {
        const notification = `${match[1]}:${match[2]}`;
        notifications.push(notification);
        options.onNotification?.(notification);
      }
    });
    return child;
  });
  const stopWorkers = () => Promise.all(workers.map(stopProcess));
  // A worker that dies while starting (bad URL, evicting Redis) fails the start instead of hanging it.
  let failStart: (error: Error) => void = () => undefined;
  const startFailed = new Promise<never>((_, reject) => (failStart = reject));
  startFailed.catch(() => undefined);
  for (const child of workers) {
    child.once('exit', (code) =>
      failStart(new Error(`a convoy worker exited with code ${code} while starting`)),
    );
  }
  try {
    await Promise.race([Promise.all(ready), startFailed]);
    const server = await startServer({
      definitions: [createOrderConvoy()],
      redis: options.redis,
      worker: false,
      port: options.port ?? 0,
    });
    return {
      url: server.url,
      consoleUrl: server.consoleUrl,
      storeDescription: `${server.storeDescription}; HTTP in this process, ${workers.length} worker processes`,
      notifications,
      async close() {
        await server.close();
        await stopWorkers();
      },
    };
  } catch (error) {
    await stopWorkers();
    throw error;
  }
}
