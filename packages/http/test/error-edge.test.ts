/**
 * Every refusal the HTTP edge decides by itself (before or around the gateway) has a stable code, the
 * status from core's table and the `{ statusCode, code, message }` body, and leaves the gateway untouched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildConvoyApp } from '../src/index.ts';
import { expectError } from './support/expect-error.ts';
import { scriptedGateway } from './support/scripted-gateway.ts';
import type { ScriptedGateway } from './support/scripted-gateway.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setup(options: { bodyLimit?: number; maxWaitMs?: number } = {}): {
  app: FastifyInstance;
  gateway: ScriptedGateway;
} {
  const gateway = scriptedGateway();
  app = buildConvoyApp({ gateway, ...options });
  return { app, gateway };
}

const json = { 'content-type': 'application/json' };

describe('body parsing', () => {
  it('malformed JSON is 400 invalid_json and never reaches the gateway', async () => {
    const { app, gateway } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: json,
      payload: '{"type":',
    });
    expectError(response, 'invalid_json');
    expect(gateway.accepted).toHaveLength(0);
  });

  it('an empty JSON body is 400 invalid_json', async () => {
    const { app } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: json,
      payload: '',
    });
    expectError(response, 'invalid_json');
  });

  it('a __proto__ key is refused as invalid_json (prototype poisoning)', async () => {
    const { app, gateway } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: json,
      payload: '{"type":"Go","__proto__":{"admin":true}}',
    });
    expectError(response, 'invalid_json');
    expect(gateway.accepted).toHaveLength(0);
  });

  it.each([
    ['an array', '[{"type":"Go"}]'],
    ['a string', '"Go"'],
    ['null', 'null'],
    ['a number', '42'],
    ['an object without type', '{"kind":"Go"}'],
    ['an object with a numeric type', '{"type":7}'],
  ])('a body that is %s is 400 invalid_request', async (_name, payload) => {
    const { app, gateway } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: json,
      payload,
    });
    expectError(response, 'invalid_request');
    expect(gateway.accepted).toHaveLength(0);
  });

  it('a POST without a body is 400 invalid_request (415 without X-Convoy-Request or a JSON type)', async () => {
    const { app } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { 'x-convoy-request': '1' },
    });
    expectError(response, 'invalid_request');
    const bare = await app.inject({ method: 'POST', url: '/convoys/order/o-1/events' });
    expectError(bare, 'unsupported_media_type');
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
  ])('Content-Type %s is 415 unsupported_media_type', async (contentType) => {
    const { app, gateway } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { 'content-type': contentType },
      payload: '{"type":"Go"}',
    });
    expectError(response, 'unsupported_media_type');
    expect(gateway.accepted).toHaveLength(0);
  });

  it('a body without Content-Type is 415 unsupported_media_type', async () => {
    const { app } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { 'content-type': '' },
      payload: Buffer.from('{"type":"Go"}'),
    });
    expectError(response, 'unsupported_media_type');
  });

  it('a non-UTF-8 charset is 415 unsupported_media_type', async () => {
    const { app } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { 'content-type': 'application/json; charset=latin1' },
      payload: '{"type":"Go"}',
    });
    expectError(response, 'unsupported_media_type');
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON',
  ])('Content-Type %s is accepted', async (contentType) => {
    const { app } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { 'content-type': contentType },
      payload: '{"type":"Go"}',
    });
    expect(response.statusCode).toBe(202);
  });

  it('a body over the default 64 KiB limit is 413 payload_too_large; one just under passes', async () => {
    const { app, gateway } = setup();
    const event = (size: number): string => JSON.stringify({ type: 'Go', pad: 'x'.repeat(size) });
    const overhead = event(0).length;
    const fits = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: json,
      payload: event(64 * 1024 - overhead),
    });
    expect(fits.statusCode).toBe(202);
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: json,
      payload: event(64 * 1024 - overhead + 1),
    });
    expect(expectError(tooLarge, 'payload_too_large')).toContain('65536 bytes');
    expect(gateway.accepted).toHaveLength(1);
  });

  it('bodyLimit is configurable', async () => {
    const { app } = setup({ bodyLimit: 32 });
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: json,
      payload: JSON.stringify({ type: 'Go', pad: 'x'.repeat(40) }),
    });
    expectError(response, 'payload_too_large');
  });
});

describe('path parameters', () => {
  it.each(['-starts-with-dash', '.dot', 'has space', 'a/b', 'ümlaut', 'a:b'])(
    'id %j is 400 invalid_convoy_id',
    async (id) => {
      const { app, gateway } = setup();
      const response = await app.inject({
        method: 'POST',
        url: `/convoys/order/${encodeURIComponent(id)}/events`,
        headers: json,
        payload: '{"type":"Go"}',
      });
      expectError(response, 'invalid_convoy_id');
      expect(gateway.accepted).toHaveLength(0);
    },
  );

  it('a 128-character id is accepted and a 129-character id is 400 invalid_convoy_id, not 404', async () => {
    const { app } = setup();
    const ok = await app.inject({
      method: 'POST',
      url: `/convoys/order/${'a'.repeat(128)}/events`,
      headers: json,
      payload: '{"type":"Go"}',
    });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ id: 'a'.repeat(128), seq: 1 });
    for (const url of [`/convoys/order/${'a'.repeat(129)}/events`, `/convoys/order/${'a'.repeat(129)}`]) {
      const method = url.endsWith('/events') ? 'POST' : 'GET';
      const response = await app.inject({
        method,
        url,
        headers: json,
        payload: method === 'POST' ? '{"type":"Go"}' : undefined,
      });
      expectError(response, 'invalid_convoy_id');
    }
  });

  it('an id longer than the router limit is still 400 invalid_convoy_id', async () => {
    const { app } = setup();
    const response = await app.inject({ method: 'GET', url: `/convoys/order/${'a'.repeat(5000)}` });
    expectError(response, 'invalid_convoy_id');
  });

  it('a badly percent-encoded URL is 400 invalid_request', async () => {
    const { app } = setup();
    const response = await app.inject({ method: 'GET', url: '/convoys/order/%E0%A4%A' });
    expectError(response, 'invalid_request');
  });

  it('a type that no convoy could have is 404 unknown_convoy_type without asking the gateway', async () => {
    const { app, gateway } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/9order/o-1/events',
      headers: json,
      payload: '{"type":"Go"}',
    });
    expectError(response, 'unknown_convoy_type');
    expect(gateway.accepted).toHaveLength(0);
  });
});

describe('query and headers', () => {
  it.each(['-1', '1.5', '1e3', 'abc', '', '0x10', '30001'])(
    '?wait=%s is 400 invalid_request',
    async (wait) => {
      const { app, gateway } = setup();
      const response = await app.inject({
        method: 'POST',
        url: `/convoys/order/o-1/events?wait=${wait}`,
        headers: json,
        payload: '{"type":"Go"}',
      });
      expectError(response, 'invalid_request');
      expect(gateway.accepted).toHaveLength(0);
    },
  );

  it('a repeated ?wait is 400 invalid_request', async () => {
    const { app } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events?wait=1&wait=2',
      headers: json,
      payload: '{"type":"Go"}',
    });
    expectError(response, 'invalid_request');
  });

  it('maxWaitMs bounds ?wait', async () => {
    const { app } = setup({ maxWaitMs: 100 });
    const over = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events?wait=101',
      headers: json,
      payload: '{"type":"Go"}',
    });
    expectError(over, 'invalid_request');
    const atLimit = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events?wait=0',
      headers: json,
      payload: '{"type":"Go"}',
    });
    expect(atLimit.statusCode).toBe(202);
  });

  it('an unknown query parameter is 400 invalid_request, not silently ignored', async () => {
    const { app } = setup();
    const post = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events?wiat=100',
      headers: json,
      payload: '{"type":"Go"}',
    });
    expect(expectError(post, 'invalid_request')).toContain('wiat');
    expectError(await app.inject({ method: 'GET', url: '/convoy-types?x=1' }), 'invalid_request');
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(201)],
    ['non-ASCII', 'clé'],
  ])('an Idempotency-Key that is %s is 400 invalid_idempotency_key', async (_name, key) => {
    const { app, gateway } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { ...json, 'idempotency-key': key },
      payload: '{"type":"Go"}',
    });
    expectError(response, 'invalid_idempotency_key');
    expect(gateway.accepted).toHaveLength(0);
  });

  it('an Idempotency-Key header sent twice is 400 invalid_idempotency_key', async () => {
    const { app, gateway } = setup();
    const response = await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { ...json, 'idempotency-key': ['k-1', 'k-2'] },
      payload: '{"type":"Go"}',
    });
    expectError(response, 'invalid_idempotency_key');
    expect(gateway.accepted).toHaveLength(0);
  });

  it('a valid Idempotency-Key is handed to the gateway unchanged', async () => {
    const { app, gateway } = setup();
    const key = '01J9Z8Q4W6X7Y8Z9A0B1C2D3E4';
    await app.inject({
      method: 'POST',
      url: '/convoys/order/o-1/events',
      headers: { ...json, 'idempotency-key': key },
      payload: '{"type":"Go","n":1}',
    });
    expect(gateway.accepted).toEqual([
      { type: 'order', id: 'o-1', event: { type: 'Go', n: 1 }, idempotencyKey: key },
    ]);
  });
});

describe('routing', () => {
  it('an unknown route is 404 route_not_found', async () => {
    const { app } = setup();
    expectError(await app.inject({ method: 'GET', url: '/nope' }), 'route_not_found');
    expectError(await app.inject({ method: 'GET', url: '/convoys/order/o-1/nope' }), 'route_not_found');
    expectError(
      await app.inject({
        method: 'POST',
        url: '/nope',
        headers: { 'content-type': 'text/plain' },
        payload: 'x',
      }),
      'route_not_found',
    );
  });

  it.each([
    ['GET', '/convoys/order/o-1/events', 'POST'],
    ['DELETE', '/convoys/order/o-1', 'GET, HEAD'],
    ['PUT', '/convoys/order/o-1/history', 'GET, HEAD'],
    ['POST', '/convoy-types', 'GET, HEAD'],
    ['PATCH', '/convoy-types/order', 'GET, HEAD'],
    ['POST', '/convoys/order/o-1/wait', 'GET, HEAD'],
  ] as const)('%s %s is 405 method_not_allowed with Allow: %s', async (method, url, allow) => {
    const { app } = setup();
    const response = await app.inject({
      method,
      url,
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expectError(response, 'method_not_allowed');
    expect(response.headers['allow']).toBe(allow);
  });
});
