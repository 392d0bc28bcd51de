/**
 * The one error table is the only source of HTTP statuses: every code a gateway can throw comes out with
 * its table status; server-side failures are redacted for the client and logged in full.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { ConvoyError, errorStatusByCode } from '@convoy/core';
import type { ConvoyErrorCode } from '@convoy/core';
import { describe, expect, it } from 'vitest';
import { buildConvoyApp, toErrorReply } from '../src/index.ts';
import { expectError } from './support/expect-error.ts';
import { scriptedGateway } from './support/scripted-gateway.ts';

const allCodes = Object.keys(errorStatusByCode) as ConvoyErrorCode[];

/** A pino destination collecting log lines in memory. */
function logSink(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { stream, lines };
}

describe('every code of the table', () => {
  it.each(allCodes)('a gateway throwing %s answers with the table status and code', async (code) => {
    const gateway = scriptedGateway({
      getConvoy: async () => {
        throw new ConvoyError(code, 'detail from the gateway at redis://10.0.0.7:6379');
      },
    });
    const app = buildConvoyApp({ gateway });
    const response = await app.inject({ method: 'GET', url: '/convoys/order/o-1' });
    const message = expectError(response, code);
    if (errorStatusByCode[code] >= 500) {
      expect(message).not.toContain('redis://');
    } else {
      expect(message).toBe('detail from the gateway at redis://10.0.0.7:6379');
    }
    await app.close();
  });

  it('errors thrown by accept keep their code (409, 422, 429 come from the gateway)', async () => {
    for (const code of [
      'idempotency_conflict',
      'unknown_event_type',
      'reserved_event_type',
      'backlog_full',
    ] as const) {
      const gateway = scriptedGateway({
        accept: async () => {
          throw new ConvoyError(code, code);
        },
      });
      const app = buildConvoyApp({ gateway });
      const response = await app.inject({
        method: 'POST',
        url: '/convoys/order/o-1/events',
        headers: { 'content-type': 'application/json' },
        payload: '{"type":"Go"}',
      });
      expectError(response, code);
      await app.close();
    }
  });
});

describe('internal errors', () => {
  it('an unexpected error is 500 internal_error: redacted for the client, logged in full', async () => {
    const { stream, lines } = logSink();
    const gateway = scriptedGateway({
      getHistory: async () => {
        throw new Error('password=hunter2 in a connection string');
      },
    });
    const app = buildConvoyApp({ gateway, logger: { level: 'info', stream } });
    const response = await app.inject({ method: 'GET', url: '/convoys/order/o-1/history' });
    const message = expectError(response, 'internal_error');
    expect(message).not.toContain('hunter2');
    const logged = lines.find((line) => line['level'] === 50);
    expect(JSON.stringify(logged)).toContain('password=hunter2 in a connection string');
    await app.close();
  });

  it('a synchronous throw in describeType is 500 internal_error too', async () => {
    const gateway = scriptedGateway({
      describeType: () => {
        throw new TypeError('boom');
      },
    });
    const app = buildConvoyApp({ gateway });
    expectError(await app.inject({ method: 'GET', url: '/convoy-types/order' }), 'internal_error');
    await app.close();
  });

  it('toErrorReply maps non-errors and unknown statuses to internal_error', () => {
    expect(toErrorReply('a string')).toEqual({
      statusCode: 500,
      code: 'internal_error',
      message: 'Internal server error',
    });
    expect(toErrorReply(Object.assign(new Error('teapot'), { statusCode: 418 })).code).toBe('internal_error');
    expect(toErrorReply(Object.assign(new Error('bad'), { statusCode: 400 }))).toEqual({
      statusCode: 400,
      code: 'invalid_request',
      message: 'bad',
    });
  });
});

describe('waiting', () => {
  it('POST ?wait answers 202 processed:false when the convoy does not get there in time', async () => {
    const app = buildConvoyApp({ gateway: scriptedGateway() });
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events?wait=10',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"Go"}',
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ type: 'order', id: 'o-1', seq: 1, duplicate: false, processed: false });
    await app.close();
  });

  it('POST ?wait still answers 202 when waiting fails: the event is accepted', async () => {
    const gateway = scriptedGateway({
      waitForOutcome: async () => {
        throw new Error('store went away');
      },
    });
    const app = buildConvoyApp({ gateway });
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events?wait=10',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"Go"}',
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ seq: 1, processed: false });
    await app.close();
  });

  it('GET /wait is 408 wait_timeout when the seq is not processed in time', async () => {
    const gateway = scriptedGateway();
    const app = buildConvoyApp({ gateway });
    await gateway.accept({ type: 'order', id: 'o-1', event: { type: 'Go' } });
    expectError(
      await app.inject({ method: 'GET', url: '/convoys/order/o-1/wait?seq=1&timeout=5' }),
      'wait_timeout',
    );
    await app.close();
  });

  it('GET /wait without seq, or with seq 0, is 400 invalid_request', async () => {
    const app = buildConvoyApp({ gateway: scriptedGateway() });
    expectError(await app.inject({ method: 'GET', url: '/convoys/order/o-1/wait' }), 'invalid_request');
    expectError(await app.inject({ method: 'GET', url: '/convoys/order/o-1/wait?seq=0' }), 'invalid_request');
    expectError(
      await app.inject({ method: 'GET', url: '/convoys/order/o-1/wait?seq=1&timeout=30001' }),
      'invalid_request',
    );
    await app.close();
  });

  it('GET /wait on a convoy never seen is 404 convoy_not_found', async () => {
    const app = buildConvoyApp({ gateway: scriptedGateway() });
    expectError(
      await app.inject({ method: 'GET', url: '/convoys/order/o-9/wait?seq=1' }),
      'convoy_not_found',
    );
    await app.close();
  });
});

describe('documentation', () => {
  it('docs/errors.md has a row for every code with its status', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of allCodes) {
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${errorStatusByCode[code]}\\s*\\|`));
    }
  });
});
