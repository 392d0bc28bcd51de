/**
 * Cross-site request refusal for every state-changing route (POST, DELETE, …), the way Go's
 * `http.CrossOriginProtection` and the OWASP "custom request header" pattern do it, with no token or
 * cookie to manage:
 *
 * 1. A browser tells where a request comes from: `Sec-Fetch-Site` (every current browser) must be
 *    `same-origin` or `none` (typed by the user); without it, an `Origin` header must name this host.
 *    Anything else is `403 cross_site_request`, unless the origin is in `trustedOrigins`.
 * 2. The request must carry `Content-Type: application/json` or an `X-Convoy-Request` header. A page on
 *    another origin can send neither without a CORS preflight, which this API never grants, so even a
 *    browser that sends no `Origin` (old ones, privacy extensions) cannot forge an empty-bodied or
 *    `text/plain` POST. Otherwise `415 unsupported_media_type`.
 *
 * Requests without `Sec-Fetch-Site` and `Origin` are not from a browser page (curl, the typed client,
 * servers): only rule 2 applies to them.
 */
import { ConvoyError } from '@convoy/core';
import type { FastifyRequest } from 'fastify';
import { quote } from './contract/fields.ts';

/** The header a non-JSON state-changing request (e.g. a body-less DELETE) sends to show it is no form. */
export const convoyRequestHeader = 'x-convoy-request';

/** Methods that change nothing; every other method is checked. */
export const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Whether `origin` (as a browser sends it) is the origin of a request addressed to `host`. */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const actual = host.trim().toLowerCase();
  if (actual === url.host) return true;
  // `Host: example.com:80` and `Origin: http://example.com` are the same origin.
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  return url.port === '' && actual === `${url.hostname}:${defaultPort}`;
}

/**
 * Check a `trustedOrigins` list: each entry an origin exactly as browsers send it
 * (`https://admin.example.com`, `http://localhost:5173`). Throws a TypeError naming the first bad entry.
 */
export function validateTrustedOrigins(source: string, origins: readonly string[]): ReadonlySet<string> {
  for (const origin of origins) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (parsed !== origin || parsed === 'null') {
      throw new TypeError(
        `${source}: ${JSON.stringify(origin)} is not an origin (write e.g. "https://admin.example.com", ` +
          'scheme and host, port only when not the default, no path or trailing slash)',
      );
    }
  }
  return new Set(origins);
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * The onRequest hook of a state-changing route: refuses a request a browser may have sent on behalf of
 * another site (`403 cross_site_request`) and one that could be a plain form or no-cors fetch
 * (`415 unsupported_media_type`).
 */
export function crossSiteGuard(
  trustedOrigins: ReadonlySet<string>,
): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const origin = single(request.headers.origin);
    const site = single(request.headers['sec-fetch-site'])?.trim().toLowerCase();
    const trusted = origin !== undefined && trustedOrigins.has(origin);
    if (!trusted) {
      const crossSite =
        site !== undefined
          ? site !== 'same-origin' && site !== 'none'
          : origin !== undefined && !isSameOrigin(origin, request.headers.host);
      if (crossSite) {
        throw new ConvoyError(
          'cross_site_request',
          `Refused a ${request.method} sent by a page of another origin (${
            origin === undefined ? `Sec-Fetch-Site: ${site ?? ''}` : `Origin: ${quote(origin)}`
          }); state-changing requests must come from this origin or a trusted one`,
          { origin: origin ?? null, secFetchSite: site ?? null },
        );
      }
    }
    if (mediaType(request.headers['content-type']) === 'application/json') return;
    if (request.headers[convoyRequestHeader] !== undefined) return;
    throw new ConvoyError(
      'unsupported_media_type',
      `A ${request.method} must send Content-Type: application/json (with a JSON body, e.g. {}) or an ` +
        'X-Convoy-Request header: without either, any web page could send it from another site',
    );
  };
}
