/**
 * The OS processes of the topology scenario: spawned by the bench, watched for their banner, measured
 * by CPU time (from /proc), and killed at the end — also when the run fails or is interrupted.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A spawned Node process of the topology and what it printed so far. */
export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it wrote on stdout so far. */
  stdout(): string;
  /** The last few KB it wrote on stderr (for error messages). */
  stderr(): string;
  /** Resolves when it exited. */
  readonly exited: Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Processes spawned and not yet reaped, so a failed or interrupted run can still kill them by pid. */
const running = new Set<BenchProcess>();

/** SIGKILL every process the topology spawned (for signal handlers and failures). */
export function killAllProcesses(): void {
  for (const spawned of running) {
    try {
      process.kill(spawned.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/**
 * Spawn `node <args>` (this Node binary) in `cwd`. With `ipc`, the child gets an IPC channel and
 * `onMessage` receives what it sends.
 */
export function spawnNode(
  name: string,
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly onMessage?: (message: unknown) => void;
  },
): BenchProcess {
  const child = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.onMessage ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} could not be spawned`);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.length > 65_536) stdout = stdout.slice(-32_768);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_096);
  });
  if (options.onMessage) child.on('message', options.onMessage);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawned: BenchProcess = {
    name,
    pid,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const done = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
        ]);
        if (!done) child.kill('SIGKILL');
        await exited;
      }
      running.delete(spawned);
    },
  };
  running.add(spawned);
  void exited.then(() => running.delete(spawned));
  return spawned;
}

/** Wait until the process printed `pattern` on stdout; resolves with its first group (or the match). */
export async function waitForOutput(
  spawned: BenchProcess,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(spawned.stdout());
    if (match) return match[1] ?? match[0];
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null || Date.now() > deadline) {
      throw new Error(
        `${spawned.name} did not print ${String(pattern)} (exit ${spawned.child.exitCode ?? spawned.child.signalCode ?? 'none'}):\n${spawned.stdout()}\n${spawned.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stop every process given, in parallel. */
export async function stopAll(processes: readonly BenchProcess[]): Promise<void> {
  await Promise.all(processes.map((spawned) => spawned.stop()));
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * CPU seconds (user + system) a process used so far, from /proc/<pid>/stat (Linux); NaN elsewhere or
 * once it is gone. Resolution: one clock tick (10 ms).
 */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), starting at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return Number.NaN;
  }
}

/** Summed CPU seconds of a group of processes. */
export function groupCpuSeconds(processes: readonly BenchProcess[]): number {
  return processes.reduce((sum, spawned) => sum + processCpuSeconds(spawned.pid), 0);
}
