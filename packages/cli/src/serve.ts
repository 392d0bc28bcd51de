/**
 * `convoy serve`: the HTTP API plus (by default) processing, in one process.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { AddressInfo } from 'node:net';
import { consolePlugin } from '@convoy/console';
import { ConvoyError } from '@convoy/core';
import type { ConvoyDefinition } from '@convoy/core';
import { buildConvoyApp, createConvoyMetrics, openGroups, resolveAllowedHosts } from '@convoy/http';
import type { ConvoyAuthOptions } from '@convoy/http';
import { createConvoyEngine, DefinitionRegistry, pinoLogger } from '@convoy/runtime';
import type { ConvoyEngine, ConvoyLogger } from '@convoy/runtime';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadDefinitions } from './load-definitions.ts';
import { openProcessStore } from './process-store.ts';
import { checkRedisUrl } from './redis-connection.ts';
import type { StoreOptions } from './process-store.ts';

/** Where `convoy serve` mounts the web console. */
const consolePrefix = '/console';

/** Where the definitions come from: a module path, or definitions already in hand. */
export type DefinitionSource =
  | { readonly module: string; readonly cwd?: string; readonly definitions?: undefined }
  | { readonly definitions: readonly ConvoyDefinition[]; readonly module?: undefined };

/** Options of {@link startServer}. */
export type ServerOptions = DefinitionSource &
  StoreOptions & {
    /**
     * TCP port; 0 picks a free one (read it from the returned `url`).
     * @defaultValue 3000
     */
    readonly port?: number;
    /**
     * Interface to listen on. Anything but a loopback address (`127.0.0.1`, `::1`, `localhost`) is
     * refused while a route group is open, unless `allowUnauthenticated`.
     * @defaultValue '127.0.0.1'
     */
    readonly host?: string;
    /**
     * Bearer tokens per route group (see `loadServeAuth` for the environment and `--auth-file`); the
     * console uses the same (its sign-in asks for a token).
     * @defaultValue every group open
     */
    readonly auth?: ConvoyAuthOptions;
    /**
     * `Host` names answered (the plugin's `allowedHosts`; `*` for any).
     * @defaultValue loopback names while a group is open, any host once every group has tokens
     */
    readonly allowedHosts?: readonly string[];
    /**
     * Listen on a non-loopback `host` although some route group has no token (anyone who reaches the
     * port may then use it).
     * @defaultValue false
     */
    readonly allowUnauthenticated?: boolean;
    /**
     * Process convoys in this process. False makes an HTTP-only node that accepts and reads while
     * `convoy worker` processes elsewhere (needs `redis`).
     * @defaultValue true
     */
    readonly worker?: boolean;
    /**
     * With `worker`: run the turn of a convoy this process's own accept woke right here (up to
     * `concurrency` at once) instead of a round trip through the scheduler (engine `localTurns`).
     * `--no-local-turns` turns it off, so every turn goes through the queue (e.g. to spread work
     * evenly over `convoy worker` processes).
     * @defaultValue true
     */
    readonly localTurns?: boolean;
    /**
     * Mount the web console at `/console` (`--no-console` turns it off).
     * @defaultValue true
     */
    readonly console?: boolean;
    /**
     * Log every request (Fastify's logger). Without it the API still logs each 5xx answer with its
     * stack at `error` level (JSON on stderr).
     * @defaultValue false
     */
    readonly logRequests?: boolean;
    /** The engine's logger. @defaultValue pino JSON lines at `logLevel` when set, else console warnings */
    readonly logger?: ConvoyLogger;
    /**
     * JSON logs (pino, on stderr) at this level for the engine and, with `logRequests`, for requests
     * (`Authorization` and `Idempotency-Key` redacted).
     * @defaultValue unset: console warnings and errors only
     */
    readonly logLevel?: string;
    /**
     * Live streams (SSE) open at once; one more gets `503 too_many_streams` with `Retry-After`.
     * @defaultValue 1000
     */
    readonly maxStreams?: number;
  };

/** A listening Convoy server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The web console's URL (`<url>/console`), or undefined when it is not mounted. */
  readonly consoleUrl: string | undefined;
  readonly definitions: readonly ConvoyDefinition[];
  /** The store in words, e.g. `embedded memory store (one process, not durable)`. */
  readonly storeDescription: string;
  /** Whether this process processes convoys (false for an HTTP-only node). */
  readonly processing: boolean;
  /** The `Host` names answered (`['*']`: any). */
  readonly allowedHosts: readonly string[];
  readonly engine: ConvoyEngine;
  readonly app: FastifyInstance;
  /** Stop accepting requests, let running turns finish, close the store. Safe to call twice. */
  close(): Promise<void>;
}

/** The engine's pino logger (JSON lines on stderr) at `level`, or undefined for the engine's default. */
export function engineLogger(level: string | undefined): ConvoyLogger | undefined {
  return level === undefined ? undefined : pinoLogger(pino({ level }, pino.destination(2)));
}

