/**
 * Loads the Lua scripts in `./lua` and registers them on an ioredis client with `defineCommand`, which
 * runs EVALSHA and falls back to EVAL on NOSCRIPT (after a Redis restart or `SCRIPT FLUSH`), so no SHA
 * is cached forever. The number of keys comes from the file name (`commitTurn-18.lua` takes 18 keys).
 * A line `--!include <file>` is replaced by `./lua/lib/<file>` (Lua helpers several scripts share).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** The scripts, by command name. */
export const scriptFiles = {
  acceptEvent: 'acceptEvent-10.lua',
  claimConvoy: 'claimConvoy-5.lua',
  commitTurn: 'commitTurn-18.lua',
  ackEffects: 'ackEffects-3.lua',
  releaseConvoy: 'releaseConvoy-1.lua',
  renewLease: 'renewLease-1.lua',
  reapConvoy: 'reapConvoy-10.lua',
  readHistory: 'readHistory-2.lua',
  commitOperator: 'commitOperator-13.lua',
  redriveDeadLetters: 'redriveDeadLetters-9.lua',
  discardDeadLetter: 'discardDeadLetter-5.lua',
  scanIndex: 'scanIndex-1.lua',
} as const;

/** Name of a Convoy script. */
export type ScriptName = keyof typeof scriptFiles;

/** A registered script: call it with its keys then its arguments. */
export type ScriptCommand = (...keysAndArgs: Array<string | number>) => Promise<unknown>;

/** The registered scripts of one client. */
export type ConvoyScripts = Readonly<Record<ScriptName, ScriptCommand>>;

/** A Convoy script's source and key count, as read from `./lua`. */
export interface ScriptSource {
  readonly name: ScriptName;
  readonly file: string;
  readonly numberOfKeys: number;
  readonly lua: string;
}

let sources: readonly ScriptSource[] | undefined;

/** Pastes `./lua/lib/<file>` where a script says `--!include <file>`. */
function withIncludes(lua: string): string {
  return lua.replace(/^--!include ([\w.-]+\.lua)$/gm, (_, file: string) =>
    readFileSync(new URL(`./lua/lib/${file}`, import.meta.url), 'utf8'),
  );
}

/** Every script's source (read once per process). */
export function scriptSources(): readonly ScriptSource[] {
  sources ??= (Object.entries(scriptFiles) as Array<[ScriptName, string]>).map(([name, file]) => {
    const match = /-(\d+)\.lua$/.exec(file);
    if (!match?.[1]) throw new Error(`Script file name must end in -<numberOfKeys>.lua: ${file}`);
    const lua = withIncludes(readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8'));
    return { name, file, numberOfKeys: Number(match[1]), lua };
  });
  return sources;
}

// Command names are prefixed so they cannot clash with Redis commands or another library's scripts.
const commandName = (name: ScriptName): string => `convoy_${name}`;

/** Registers every script on `client` (idempotent) and returns callable handles. */
export function registerScripts(client: Redis | Cluster): ConvoyScripts {
  const handles = {} as Record<ScriptName, ScriptCommand>;
  for (const source of scriptSources()) {
    const command = commandName(source.name);
    if (typeof Reflect.get(client, command) !== 'function') {
      client.defineCommand(command, { numberOfKeys: source.numberOfKeys, lua: source.lua });
    }
    const method = Reflect.get(client, command) as ScriptCommand;
    handles[source.name] = (...keysAndArgs) => method.apply(client, keysAndArgs);
  }
  return handles;
}
