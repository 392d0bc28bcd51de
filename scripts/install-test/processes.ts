/**
 * Child processes of the install test: one-shot commands with their output, and long-running `convoy`
 * processes that are ready once they print their banner. Every child is stopped by its pid at the end.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** What a finished command printed. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/** Run `command args` in `cwd` to the end (or kill it after `timeoutMs`). */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 300_000,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like {@link run}, but a non-zero exit is an error carrying the output. */
export async function runOk(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs?: number,
): Promise<CommandResult> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code} in ${cwd}\n${result.stdout}\n${result.stderr}`.trim(),
    );
  }
  return result;
}

/**
 * The environment of every child: no inherited workspace hints (a pnpm or npm script sets `npm_*` and
 * `NODE_OPTIONS` that must not leak into the user's project), colours off for stable output.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|VITEST|INIT_CWD$)/i.test(key)) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' };
}

/** A long-running child (`convoy serve`, `convoy worker`). */
export interface LongRunning {
  /** The banner line that matched, e.g. `Convoy listening on http://127.0.0.1:40123`. */
  readonly match: RegExpExecArray;
  output(): string;
  stop(): Promise<void>;
}

/** Start `command args` and resolve once its stdout matches `ready` (within `timeoutMs`). */
export function start(
  command: string,
  args: readonly string[],
  cwd: string,
  ready: RegExp,
  timeoutMs = 90_000,
): Promise<LongRunning> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    running.add(child);
    let stdout = '';
    let stderr = '';
    const output = () => `${stdout}\n${stderr}`.trim();
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('close', done));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }
      running.delete(child);
    };
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`${command} ${args.join(' ')} printed no ${ready} within ${timeoutMs} ms:\n${output()}`),
      );
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = ready.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ match, output, stop });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      running.delete(child);
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited ${code} before it was ready:\n${output()}`));
    });
  });
}

/** Kill every child still running (after a failure). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
