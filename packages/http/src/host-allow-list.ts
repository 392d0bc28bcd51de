/**
 * DNS-rebinding defence: the API answers only the `Host` names it was told about. A page on
 * `evil.example` whose DNS record is switched to 127.0.0.1 reaches a loopback-bound server with
 * `Host: evil.example` (the browser sees the same origin, so neither CORS nor the cross-site check can
 * stop it); checking the name the request was addressed to does.
 */
import { ConvoyError } from '@convoy/core';
import type { FastifyRequest } from 'fastify';
import { quote } from './contract/fields.ts';

/** The names a loopback-only server answers to (any port). */
export const loopbackHostNames: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The host name of a `Host` header value, lower-cased, without the port (`[::1]:3000` → `[::1]`,
 * `Example.COM:80` → `example.com`); undefined for a missing or malformed value.
 */
export function hostNameOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return undefined;
    const rest = value.slice(end + 1);
    return rest === '' || /^:\d{1,5}$/.test(rest) ? value.slice(0, end + 1) : undefined;
  }
  const match = /^([^:\s]+)(?::\d{1,5})?$/.exec(value);
  return match?.[1];
}

/**
 * Check an `allowedHosts` list: each entry a host name (`convoy.example.com`, `10.0.0.5`, `[::1]`, no
 * port, no scheme), or `*` for any. Throws a TypeError naming the first bad entry.
 */
export function validateAllowedHosts(source: string, hosts: readonly string[]): readonly string[] {
  return hosts.map((entry) => {
    const name = entry.trim().toLowerCase();
    if (name === '*') return name;
    if (name === '' || hostNameOf(name) !== name || name.includes('/')) {
      throw new TypeError(
        `${source}: ${JSON.stringify(entry)} is not a host name (write e.g. "convoy.example.com", ` +
          `"10.0.0.5" or "[::1]", without scheme or port; "*" allows any)`,
      );
    }
    return name;
  });
}

/**
 * The onRequest hook refusing a request whose `Host` is not in `allowed` with `403 host_not_allowed`;
 * undefined when `allowed` contains `*` (any host).
 */
export function hostGuard(
  allowed: readonly string[],
): ((request: FastifyRequest) => Promise<void>) | undefined {
  if (allowed.includes('*')) return undefined;
  const names = new Set(allowed);
  return async (request) => {
    const host = request.headers.host;
    const name = hostNameOf(host);
    if (name !== undefined && names.has(name)) return;
    throw new ConvoyError(
      'host_not_allowed',
      `Host ${quote(host ?? '')} is not served here; allowed: ${[...names].join(', ')} ` +
        '(configure allowedHosts / --allowed-hosts, or protect every route group with auth)',
      { host: name ?? null },
    );
  };
}
