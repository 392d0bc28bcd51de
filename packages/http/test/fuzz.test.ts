/**
 * No request, however odd, makes the edge answer with anything but a 202 receipt or a 4xx error body from
 * the table: random ids, bodies, content types and query strings against the real engine.
 */
import { errorStatusByCode } from '@convoy/core';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ConvoyEngine } from '@convoy/runtime';
import { buildConvoyApp } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';

let engine: ConvoyEngine;
let app: FastifyInstance;
beforeAll(async () => {
  engine = await memoryEngine();
  app = buildConvoyApp({ gateway: engine });
});
afterAll(async () => {
  await app.close();
  await engine.close();
});

const id = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,130}$/),
  fc.string({ maxLength: 140, unit: 'grapheme' }),
);
const body = fc.oneof(
  fc.json(),
  fc.string({ unit: 'grapheme' }),
  fc.record({ type: fc.constantFrom('OrderPlaced', 'PaymentConfirmed', 'Tick', 'xstate.init', 'Nope', '') }),
  fc.record({ type: fc.constantFrom('OrderPlaced', 'ItemsShipped'), extra: fc.jsonValue() }),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/octet-stream',
  undefined,
);
const query = fc.constantFrom('', '?wait=0', '?wait=-1', '?wait=abc', '?x=1', '?wait=10&wait=20');

it('any POST gets a 202 receipt or a table error, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(id, body, contentType, query, async (convoyId, payload, type, search) => {
      const response = await app.inject({
        method: 'POST',
        url: `/convoys/parcel/${encodeURIComponent(convoyId)}/events${search}`,
        headers: type === undefined ? {} : { 'content-type': type },
        payload,
      });
      if (response.statusCode === 202) {
        expect(response.json()).toMatchObject({ type: 'parcel', id: convoyId, seq: expect.any(Number) });
        return;
      }
      const error = response.json<{
        statusCode: number;
        code: keyof typeof errorStatusByCode;
        message: string;
      }>();
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'statusCode']);
      expect(errorStatusByCode[error.code]).toBe(response.statusCode);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }),
    { numRuns: 300 },
  );
}, 60_000);

it('any GET path under /convoys gets a 200 or a table error, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      id,
      fc.constantFrom('', '/history', '/wait?seq=1&timeout=0', '/wait?seq=x'),
      async (convoyId, tail) => {
        const response = await app.inject({
          method: 'GET',
          url: `/convoys/parcel/${encodeURIComponent(convoyId)}${tail}`,
        });
        if (response.statusCode === 200) return;
        const error = response.json<{ code: keyof typeof errorStatusByCode }>();
        expect(errorStatusByCode[error.code]).toBe(response.statusCode);
        expect(response.statusCode).toBeLessThan(500);
      },
    ),
    { numRuns: 200 },
  );
}, 60_000);
