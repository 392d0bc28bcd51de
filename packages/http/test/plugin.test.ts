/**
 * `convoyPlugin` inside a host app: the API mounts under a prefix, and its parsers and error handler
 * stay in its own scope, so the host's routes behave as before.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildConvoyApp, convoyPlugin } from '../src/index.ts';
import { expectError } from './support/expect-error.ts';
import { scriptedGateway } from './support/scripted-gateway.ts';

describe('convoyPlugin', () => {
  it('mounts every route under the prefix option', async () => {
    const app = buildConvoyApp({ gateway: scriptedGateway(), prefix: '/api/v1' });
    const accepted = await app.inject({
      method: 'POST',
      url: '/api/v1/convoys/order/o-1/events',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"Go"}',
    });
    expect(accepted.statusCode).toBe(202);
    expect((await app.inject({ method: 'GET', url: '/api/v1/convoys/order/o-1' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/convoy-types' })).statusCode).toBe(200);
    expectError(await app.inject({ method: 'GET', url: '/convoy-types' }), 'route_not_found');
    expectError(await app.inject({ method: 'DELETE', url: '/api/v1/convoy-types' }), 'method_not_allowed');
    await app.close();
  });

  it('leaves the host app its own parsers, error handler and routes, and decorates the gateway', async () => {
    const gateway = scriptedGateway();
    const host = Fastify({ routerOptions: { maxParamLength: 500 } });
    host.setErrorHandler(async (_error, _request, reply) => reply.code(418).send({ host: 'handled' }));
    host.post('/echo', async (request) => ({ echoed: request.body }));
    host.get('/boom', async () => {
      throw new Error('host error');
    });
    await host.register(convoyPlugin, { gateway });

    const echo = await host.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'plain text',
    });
    expect(echo.json()).toEqual({ echoed: 'plain text' });
    expect((await host.inject({ method: 'GET', url: '/boom' })).json()).toEqual({ host: 'handled' });
    expectError(
      await host.inject({
        method: 'POST',
        url: '/convoys/order/o-1/events',
        headers: { 'content-type': 'text/plain' },
        payload: 'plain text',
      }),
      'unsupported_media_type',
    );
    expect(host.convoyGateway).toBe(gateway);
    await host.close();
  });

  it('refuses invalid options at registration', async () => {
    const host = Fastify();
    await expect(host.register(convoyPlugin, { gateway: scriptedGateway(), bodyLimit: 0 })).rejects.toThrow(
      /bodyLimit/,
    );
    const other = Fastify();
    await expect(other.register(convoyPlugin, { gateway: scriptedGateway(), maxWaitMs: -1 })).rejects.toThrow(
      /maxWaitMs/,
    );
  });

  it('HEAD on a GET route answers like GET without a body', async () => {
    const app = buildConvoyApp({ gateway: scriptedGateway() });
    const response = await app.inject({ method: 'HEAD', url: '/convoy-types' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    await app.close();
  });
});
