/**
 * Secure by default (issue 14): the API answers only the Host names it knows while a route group is
 * open (DNS rebinding), refuses state-changing requests a page of another site could send without a
 * preflight, and every answer carries nosniff and the other security headers.
 */
import type { ConvoyEngine } from '@convoy/runtime';
import Fastify from 'fastify';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConvoyApp, convoyPlugin, securityHeaders } from '../src/index.ts';
import type { ConvoyAppOptions } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';
import { expectError } from './support/expect-error.ts';

let engine: ConvoyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  engine = await memoryEngine();
});
afterEach(async () => {
  await app.close();
  await engine.close();
});

function build(options: Omit<ConvoyAppOptions, 'gateway'> = {}): FastifyInstance {
  app = buildConvoyApp({ gateway: engine, ...options });
  return app;
}

const inject = (options: InjectOptions): Promise<LightMyRequestResponse> => app.inject(options);

/** A parcel convoy that processed its first event (so it can be paused). */
async function activeParcel(id: string): Promise<void> {
  const placed = await inject({
    method: 'POST',
    url: `/convoys/parcel/${id}/events?wait=5000`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ type: 'OrderPlaced' }),
  });
  expect(placed.json()).toMatchObject({ seq: 1, processed: true });
}

const statusOf = async (id: string) => (await engine.getConvoy({ type: 'parcel', id }))?.status;

const tokens = {
  read: { tokens: ['reader-token'] },
  write: { tokens: ['writer-token'] },
  operate: { tokens: ['operator-token'] },
};

describe('Host allow-list (DNS rebinding)', () => {
  it('without auth, answers loopback names on any port and refuses every other name with 403 host_not_allowed', async () => {
    build();
    for (const host of ['localhost', 'LOCALHOST:3000', '127.0.0.1', '127.0.0.1:8080', '[::1]', '[::1]:9']) {
      const response = await inject({ method: 'GET', url: '/convoy-types', headers: { host } });
      expect(response.statusCode, host).toBe(200);
    }
    for (const host of [
      'evil.example',
      'evil.example:3000',
      '127.0.0.1.nip.io',
      'localhost.evil.example',
      '10.0.0.5:3000',
      'localhost:3000:1',
    ]) {
      for (const url of [
        '/convoy-types',
        '/convoys/parcel/a-1',
        '/healthz',
        '/openapi.json',
        '/no-such-route',
      ]) {
        const message = expectError(
          await inject({ method: 'GET', url, headers: { host } }),
          'host_not_allowed',
        );
        expect(message).toContain('allowedHosts');
      }
    }
  });

  it('a rebound name cannot post an event: refused before anything is stored', async () => {
    build();
    const response = await inject({
      method: 'POST',
      url: '/convoys/parcel/r-1/events',
      headers: { host: 'rebind.evil.example:3000', 'content-type': 'application/json' },
      payload: JSON.stringify({ type: 'OrderPlaced' }),
    });
    expectError(response, 'host_not_allowed');
    expect(await engine.getConvoy({ type: 'parcel', id: 'r-1' })).toBeNull();
  });

  it('allowedHosts replaces the default list (port ignored, case-insensitive); "*" allows any', async () => {
    build({ allowedHosts: ['Convoy.Example.com', '10.0.0.5'] });
    for (const host of ['convoy.example.com', 'CONVOY.example.com:443', '10.0.0.5:3000']) {
      expect((await inject({ method: 'GET', url: '/healthz', headers: { host } })).statusCode, host).toBe(
        200,
      );
    }
    expectError(
      await inject({ method: 'GET', url: '/healthz', headers: { host: 'localhost' } }),
      'host_not_allowed',
    );
    await app.close();
    build({ allowedHosts: ['*'] });
    expect(
      (await inject({ method: 'GET', url: '/healthz', headers: { host: 'anything.example' } })).statusCode,
    ).toBe(200);
  });

  it('with tokens on every route group any Host is served (the token is the defence); one open group keeps the check', async () => {
    build({ auth: tokens });
    const guarded = await inject({
      method: 'GET',
      url: '/convoy-types',
      headers: { host: 'convoy.example.com' },
    });
    expectError(guarded, 'unauthorized');
    await app.close();
    build({ auth: { operate: tokens.operate } });
    expectError(
      await inject({ method: 'GET', url: '/convoy-types', headers: { host: 'convoy.example.com' } }),
      'host_not_allowed',
    );
  });

  it('refuses allowedHosts entries that are not host names', () => {
    for (const bad of ['http://convoy.example.com', 'convoy.example.com:3000', '', 'a b', 'example.com/x']) {
      expect(() => buildConvoyApp({ gateway: engine, allowedHosts: [bad] }), bad).toThrow(
        /is not a host name/,
      );
    }
    app = buildConvoyApp({ gateway: engine });
  });

  it("as a plugin in a host app, guards the plugin's routes and leaves the host's own routes alone", async () => {
    app = Fastify();
    app.get('/own', async () => ({ own: true }));
    await app.register(convoyPlugin, { gateway: engine, prefix: '/api' });
    expect((await inject({ method: 'GET', url: '/own', headers: { host: 'site.example' } })).statusCode).toBe(
      200,
    );
    expectError(
      await inject({ method: 'GET', url: '/api/convoy-types', headers: { host: 'site.example' } }),
      'host_not_allowed',
    );
    expect((await inject({ method: 'GET', url: '/api/convoy-types' })).statusCode).toBe(200);
  });
});

