/**
 * What every command that talks to a running server shares: `--url`, `--token`, `--json`, the client,
 * and how a failure is reported (the server's code on stderr, exit code 1).
 */
import { createConvoyClient } from '@convoy/client';
import type { ConvoyClient } from '@convoy/client';
import { isConvoyError } from '@convoy/core';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';

/** Flags every remote command takes. */
export interface RemoteFlags {
  readonly url: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** Where a command writes: `out` for results (stdout), `err` for failures (stderr). */
export interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * Thrown after a failure was already reported: the entry point exits 1 without printing it again.
 */
export class ReportedError extends Error {
  /** The process exit code: 1 for a failed request, 2 for an event the convoy refused. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'ReportedError';
    this.exitCode = exitCode;
  }
}

/** The default server URL: `CONVOY_URL` or the address `convoy serve` listens on by default. */
export const defaultUrl = 'http://127.0.0.1:3000';

/** Add `--url`, `--token` and `--json` to a command. */
export function remoteOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the Convoy server').env('CONVOY_URL').default(defaultUrl))
    .addOption(new Option('--token <token>', 'bearer token for the server').env('CONVOY_TOKEN'))
    .option('--json', 'print JSON instead of text');
}

/** An integer option/argument parser (`min`..`max`). */
export function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return parsed;
  };
}

/** The client for the flags' server (untyped: the CLI does not load the definitions). */
export function clientFor(flags: RemoteFlags): ConvoyClient {
  return createConvoyClient({
    // An empty CONVOY_URL means "not set".
    baseUrl: flags.url || defaultUrl,
    ...(flags.token ? { token: flags.token } : {}),
  });
}

/**
 * Run a remote command: print what `render` returns (or its JSON with `--json`), and report a failure
 * with the server's code (`convoy: convoy_not_found (404): ...`, or the error body with `--json`).
 */
export async function runRemote<T>(
  flags: RemoteFlags,
  output: Output,
  action: (client: ConvoyClient) => Promise<T>,
  render: (result: T) => readonly string[],
): Promise<T> {
  let result: T;
  try {
    result = await action(clientFor(flags));
  } catch (error) {
    report(error, flags, output);
  }
  if (flags.json) output.out(JSON.stringify(result, null, 2));
  else for (const line of render(result)) output.out(line);
  return result;
}

/**
 * After a wait printed its outcome: an event the convoy refused (`rejected`, `deadLettered`) ends the
 * command with exit code 2 and says so on stderr, so a script can tell "refused" from "failed" (1).
 */
export function failOnRefusal(
  result: {
    readonly seq: number;
    readonly processed?: boolean;
    readonly outcome?: string;
    readonly reason?: string;
  },
  output: Output,
): void {
  if (result.processed !== true) return;
  if (result.outcome !== 'rejected' && result.outcome !== 'deadLettered') return;
  const message = `event seq ${result.seq} was ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`;
  output.err(`convoy: ${message}`);
  throw new ReportedError(message, 2);
}

/** Report an error and throw {@link ReportedError}. */
export function report(error: unknown, flags: RemoteFlags, output: Output): never {
  if (isConvoyError(error)) {
    const status = typeof error.details?.['status'] === 'number' ? error.details['status'] : error.statusCode;
    if (flags.json) {
      output.err(JSON.stringify({ statusCode: status, code: error.code, message: error.message }));
    } else {
      output.err(`convoy: ${error.code} (${status}): ${error.message}`);
    }
    throw new ReportedError(error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  output.err(flags.json ? JSON.stringify({ code: 'client_error', message }) : `convoy: ${message}`);
  throw new ReportedError(message);
}
