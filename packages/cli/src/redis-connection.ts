/**
 * The `--redis` URL of a process: checked before any connection is tried, shown with its password
 * redacted, and its connection's ups and downs reported once per change through the JSON logger.
 */
import type { EventEmitter } from 'node:events';
import { ConvoyError } from '@convoy/core';
import type { ConvoyLogger } from '@convoy/runtime';

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    // Not a URL: still never print what could be a password (`user:secret@host`).
    return url.replace(/^([^/]*\/\/)?[^@/]*@/, '$1***@');
  }
}

/**
 * Check a `--redis` value: a `redis://` or `rediss://` URL with a host. Anything else (`notaurl`, a bare
 * host name, `http://...`) is refused at once instead of being taken as a host name.
 *
 * @throws ConvoyError `invalid_options` naming the (redacted) value and the expected form
 */
export function checkRedisUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '') {
    throw new ConvoyError(
      'invalid_options',
      `--redis ${JSON.stringify(redactUrl(url))} is not a Redis URL; expected redis://[user:password@]host[:port][/db] ` +
        '(or rediss:// for TLS)',
    );
  }
  return url;
}

/**
 * Log a Redis connection's state changes through `logger`: `error` once when it is lost (with the
 * redacted URL and the first error), `info` once when it is back. ioredis retries by itself, emitting an
 * error per attempt; those repeats are not logged.
 */
export function watchRedisConnection(
  client: EventEmitter,
  logger: ConvoyLogger,
  url: string,
  name: string,
): void {
  let state: 'starting' | 'up' | 'down' = 'starting';
  const redis = redactUrl(url);
  client.on('ready', () => {
    if (state === 'down') logger.info('redis connection restored', { redis, connection: name });
    state = 'up';
  });
  const lost = (error?: Error): void => {
    if (state !== 'up') return;
    state = 'down';
    logger.error('redis connection lost; retrying', {
      redis,
      connection: name,
      error: error?.message ?? 'connection closed',
    });
  };
  client.on('error', (error: Error) => lost(error));
  client.on('close', () => lost());
}
