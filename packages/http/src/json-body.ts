/**
 * The API's JSON body parser. Everything a hostile body could use to hurt the store is refused here,
 * before the body is parsed or anything is stored:
 * - a `Content-Encoding` other than `identity` (nothing is decompressed): 415 `unsupported_content_encoding`;
 * - a charset other than UTF-8: 415 `unsupported_media_type`;
 * - bytes that are not UTF-8, a byte order mark, or strings with lone surrogates: 400 `invalid_encoding`;
 * - nesting deeper than `maxDepth` (counted on the raw text, so a 100,000-level body is never parsed):
 *   400 `payload_too_deep`;
 * - invalid JSON and prototype poisoning (`__proto__`, `constructor.prototype`): 400 `invalid_json`
 *   (Fastify's own parser).
 */
import { ConvoyError } from '@convoy/core';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import { quote } from './contract/fields.ts';

/** Default of the plugin option `maxDepth`: levels of nested arrays and objects in a body. */
export const defaultMaxBodyDepth = 64;

/** The `charset` parameter of a Content-Type header, lower-cased, if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const part of (contentType ?? '').split(';').slice(1)) {
    const [name, ...rest] = part.split('=');
    if (name?.trim().toLowerCase() === 'charset') {
      return rest
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return undefined;
}

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it (brackets inside
 * strings do not count). Stops counting once past `limit` and returns `limit + 1`.
 */
export function jsonNestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return limit + 1;
      }
    } else if (char === 0x5d || char === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

// With the `u` flag a surrogate pair is one code point, so this matches only a lone surrogate.
const loneSurrogate = /[\uD800-\uDFFF]/u;

/** Whether any string (key or value) of a parsed body holds a lone surrogate (not valid Unicode). */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return loneSurrogate.test(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  return Object.entries(value).some(([key, item]) => loneSurrogate.test(key) || hasLoneSurrogate(item));
}

type CallbackBodyParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The refusal of a body before parsing, or the body as text. */
function bodyText(request: FastifyRequest, body: Buffer, maxDepth: number): ConvoyError | string {
  const contentEncoding = request.headers['content-encoding'];
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity') {
    return new ConvoyError(
      'unsupported_content_encoding',
      `Content-Encoding ${quote(String(contentEncoding))} is not supported; send the body uncompressed`,
    );
  }
  const charset = charsetOf(request.headers['content-type']);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new ConvoyError(
      'unsupported_media_type',
      `Charset ${quote(charset)} is not supported; send UTF-8 JSON`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return new ConvoyError('invalid_encoding', 'Request body is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) {
    return new ConvoyError(
      'invalid_encoding',
      'Request body starts with a byte order mark; send JSON without one',
    );
  }
  if (jsonNestingDepth(text, maxDepth) > maxDepth) {
    return new ConvoyError(
      'payload_too_deep',
      `Request body nests arrays and objects deeper than ${maxDepth} levels`,
      { maxDepth },
    );
  }
  return text;
}

/**
 * A JSON body parser (`parseAs: 'buffer'`) applying the checks listed above, then Fastify's own parser
 * with prototype-poisoning protection set to `error`.
 */
export function jsonBodyParser(instance: FastifyInstance, maxDepth: number): FastifyBodyParser<Buffer> {
  // Fastify's default parser is the callback form at runtime; its declared type is the union of both forms.
  const parse = instance.getDefaultJsonParser('error', 'error') as CallbackBodyParser;
  return (request, body, done) => {
    const text = bodyText(request, body, maxDepth);
    if (typeof text !== 'string') {
      done(text);
      return;
    }
    parse(request, text, (error, value) => {
      if (error === null && hasLoneSurrogate(value)) {
        done(
          new ConvoyError(
            'invalid_encoding',
            'Request body holds a lone surrogate (\\uD800-\\uDFFF) in a string',
          ),
        );
        return;
      }
      done(error, value);
    });
  };
}