/** The request logger's level without `logRequests`: `warn`, or `logLevel` when that is quieter. */
function serverErrorLevel(logLevel: string | undefined): string {
  return logLevel === 'error' || logLevel === 'fatal' || logLevel === 'silent' ? logLevel : 'warn';
}

/** The definitions of a {@link DefinitionSource}. */
export async function resolveDefinitions(source: DefinitionSource): Promise<readonly ConvoyDefinition[]> {
  const definitions = source.definitions ?? (await loadDefinitions(source.module, source.cwd));
  if (definitions.length === 0) throw new ConvoyError('definition_invalid', 'No convoy definitions to serve');
  // Refuse duplicates before any connection is opened (the engine would, after the store is open).
  new DefinitionRegistry(definitions);
  return definitions;
}

/**
 * Start a Convoy server: load the definitions, open the store, start the engine, listen.
 *
 * @example
 * ```ts
 * const server = await startServer({ module: './src/order-convoy.ts', port: 0 });
 * await fetch(`${server.url}/convoys/order/1001/events`, { method: 'POST', ... });
 * await server.close();
 * ```
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  refuseOpenBind(host, options.auth, options.allowUnauthenticated ?? false);
  const allowedHosts = resolveAllowedHosts(options, '--allowed-hosts');
  if (options.redis !== undefined) checkRedisUrl(options.redis);
  const definitions = await resolveDefinitions(options);
  const processing = options.worker ?? true;
  if (!processing && options.redis === undefined) {
    throw new Error(
      'An HTTP-only server (--no-worker) needs --redis: with the memory store nothing else could process',
    );
  }
  const logger = options.logger ?? engineLogger(options.logLevel);
  const { store, scheduler, description } = await openProcessStore({ ...options, log: logger });
  // Prometheus metrics at GET /metrics: this process's own accepts and turns, plus convoys by status
  // read from the store's index at scrape time (so an HTTP-only node still shows every convoy).
  const metrics = createConvoyMetrics({ processMetrics: true });
  const engine = createConvoyEngine({
    definitions,
    store,
    scheduler,
    processing,
    // Every other engine number is the engine's own default (`engineDefaults`). Local turns are off
    // there (an embedded engine hands every wake-up to its scheduler); serve, where ingestion and turns
    // share a process by design, turns them on, as many as it processes at once.
    localTurns: processing && (options.localTurns ?? true) ? (options.concurrency ?? 16) : 0,
    metrics: metrics.sink,
    ...(logger ? { logger } : {}),
  });
  const requestLogs = options.logRequests ?? false;
  const app = buildConvoyApp({
    gateway: engine,
    metrics,
    ...(options.maxStreams === undefined ? {} : { maxStreams: options.maxStreams }),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts }),
    // Same JSON lines as the engine's, on stderr; stdout stays for the banner. Without request logs the
    // API still logs every 5xx with its stack (at `error`; warnings too unless the level is quieter).
    logger: {
      level: requestLogs ? (options.logLevel ?? 'info') : serverErrorLevel(options.logLevel),
      stream: pino.destination(2),
    },
  });
  const withConsole = options.console ?? true;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // HTTP first (no new events), then the engine (running turns finish), then the store's connections.
    closing ??= (async () => {
      await app.close();
      await engine.close();
      await store.close();
    })();
    return closing;
  };
  try {
    // The console is a page over the API just built (same origin, same auth); its live views use the
    // API's streams, which follow the store's change feed, so an HTTP-only node shows every process's commits.
    if (withConsole) {
      await app.register(consolePlugin, { prefix: consolePrefix });
    }
    await engine.start();
    await app.listen({ port: options.port ?? 3000, host });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const url = urlOf(app);
  return {
    url,
    consoleUrl: withConsole ? `${url}${consolePrefix}` : undefined,
    definitions,
    storeDescription: description,
    processing,
    allowedHosts,
    engine,
    app,
    close,
  };
}

/** Whether `host` (a `listen` address or name) only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost') return true;
  if (isIPv4(name)) return name.startsWith('127.');
  if (isIPv6(name)) {
    if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name)?.[1];
    return mapped !== undefined && mapped.startsWith('127.');
  }
  return false;
}

/**
 * Refuse to listen beyond this machine while a route group is open: anyone who can reach the port
 * could then read convoys, post events or pause them.
 */
function refuseOpenBind(
  host: string,
  auth: ConvoyAuthOptions | undefined,
  allowUnauthenticated: boolean,
): void {
  if (isLoopbackHost(host) || allowUnauthenticated) return;
  const open = openGroups(auth);
  if (open.length === 0) return;
  throw new ConvoyError(
    'invalid_options',
    `Refusing to listen on ${host} (reachable from other machines) while the ${open.join(', ')} ` +
      `route group${open.length === 1 ? ' is' : 's are'} open to anyone. Give every group tokens ` +
      '(CONVOY_READ_TOKENS, CONVOY_WRITE_TOKENS, CONVOY_OPERATE_TOKENS or --auth-file), or pass ' +
      '--allow-unauthenticated if a network boundary of your own protects this port.',
    { host, openGroups: open },
  );
}

function urlOf(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
