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