describe('state-changing requests a page of another site could send', () => {
  const pause = (id: string, headers: Record<string, string>, payload?: string) =>
    inject({
      method: 'POST',
      url: `/convoys/parcel/${id}/pause`,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });

  it('refuses a body-less POST and every form encoding with 415, and the convoy is not paused', async () => {
    build();
    await activeParcel('f-1');
    // What fetch(url, { method: 'POST', mode: 'no-cors' }) and HTML forms can send without a preflight.
    const forgeries: Array<[Record<string, string>, string | undefined]> = [
      [{}, undefined],
      [{}, ''],
      [{ 'content-type': 'text/plain' }, ''],
      [{ 'content-type': 'text/plain;charset=UTF-8' }, '{"seq":1}'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, ''],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, '--x--'],
    ];
    for (const [headers, payload] of forgeries) {
      const message = expectError(await pause('f-1', headers, payload), 'unsupported_media_type');
      expect(message).toContain('X-Convoy-Request');
    }
    expect(await statusOf('f-1')).toBe('active');
    // What the typed client and the console send.
    expect((await pause('f-1', { 'x-convoy-request': '1' })).json()).toMatchObject({ status: 'paused' });
    expect((await pause('f-2', { 'content-type': 'application/json' }, '{}')).statusCode).toBe(404);
  });

  it('refuses a request a browser says comes from another origin with 403 cross_site_request', async () => {
    build({ allowedHosts: ['convoy.example.com'] });
    await inject({
      method: 'POST',
      url: '/convoys/parcel/o-1/events?wait=5000',
      headers: { host: 'convoy.example.com', 'content-type': 'application/json' },
      payload: JSON.stringify({ type: 'OrderPlaced' }),
    });
    const json = { host: 'convoy.example.com', 'content-type': 'application/json' };
    const crossSite: Array<Record<string, string>> = [
      { ...json, origin: 'https://evil.example' },
      { ...json, origin: 'null' },
      { ...json, origin: 'https://convoy.example.com.evil.example' },
      { ...json, origin: 'http://convoy.example.com:8080' },
      { ...json, 'sec-fetch-site': 'cross-site' },
      // A sibling origin of the same site (another port, a subdomain) is another origin too.
      { ...json, 'sec-fetch-site': 'same-site', origin: 'https://admin.convoy.example.com' },
      // Sec-Fetch-Site decides when present, whatever Origin says.
      { ...json, 'sec-fetch-site': 'cross-site', origin: 'http://convoy.example.com' },
    ];
    for (const headers of crossSite) {
      expectError(await pause('o-1', headers, '{}'), 'cross_site_request');
    }
    // Not even with the custom header: a cross-site page could only send it after a preflight, but the
    // browser's word is enough.
    expectError(
      await pause('o-1', { ...json, origin: 'https://evil.example', 'x-convoy-request': '1' }, '{}'),
      'cross_site_request',
    );
    expect(await statusOf('o-1')).toBe('active');

    // Same origin, by Origin (default port written or not) or by Sec-Fetch-Site, or typed by the user.
    for (const headers of [
      { ...json, origin: 'http://convoy.example.com' },
      { ...json, host: 'convoy.example.com:443', origin: 'https://convoy.example.com' },
      { ...json, 'sec-fetch-site': 'same-origin', origin: 'http://convoy.example.com' },
      { ...json, 'sec-fetch-site': 'none' },
    ]) {
      const paused = await pause('o-1', headers, '{}');
      expect(paused.statusCode, JSON.stringify(headers)).toBe(200);
      await inject({ method: 'POST', url: '/convoys/parcel/o-1/resume', headers: json, payload: '{}' });
    }
  });

  it('a cross-site event is refused before anything is stored; reads stay open to any origin (CORS guards them)', async () => {
    build();
    const posted = await inject({
      method: 'POST',
      url: '/convoys/parcel/e-1/events',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      payload: JSON.stringify({ type: 'OrderPlaced' }),
    });
    expectError(posted, 'cross_site_request');
    expect(await engine.getConvoy({ type: 'parcel', id: 'e-1' })).toBeNull();
    const read = await inject({
      method: 'GET',
      url: '/convoy-types',
      headers: { origin: 'https://evil.example' },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('guards DELETE too: a body-less discard needs X-Convoy-Request', async () => {
    build();
    const response = await inject({ method: 'DELETE', url: '/convoys/parcel/d-1/dead-letters/1' });
    expectError(response, 'unsupported_media_type');
    const marked = await inject({
      method: 'DELETE',
      url: '/convoys/parcel/d-1/dead-letters/1',
      headers: { 'x-convoy-request': '1' },
    });
    expectError(marked, 'convoy_not_found');
  });

  it('trustedOrigins lets a named origin through, and only it', async () => {
    build({ trustedOrigins: ['https://admin.example.com'] });
    await activeParcel('t-1');
    const headers = { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' };
    expectError(
      await pause('t-1', { ...headers, origin: 'https://other.example.com' }, '{}'),
      'cross_site_request',
    );
    expect((await pause('t-1', { ...headers, origin: 'https://admin.example.com' }, '{}')).statusCode).toBe(
      200,
    );
    const misconfigured = buildConvoyApp({ gateway: engine, trustedOrigins: ['https://admin.example.com/'] });
    await expect(misconfigured.ready()).rejects.toThrow(/is not an origin/);
    await misconfigured.close();
  });

  it('keeps the order of refusals: 405 for a wrong method, 401 before anything about the request itself', async () => {
    build({ auth: tokens });
    const wrongMethod = await inject({ method: 'PUT', url: '/convoys/parcel/a-1/pause' });
    expectError(wrongMethod, 'method_not_allowed');
    const anonymous = await inject({
      method: 'POST',
      url: '/convoys/parcel/a-1/pause',
      headers: { origin: 'https://evil.example' },
    });
    expectError(anonymous, 'unauthorized');
    const withToken = await inject({
      method: 'POST',
      url: '/convoys/parcel/a-1/pause',
      headers: { origin: 'https://evil.example', authorization: 'Bearer operator-token' },
    });
    expectError(withToken, 'cross_site_request');
  });

  it('documents the refusals in the OpenAPI document', async () => {
    build();
    const document = (await inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    const pauseAnswers = Object.keys(document.paths['/convoys/{type}/{id}/pause']?.['post']?.responses ?? {});
    expect(pauseAnswers).toEqual(expect.arrayContaining(['403', '415']));
    const readAnswers = Object.keys(document.paths['/convoys/{type}/{id}']?.['get']?.responses ?? {});
    expect(readAnswers).toContain('403');
    expect(readAnswers).not.toContain('415');
  });
});

describe('security headers on every answer', () => {
  const expectHeaders = (response: LightMyRequestResponse, what: string) => {
    for (const [name, value] of Object.entries(securityHeaders)) {
      expect(response.headers[name], `${what}: ${name}`).toBe(value);
    }
  };

  it('nosniff, CSP, frame and referrer policy on successes, refusals, 404s, framework errors and SVG', async () => {
    build();
    await activeParcel('h-1');
    const answers: Array<[string, InjectOptions]> = [
      ['200 JSON', { method: 'GET', url: '/convoys/parcel/h-1' }],
      [
        '202',
        {
          method: 'POST',
          url: '/convoys/parcel/h-1/events',
          headers: { 'content-type': 'application/json' },
          payload: '{"type":"OrderCanceled"}',
        },
      ],
      ['SVG', { method: 'GET', url: '/convoy-types/parcel/diagram.svg' }],
      ['OpenAPI', { method: 'GET', url: '/openapi.json' }],
      ['healthz', { method: 'GET', url: '/healthz' }],
      ['400', { method: 'GET', url: '/convoys/parcel/-bad-' }],
      ['404 route', { method: 'GET', url: '/no-such-route' }],
      ['405', { method: 'PUT', url: '/convoys/parcel/h-1/pause' }],
      ['415', { method: 'POST', url: '/convoys/parcel/h-1/pause' }],
      ['bad URL', { method: 'GET', url: '/convoys/%zz' }],
      ['host refused', { method: 'GET', url: '/healthz', headers: { host: 'evil.example' } }],
    ];
    for (const [what, options] of answers) {
      const response = await inject(options);
      expect(response.statusCode, what).toBeGreaterThan(0);
      expectHeaders(response, what);
    }
  });

  it("on the plugin's routes inside a host app", async () => {
    app = Fastify();
    await app.register(convoyPlugin, { gateway: engine });
    expectHeaders(await inject({ method: 'GET', url: '/convoy-types' }), 'plugin route');
    expectHeaders(await inject({ method: 'POST', url: '/convoys/parcel/x/pause' }), 'plugin refusal');
  });
});
