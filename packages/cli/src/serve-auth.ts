/**
 * Where `convoy serve` finds its bearer tokens: `CONVOY_READ_TOKENS`, `CONVOY_WRITE_TOKENS`,
 * `CONVOY_OPERATE_TOKENS` (comma-separated `token` or `name:token`) and/or an auth file
 * (`--auth-file`, JSON `{ "read": [...], "write": [...], "operate": [...] }`). Every mistake is a loud
 * error naming where it is; nothing here ever prints a token.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConvoyError } from '@convoy/core';
import type { BearerToken, ConvoyAuthOptions, RouteGroup } from '@convoy/http';

const groups: readonly RouteGroup[] = ['read', 'write', 'operate'];

/** The environment variable of each route group's tokens. */
export const tokenEnvNames: Readonly<Record<RouteGroup, string>> = {
  read: 'CONVOY_READ_TOKENS',
  write: 'CONVOY_WRITE_TOKENS',
  operate: 'CONVOY_OPERATE_TOKENS',
};

/** Shortest token accepted: 16 characters (e.g. `openssl rand -hex 16` gives 32). */
export const minTokenLength = 16;
const tokenPattern = /^[\x21-\x7e]+$/;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** What {@link loadServeAuth} reads. */
export interface ServeAuthSources {
  /** The environment (only the three `CONVOY_*_TOKENS` variables are read). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The auth file's path (relative to `cwd`). */
  readonly file?: string;
  /** @defaultValue `process.cwd()` */
  readonly cwd?: string;
}

/** The tokens found, per group, and what to tell the operator about them. */
export interface ServeAuth {
  /** The plugin's `auth` option: a group with no token is left open (undefined). */
  readonly auth: ConvoyAuthOptions;
  /** One line per guarded group, e.g. `operate: 2 tokens (CONVOY_OPERATE_TOKENS, auth.json)`. */
  readonly summary: readonly string[];
  /** Things that work but should not be so (an auth file others may read). */
  readonly warnings: readonly string[];
}

const invalid = (message: string): ConvoyError => new ConvoyError('invalid_options', message);

function checkToken(where: string, token: string, name: string | undefined): BearerToken {
  if (token.length < minTokenLength || !tokenPattern.test(token)) {
    throw invalid(
      `${where}: a token must be at least ${minTokenLength} printable ASCII characters without spaces ` +
        `(got ${token.length} characters); generate one with: openssl rand -hex 32`,
    );
  }
  if (name === undefined) return token;
  if (!namePattern.test(name)) {
    throw invalid(
      `${where}: the token name ${JSON.stringify(name)} must be 1-64 letters, digits, ".", "_", "@" or "-"`,
    );
  }
  return { name, token };
}

/** Parse one `CONVOY_*_TOKENS` value: comma-separated `token` or `name:token` entries. */
export function parseTokenList(variable: string, value: string): BearerToken[] {
  return value.split(',').map((raw, index) => {
    const entry = raw.trim();
    const where = `${variable} (entry ${index + 1})`;
    if (entry === '') throw invalid(`${where} is empty; separate tokens with single commas`);
    const colon = entry.indexOf(':');
    return colon < 0
      ? checkToken(where, entry, undefined)
      : checkToken(where, entry.slice(colon + 1), entry.slice(0, colon));
  });
}

/** Read and check an auth file; warn when others may read it, refuse it when others may write it. */
function readAuthFile(path: string): {
  tokens: Partial<Record<RouteGroup, BearerToken[]>>;
  warnings: string[];
} {
  const warnings: string[] = [];
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw invalid(`--auth-file ${path} is not a file`);
    if (process.platform !== 'win32') {
      // Writable by others: anyone on the machine could add a token of their own. Refused.
      if ((stat.mode & 0o022) !== 0) {
        throw invalid(
          `--auth-file ${path} may be written by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
            `chmod 600 ${path}`,
        );
      }
      // Readable by others: a leak, but Kubernetes (0644) and Docker (0444) mount secrets this way.
      if ((stat.mode & 0o044) !== 0) {
        warnings.push(
          `--auth-file ${path} may be read by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
            `chmod 600 ${path} unless only this service's user can reach it`,
        );
      }
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConvoyError) throw error;
    throw invalid(`--auth-file ${path} cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`--auth-file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const shape = '{ "read": [...], "write": [...], "operate": [...] }';
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(`--auth-file ${path} must be a JSON object ${shape}`);
  }
  const tokens: Partial<Record<RouteGroup, BearerToken[]>> = {};
  for (const [key, list] of Object.entries(parsed)) {
    if (!(groups as readonly string[]).includes(key)) {
      throw invalid(`--auth-file ${path}: unknown key ${JSON.stringify(key)}; expected ${shape}`);
    }
    if (!Array.isArray(list)) throw invalid(`--auth-file ${path}: "${key}" must be an array of tokens`);
    tokens[key as RouteGroup] = list.map((entry: unknown, index) => {
      const where = `--auth-file ${path}: ${key}[${index}]`;
      if (typeof entry === 'string') return checkToken(where, entry, undefined);
      if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
        const { name, token, ...rest } = entry as Record<string, unknown>;
        const extra = Object.keys(rest);
        if (typeof name === 'string' && typeof token === 'string' && extra.length === 0) {
          return checkToken(where, token, name);
        }
      }
      throw invalid(`${where} must be a token string or { "name": "...", "token": "..." }`);
    });
  }
  return { tokens, warnings };
}

/**
 * The auth of `convoy serve`: the tokens of the environment and of the auth file, merged per group. A
 * group that gets no token stays open; one whose only list is empty (`"operate": []`) too, and that is
 * said in `warnings`.
 */
export function loadServeAuth(sources: ServeAuthSources): ServeAuth {
  const env = sources.env ?? {};
  const byGroup: Record<RouteGroup, { tokens: BearerToken[]; from: string[] }> = {
    read: { tokens: [], from: [] },
    write: { tokens: [], from: [] },
    operate: { tokens: [], from: [] },
  };
  const warnings: string[] = [];
  for (const group of groups) {
    const variable = tokenEnvNames[group];
    const value = env[variable];
    // An empty variable means "not set", like CONVOY_REDIS_URL.
    if (value === undefined || value.trim() === '') continue;
    byGroup[group].tokens.push(...parseTokenList(variable, value));
    byGroup[group].from.push(variable);
  }
  if (sources.file !== undefined) {
    const path = resolve(sources.cwd ?? process.cwd(), sources.file);
    const file = readAuthFile(path);
    warnings.push(...file.warnings);
    for (const group of groups) {
      const tokens = file.tokens[group];
      if (tokens === undefined) continue;
      if (tokens.length === 0)
        warnings.push(`--auth-file ${path}: "${group}" lists no token, so it stays open`);
      byGroup[group].tokens.push(...tokens);
      byGroup[group].from.push(sources.file);
    }
  }
  const auth: { -readonly [G in RouteGroup]?: { readonly tokens: readonly BearerToken[] } } = {};
  const summary: string[] = [];
  for (const group of groups) {
    const { tokens, from } = byGroup[group];
    if (tokens.length === 0) continue;
    auth[group] = { tokens };
    summary.push(`${group}: ${tokens.length} token${tokens.length === 1 ? '' : 's'} (${from.join(', ')})`);
  }
  return { auth, summary, warnings };
}
