/**
 * Event payload schemas (`defineConvoy({ schemas })`, any Standard Schema v1; here zod 4) on the real
 * engine: a body that fails its type's schema is refused with 422 `invalid_event_payload` naming the
 * field, before anything is stored; valid bodies and events without a schema are accepted as sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { defineConvoy, isConvoyError } from '@convoy/core';
import type { StandardSchemaV1, ConvoyError } from '@convoy/core';
import type { ConvoyEngine } from '@convoy/runtime';
import { setup } from 'xstate';
import { z } from 'zod';
import { buildConvoyApp } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';
import { expectError } from './support/expect-error.ts';

const paymentMachine = setup({
  types: {
    events: {} as
      | { type: 'Pay'; amount: number; card: { last4: string } }
      | { type: 'Note'; text: string }
      | { type: 'Close' },
  },
}).createMachine({
  id: 'payment',
  initial: 'Open',
  states: {
    Open: { on: { Pay: 'Paid', Note: 'Open' } },
    Paid: { on: { Close: 'Closed' } },
    Closed: { type: 'final' },
  },
});

const payment = defineConvoy({
  type: 'payment',
  machine: paymentMachine,
  schemas: {
    Pay: z.object({
      type: z.literal('Pay'),
      amount: z.number().positive(),
      card: z.object({ last4: z.string().regex(/^\d{4}$/) }),
    }),
    Note: z.object({ type: z.literal('Note'), text: z.string().max(10) }),
  },
});

let engine: ConvoyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await memoryEngine([payment]);
  app = buildConvoyApp({ gateway: engine });
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

const post = (id: string, event: unknown) =>
  app.inject({
    method: 'POST',
    url: `/convoys/payment/${id}/events?wait=5000`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(event),
  });

describe('event payload schemas', () => {
  it('refuses a body failing its schema with 422 invalid_event_payload naming the nested field; nothing is stored', async () => {
    const response = await post('p-1', { type: 'Pay', amount: 10, card: { last4: '12a4' } });
    expect(expectError(response, 'invalid_event_payload')).toMatch(/\$\.card\.last4/);
    expect(
      expectError(
        await post('p-1', { type: 'Pay', amount: -1, card: { last4: '1234' } }),
        'invalid_event_payload',
      ),
    ).toMatch(/\$\.amount/);
    expect((await app.inject({ method: 'GET', url: '/convoys/payment/p-1' })).statusCode).toBe(404);
  });

  it('the gateway error lists every issue with its path and message in details', async () => {
    const error: unknown = await engine
      .accept({ type: 'payment', id: 'p-1', event: { type: 'Pay', amount: 'x', card: {} } })
      .catch((caught: unknown) => caught);
    expect(isConvoyError(error) && error.code).toBe('invalid_event_payload');
    const issues = (error as ConvoyError).details?.['issues'] as { path: string; message: string }[];
    expect(issues.map((issue) => issue.path).sort()).toEqual(['$.amount', '$.card.last4']);
    expect(issues.every((issue) => issue.message.length > 0)).toBe(true);
  });

  it('accepts valid bodies as sent, and events without a schema unchecked', async () => {
    expect((await post('p-1', { type: 'Note', text: 'hi' })).statusCode).toBe(202);
    expectError(await post('p-1', { type: 'Note', text: 'far too long a note' }), 'invalid_event_payload');
    const paid = await post('p-1', { type: 'Pay', amount: 5, card: { last4: '4242' } });
    expect(paid.json()).toMatchObject({ seq: 2, processed: true });
    expect((await post('p-1', { type: 'Close', anything: [1] })).json()).toMatchObject({ processed: true });
    const history = (await app.inject({ method: 'GET', url: '/convoys/payment/p-1/history' })).json<{
      items: { event: unknown }[];
    }>();
    expect(history.items[1]?.event).toEqual({ type: 'Pay', amount: 5, card: { last4: '4242' } });
  });

  it('an asynchronous schema is a definition error (500 definition_invalid), never a silent pass', async () => {
    const asyncSchema: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) },
    };
    const slow = defineConvoy({ type: 'slow', machine: paymentMachine, schemas: { Close: asyncSchema } });
    const slowEngine = await memoryEngine([slow]);
    const slowApp = buildConvoyApp({ gateway: slowEngine });
    try {
      const response = await slowApp.inject({
        method: 'POST',
        url: '/convoys/slow/s-1/events',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ type: 'Close' }),
      });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ code: 'definition_invalid' });
    } finally {
      await slowApp.close();
      await slowEngine.close();
    }
  });

  it('lists the JSON Schema of each event body in the OpenAPI document and the type description', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['payment.Pay', 'payment.Note']),
    );
    expect(doc.components.schemas['payment.Pay']?.properties).toMatchObject({
      amount: { type: 'number' },
      card: { type: 'object' },
    });
    const described = await app.inject({ method: 'GET', url: '/convoy-types/payment' });
    expect(Object.keys(described.json<{ eventSchemas: object }>().eventSchemas).sort()).toEqual([
      'Note',
      'Pay',
    ]);
  });

  it('defineConvoy refuses a schema for an event the machine does not have, or a non-schema', () => {
    const define = (schemas: Record<string, unknown>) => () =>
      defineConvoy({ type: 'bad', machine: paymentMachine, schemas: schemas });
    expect(define({ Nope: z.object({}) })).toThrow(/schemas\.Nope/);
    expect(define({ Pay: { validate: () => true } })).toThrow(/schemas\.Pay/);
  });
});
