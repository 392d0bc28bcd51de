/**
 * The console's own routes: one page for every view, its assets, and nothing else. Everything the page
 * shows comes from the Convoy HTTP API (see the browser tests).
 */
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { consolePlugin } from '../src/plugin.ts';
import { consoleApp, expectError } from './support/app.ts';
import type { ConsoleApp } from './support/app.ts';

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
      expect(response.body).toContain('<meta name="convoy-api-base" content="">');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.headers['content-security-policy']).toContain("connect-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
      // Nothing on the page points at another origin.
      expect(response.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('serves the built page script, its stylesheet and icon, and 404s an unknown asset with the error body', async () => {
    const { app } = await start();
    const js = await app.inject({ url: '/console/assets/console.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.body).toContain('Convoy console page: built from src/page');
    // The only absolute URLs in the bundle are XML namespace names (preact's SVG/MathML support), never
    // something to fetch.
    const urls = new Set(js.body.match(/https?:\/\/[^"'\s)]+/g) ?? []);
    expect([...urls].filter((url) => !url.startsWith('http://www.w3.org/'))).toEqual([]);
    const css = await app.inject({ url: '/console/assets/console.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).not.toMatch(/@import|url\(\s*['"]?https?:/);
    expect((await app.inject({ url: '/console/assets/favicon.svg' })).headers['content-type']).toBe(
      'image/svg+xml',
    );
    expectError(await app.inject({ url: '/console/assets/evil.js' }), 'route_not_found');
  });

  it('is not served to a Host name the API would refuse (DNS rebinding)', async () => {
    const { app } = await start();
    expectError(
      await app.inject({ url: '/console', headers: { host: 'rebind.evil.example' } }),
      'host_not_allowed',
    );
    expect((await app.inject({ url: '/console', headers: { host: '127.0.0.1:3000' } })).statusCode).toBe(200);
  });

  it('answers an unknown console path with 404 route_not_found, not the page', async () => {
    const { app } = await start();
    expectError(await app.inject({ url: '/console/api/types' }), 'route_not_found');
    expectError(await app.inject({ url: '/console/nothing/here/at/all' }), 'route_not_found');
  });

  it('mounts under a custom prefix, points the page at the API prefix, and refuses paths that are not paths', async () => {
    const app = Fastify();
    await app.register(consolePlugin, { prefix: '/ops/console', apiPrefix: '/api' });
    const page = await app.inject({ url: '/ops/console/convoys/order/o-1' });
    expect(page.body).toContain('<meta name="convoy-console-base" content="/ops/console">');
    expect(page.body).toContain('<meta name="convoy-api-base" content="/api">');
    await app.close();
    for (const options of [
      { prefix: 'console' },
      { prefix: '/console/' },
      { prefix: '/a b' },
      { prefix: '/x"><script>' },
      { apiPrefix: 'api' },
      { apiPrefix: '/api/' },
    ]) {
      const bad = Fastify();
      await expect(bad.register(consolePlugin, options).ready()).rejects.toThrow(/prefix/i);
      await bad.close().catch(() => undefined);
    }
  });
});
