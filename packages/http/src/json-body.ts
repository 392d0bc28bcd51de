/**
 * The API's JSON body parser: UTF-8 only (any other charset is a 415), Fastify's own parser otherwise,
 * with prototype poisoning refused.
 */
import { ConvoyError } from '@convoy/core';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import { quote } from './contract/fields.ts';

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

type CallbackBodyParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * A JSON body parser that refuses charsets other than UTF-8 (415) and otherwise delegates to
 * Fastify's own parser with prototype-poisoning protection set to `error`.
 */
export function jsonBodyParser(instance: FastifyInstance): FastifyBodyParser<string> {
  // Fastify's default parser is the callback form at runtime; its declared type is the union of both forms.
  const parse = instance.getDefaultJsonParser('error', 'error') as CallbackBodyParser;
  return (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(
        new ConvoyError(
          'unsupported_media_type',
          `Charset ${quote(charset)} is not supported; send UTF-8 JSON`,
        ),
      );
      return;
    }
    parse(request, body, done);
  };
}
