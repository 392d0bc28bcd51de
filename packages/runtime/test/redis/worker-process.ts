/**
 * Fixture worker processes for the fault tests (`node --import tsx <script> <args>`), killed with
 * SIGKILL, and a polling helper that tolerates a restarting Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A spawned fixture worker and everything it printed. */
export interface FixtureWorker {
  readonly child: ChildProcess;
  output: string;
}

/** Spawns `fixtures/<script>` with `args`. */
export function spawnFixtureWorker(script: string, args: readonly string[]): FixtureWorker {
  const path = fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: FixtureWorker = { child, output: '' };
  child.stdout?.on('data', (chunk: Buffer) => (worker.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (worker.output += chunk.toString()));
  return worker;
}

/** SIGKILLs a worker and waits for its exit. */
export async function kill9(worker: FixtureWorker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGKILL');
  await exited;
}

/** Polls `read` (retrying while Redis restarts) until `done` holds; throws after `timeoutMs`. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // Redis may be restarting.
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}
