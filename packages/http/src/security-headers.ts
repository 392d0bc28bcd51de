/**
 * Response headers every answer of the API carries: the subset of `@fastify/helmet`'s defaults that
 * means something for a JSON API (its HTML-only and HTTPS-only headers are left to the page that needs
 * them and to the TLS terminator).
 */
import type { FastifyReply } from 'fastify';

/**
 * The headers, by name:
 * - `x-content-type-options: nosniff`: a browser never runs or renders an answer as another type than
 *   the one declared (a JSON body carrying `<script>` stays JSON).
 * - `content-security-policy: default-src 'none'; frame-ancestors 'none'`: an answer opened as a
 *   document (an SVG diagram, a JSON error) may load and run nothing, and no page may frame it.
 * - `x-frame-options: DENY`: the same for browsers without CSP `frame-ancestors`.
 * - `referrer-policy: no-referrer`: URLs (convoy ids) never leak to another site through `Referer`.
 * - `cross-origin-resource-policy: same-origin`: another site cannot embed an answer with `<img>` or
 *   `<script>` (no-cors loads); CORS requests, which a host may allow with its own plugin, are unaffected.
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Set {@link securityHeaders} on a reply (a later `reply.header` may still replace one, e.g. a page's CSP). */
export function setSecurityHeaders(reply: FastifyReply): void {
  reply.headers(securityHeaders);
}
