/**
 * `convoy serve`: the HTTP API plus (by default) processing, in one process.
 */
import type { AddressInfo } from 'node:net';
import { consolePlugin } from '@convoy/console';
import { ConvoyError } from '@convoy/core';
import type { ConvoyDefinition } from '@convoy/core';
import { buildConvoyApp, createConvoyMetrics } from '@convoy/http';
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
    /** @defaultValue '127.0.0.1' */
    readonly host?: string;
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
    // API's streams, which poll the store as well, so an HTTP-only node shows every process's commits.
    if (withConsole) {
      await app.register(consolePlugin, { prefix: consolePrefix });
    }
    await engine.start();
    await app.listen({ port: options.port ?? 3000, host: options.host ?? '127.0.0.1' });
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
    engine,
    app,
    close,
  };
}

function urlOf(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
