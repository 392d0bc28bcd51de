import type { ConsoleConvoyState } from '../src/convoy-state.ts';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { consolePlugin } from '../src/plugin.ts';
import { consoleApp, expectError } from './support/app.ts';
import type { ConsoleApp } from './support/app.ts';
import { memoryEngine, sendAndWait } from './support/shop.ts';

let current: ConsoleApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});
const start = async (...args: Parameters<typeof consoleApp>): Promise<ConsoleApp> => {
  current = await consoleApp(...args);
  return current;
};

describe('console page', () => {
  it('serves the one page for every view, locked to this origin by its Content-Security-Policy', async () => {
    const { app } = await start();
    for (const url of ['/console', '/console/', '/console/types/order', '/console/convoys/order/o-1']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<script src="/console/assets/console.js" defer></script>');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.headers['content-security-policy']).toContain("connect-src 'self'");
      // Nothing on the page points at another origin.
      expect(response.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('serves its script, stylesheet and icon from memory, and 404s an unknown asset with the error body', async () => {
    const { app } = await start();
    const js = await app.inject({ url: '/console/assets/console.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toContain('new EventSource(');
    expect(js.body).not.toMatch(/https?:\/\//);
    const css = await app.inject({ url: '/console/assets/console.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).not.toMatch(/@import|url\(\s*['"]?https?:/);
    expect((await app.inject({ url: '/console/assets/favicon.svg' })).headers['content-type']).toBe(
      'image/svg+xml',
    );
    expectError(await app.inject({ url: '/console/assets/evil.js' }), 'route_not_found');
  });

  it('mounts under a custom prefix and refuses a prefix that is not a path', async () => {
    const engine = await memoryEngine();
    const app = Fastify();
    await app.register(consolePlugin, { gateway: engine, prefix: '/ops/console' });
    const page = await app.inject({ url: '/ops/console/convoys/order/o-1' });
    expect(page.body).toContain('<meta name="convoy-console-base" content="/ops/console">');
    expect((await app.inject({ url: '/ops/console/api/types' })).json()).toHaveLength(2);
    await app.close();
    for (const prefix of ['console', '/console/', '/a b', '/x"><script>']) {
      const bad = Fastify();
      await expect(bad.register(consolePlugin, { gateway: engine, prefix }).ready()).rejects.toThrow(
        /prefix/,
      );
      await bad.close().catch(() => undefined);
    }
    await engine.close();
  });
});

describe('console API', () => {
  it('lists and describes the registered types', async () => {
    const { app } = await start();
    const types = (await app.inject({ url: '/console/api/types' })).json<Array<{ type: string }>>();
    expect(types.map((t) => t.type).sort()).toEqual(['order', 'review']);
    const order = (await app.inject({ url: '/console/api/types/order' })).json<{ states: string[] }>();
    expect(order.states).toContain('Shipping.Packing');
  });

  it('renders a type diagram as SVG whose node ids are the state node ids', async () => {
    const { app, engine } = await start();
    const response = await app.inject({ url: '/console/api/types/order/diagram.svg' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const { graph } = engine.describeType('order');
    for (const node of graph.nodes) {
      if (node.id === graph.root) continue;
      expect(response.body, node.id).toContain(
        `<g id="${node.id}" class="${node.kind === 'compound' || node.kind === 'parallel' ? 'cluster' : 'node'}`,
      );
    }
    const dot = await app.inject({ url: '/console/api/types/order/diagram.dot' });
    expect(dot.headers['content-type']).toBe('text/vnd.graphviz; charset=utf-8');
    expect(dot.body).toMatch(/^digraph "order" \{/);
  });

  it('answers an unknown type with 404 unknown_convoy_type on every type and convoy route', async () => {
    const { app } = await start();
    for (const url of [
      '/console/api/types/nope',
      '/console/api/types/nope/diagram.svg',
      '/console/api/types/nope/diagram.dot',
      '/console/api/convoys/nope/o-1',
      '/console/api/convoys/nope/o-1/events',
    ]) {
      expect(expectError(await app.inject({ url }), 'unknown_convoy_type'), url).toContain('nope');
    }
  });

  it('answers a convoy never seen with 404 convoy_not_found and a bad id with 400 invalid_convoy_id', async () => {
    const { app } = await start();
    expectError(await app.inject({ url: '/console/api/convoys/order/never-seen' }), 'convoy_not_found');
    expectError(await app.inject({ url: '/console/api/convoys/order/bad%20id' }), 'invalid_convoy_id');
    expectError(await app.inject({ url: '/console/api/convoys/order/bad%20id/events' }), 'invalid_convoy_id');
  });

  it('answers an unknown console route with 404 route_not_found, not the page', async () => {
    const { app } = await start();
    expectError(await app.inject({ url: '/console/api/nothing' }), 'route_not_found');
    expectError(await app.inject({ url: '/console/nothing/here/at/all' }), 'route_not_found');
  });

  it('shows a convoy with its active nested states, context, deferred count and every history outcome', async () => {
    const { app, engine } = await start();
    await sendAndWait(engine, 'order', 'o-1', { type: 'PaymentReceived', amount: 42 });
    await sendAndWait(engine, 'order', 'o-1', { type: 'AddressChanged', address: 'Elm St' });
    await sendAndWait(engine, 'order', 'o-1', { type: 'ConfirmDelivery' });
    await sendAndWait(engine, 'order', 'o-1', { type: 'Note', text: 'fragile' });
    await sendAndWait(engine, 'order', 'o-1', { type: 'Refund' });
    const response = await app.inject({ url: '/console/api/convoys/order/o-1' });
    expect(response.statusCode).toBe(200);
    const state = response.json<ConsoleConvoyState>();
    expect(state.active).toEqual(['order.Shipping', 'order.Shipping.Packing']);
    expect(state.convoy).toMatchObject({ status: 'active', seq: 5, deferred: 1, context: { paid: 42 } });
    expect(state.history.from).toBe(0);
    expect(state.history.entries.map((e) => e.outcome)).toEqual([
      'applied',
      'rejected',
      'deferred',
      'ignored',
      'deadLettered',
    ]);
  });
});
