/**
 * Runs the real `convoy` bin as a child process for end-to-end tests.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI package directory (module paths in tests are relative to it). */
export const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/convoy.js', import.meta.url));

/** A spawned `convoy` process and what it printed so far. */
export interface ConvoyProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL it if it is still running (cleanup after a failed test). */
  kill(): void;
}

/** Spawn `node bin/convoy.js <args>` in the CLI package directory, with `extraEnv` added. */
export function spawnConvoy(
  args: readonly string[],
  extraEnv: Readonly<Record<string, string>> = {},
): ConvoyProcess {
  // The embedded store and no auth unless a test asks otherwise, whatever the developer's shell exports.
  const env = { ...process.env };
  for (const name of [
    'CONVOY_REDIS_URL',
    'CONVOY_READ_TOKENS',
    'CONVOY_WRITE_TOKENS',
    'CONVOY_OPERATE_TOKENS',
    'CONVOY_AUTH_FILE',
    'CONVOY_ALLOWED_HOSTS',
  ]) {
    delete env[name];
  }
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, [bin, ...args], { cwd: packageDir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Wait until stdout matches `pattern`; resolve with its first group (or the match). */
export async function waitForOutput(
  spawned: ConvoyProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(spawned.stdout());
    if (match) return match[1] ?? match[0];
    if (spawned.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`convoy did not print ${pattern}:\n${spawned.stdout()}\n${spawned.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Wait for `convoy serve` to print its URL. */
export function waitForUrl(spawned: ConvoyProcess): Promise<string> {
  return waitForOutput(spawned, /Convoy listening on (http:\/\/\S+)/);
}

/** A JSON HTTP answer. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POST an event to a convoy. */
export async function postEvent(
  url: string,
  path: string,
  event: object,
  idempotencyKey?: string,
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(event) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** GET a JSON resource. */
export async function getJson(url: string, path: string): Promise<JsonAnswer> {
  const response = await fetch(`${url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Poll a convoy until it has processed `seq`. */
export async function waitProcessed(
  url: string,
  path: string,
  seq: number,
  timeoutMs = 20_000,
): Promise<JsonAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await getJson(url, path);
    if (answer.status === 200 && (answer.body['seq'] as number) >= seq) return answer;
    if (Date.now() > deadline)
      throw new Error(`${path} did not process seq ${seq}: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
