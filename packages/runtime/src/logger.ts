/**
 * The engine's logging port: structured, small, and silent unless asked.
 */

/** Structured fields attached to a log line (JSON-safe). */
export type LogFields = Readonly<Record<string, unknown>>;

/** What the engine logs through. Compatible with pino/Fastify loggers (`logger.warn(fields, msg)` is not used). */
export interface ConvoyLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose every line carries `bindings` (pino's child loggers); optional for simple loggers. */
  child?(bindings: LogFields): ConvoyLogger;
}

/** The part of a pino (or Fastify) logger the adapter uses: `logger.info(fields, message)` and `child`. */
export interface PinoLike {
  child(bindings: Record<string, unknown>): PinoLike;
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * The engine's logs through pino (e.g. Fastify's `app.log`): JSON lines, the turn's bindings
 * (`convoyType`, `convoyId`, `epoch`, `workerId`) on every line it logs. pino is not a dependency: any
 * logger of this shape fits.
 *
 * @example
 * ```ts
 * const engine = createConvoyEngine({ definitions, store, scheduler, logger: pinoLogger(pino()) });
 * ```
 */
export function pinoLogger(pino: PinoLike): ConvoyLogger {
  return {
    debug: (message, fields) => pino.debug(fields ?? {}, message),
    info: (message, fields) => pino.info(fields ?? {}, message),
    warn: (message, fields) => pino.warn(fields ?? {}, message),
    error: (message, fields) => pino.error(fields ?? {}, message),
    child: (bindings) => pinoLogger(pino.child({ ...bindings })),
  };
}

/** Warnings and errors to the console; debug and info dropped. The engine's default. */
export const consoleLogger: ConvoyLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => console.warn(`[convoy] ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`[convoy] ${message}`, fields ?? ''),
};

/** Drops everything (tests that provoke failures on purpose). */
export const silentLogger: ConvoyLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
