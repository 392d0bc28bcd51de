/**
 * `convoy serve` secure by default (issue 14): tokens per route group from the environment and an auth
 * file, validated loudly; no listening beyond loopback while a group is open unless forced.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConvoyError } from '@convoy/core';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, startServer } from '../src/serve.ts';
import { loadServeAuth, parseTokenList } from '../src/serve-auth.ts';
import { counterConvoy } from './fixtures/counters.ts';
import { spawnConvoy, waitForUrl } from './support/convoy-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'convoy-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write an auth file with `mode`; returns its path. */
function authFile(name: string, content: unknown, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(path, mode);
  return path;
}

const read = 'read-token-0123456789';
const write = 'write-token-0123456789';
const operate = 'operate-token-0123456789';

describe('tokens from the environment and an auth file', () => {
  it('reads CONVOY_*_TOKENS: comma-separated, "name:token" names the caller, empty variables are unset', () => {
    const { auth, summary, warnings } = loadServeAuth({
      env: {
        CONVOY_READ_TOKENS: ` ${read} , ${write}`,
        CONVOY_WRITE_TOKENS: write,
        CONVOY_OPERATE_TOKENS: `alice:${operate}`,
        CONVOY_OTHER: 'ignored',
      },
    });
    expect(auth).toEqual({
      read: { tokens: [read, write] },
      write: { tokens: [write] },
      operate: { tokens: [{ name: 'alice', token: operate }] },
    });
    expect(summary).toEqual([
      'read: 2 tokens (CONVOY_READ_TOKENS)',
      'write: 1 token (CONVOY_WRITE_TOKENS)',
      'operate: 1 token (CONVOY_OPERATE_TOKENS)',
    ]);
    expect(warnings).toEqual([]);
    expect(loadServeAuth({ env: { CONVOY_READ_TOKENS: '  ' } }).auth).toEqual({});
  });

  it('merges an auth file with the environment; a token never appears in the summary', () => {
    const path = authFile('merged.json', {
      read: [read],
      operate: [{ name: 'ops', token: operate }],
    });
    const { auth, summary } = loadServeAuth({ env: { CONVOY_READ_TOKENS: write }, file: path });
    expect(auth).toEqual({
      read: { tokens: [write, read] },
      operate: { tokens: [{ name: 'ops', token: operate }] },
    });
    expect(summary).toEqual([`read: 2 tokens (CONVOY_READ_TOKENS, ${path})`, `operate: 1 token (${path})`]);
    expect(summary.join('\n')).not.toContain('token-0123456789');
  });

  it('refuses an auth file others may write; warns about one others may read', () => {
    const writable = authFile('writable.json', { read: [read] }, 0o666);
    expect(() => loadServeAuth({ file: writable })).toThrow(/may be written by other users \(mode 666\)/);
    const readable = authFile('readable.json', { read: [read], write: [] }, 0o644);
    const { warnings } = loadServeAuth({ file: readable });
    expect(warnings[0]).toMatch(/may be read by other users \(mode 644\); chmod 600/);
    expect(warnings[1]).toMatch(/"write" lists no token, so it stays open/);
  });

  it.each([
    ['not JSON', '{read:', /is not valid JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['an unknown group', { admin: [read] }, /unknown key "admin"/],
    ['a group that is no list', { read: read }, /"read" must be an array/],
    ['a short token', { read: ['short'] }, /read\[0\]: a token must be at least 16/],
    ['a token with a space', { read: ['with a space 0123456789'] }, /at least 16 printable ASCII/],
    ['an entry with an extra field', { read: [{ name: 'a', token: read, role: 'x' }] }, /read\[0\] must be/],
    ['a bad name', { read: [{ name: 'a b', token: read }] }, /token name "a b"/],
  ])('refuses an auth file with %s, naming the place', (_what, content, message) => {
    const path = authFile(`bad-${String(_what).replace(/\W/g, '-')}.json`, content);
    let error: unknown;
    try {
      loadServeAuth({ file: path });
    } catch (caught) {
      error = caught;
    }
    expect(isConvoyError(error) && error.code).toBe('invalid_options');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('0123456789');
  });

  it('refuses a missing file and bad environment entries', () => {
    expect(() => loadServeAuth({ file: join(dir, 'nope.json') })).toThrow(/cannot be read/);
    expect(() => parseTokenList('CONVOY_READ_TOKENS', `${read},,${write}`)).toThrow(
      /CONVOY_READ_TOKENS \(entry 2\) is empty/,
    );
    expect(() => parseTokenList('CONVOY_WRITE_TOKENS', 'abc')).toThrow(
      /entry 1\): a token must be at least 16/,
    );
    expect(() => parseTokenList('CONVOY_WRITE_TOKENS', `:${read}`)).toThrow(/token name ""/);
  });
});

describe('listening beyond loopback', () => {
  it('tells loopback addresses from others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '::ffff:10.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses a non-loopback host while a route group is open, naming the open groups, before loading anything', async () => {
    for (const [auth, open] of [
      [undefined, 'read, write, operate route groups are'],
      [{ read: { tokens: [read] }, write: { tokens: [write] } }, 'operate route group is'],
    ] as const) {
      const error: unknown = await startServer({
        // A module that does not exist: the refusal comes first.
        module: 'test/fixtures/does-not-exist.ts',
        host: '0.0.0.0',
        port: 0,
        ...(auth === undefined ? {} : { auth }),
      }).catch((caught: unknown) => caught);
      expect(isConvoyError(error) && error.code).toBe('invalid_options');
      expect((error as Error).message).toContain(`Refusing to listen on 0.0.0.0`);
      expect((error as Error).message).toContain(open);
      expect((error as Error).message).toContain('--allow-unauthenticated');
    }
  });

  it('listens on 0.0.0.0 with tokens on every group (any Host), or when explicitly forced (loopback names only)', async () => {
    const auth = { read: { tokens: [read] }, write: { tokens: [write] }, operate: { tokens: [operate] } };
    const guarded = await startServer({
      definitions: [counterConvoy('counter')],
      host: '0.0.0.0',
      port: 0,
      auth,
    });
    try {
      expect(guarded.allowedHosts).toEqual(['*']);
      const port = new URL(guarded.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/convoy-types`)).status).toBe(401);
      const ok = await fetch(`http://127.0.0.1:${port}/convoy-types`, {
        headers: { authorization: `Bearer ${read}` },
      });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.close();
    }
    const forced = await startServer({
      definitions: [counterConvoy('counter')],
      host: '0.0.0.0',
      port: 0,
      allowUnauthenticated: true,
    });
    try {
      expect(forced.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    } finally {
      await forced.close();
    }
  });
});

describe('convoy serve as a process', () => {
  it('takes tokens from the environment, prints which groups are guarded (never a token), and the API enforces them', async () => {
    const server = spawnConvoy(['serve', 'test/fixtures/support-ticket.ts', '--port', '0'], {
      CONVOY_READ_TOKENS: read,
      CONVOY_WRITE_TOKENS: write,
      CONVOY_OPERATE_TOKENS: `ops:${operate}`,
    });
    try {
      const url = await waitForUrl(server);
      expect(server.stdout()).toContain('auth operate: 1 token (CONVOY_OPERATE_TOKENS)');
      expect(server.stdout()).toContain('hosts: any');
      expect(server.stdout()).not.toContain('0123456789');
      expect((await fetch(`${url}/convoy-types`)).status).toBe(401);
      const post = (token: string) =>
        fetch(`${url}/convoys/support-ticket/t-1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ type: 'TicketOpened' }),
        });
      expect((await post(read)).status).toBe(403);
      expect((await post(write)).status).toBe(202);
    } finally {
      server.kill();
    }
  }, 40_000);

  it('exits 1 with the reason when asked to listen on 0.0.0.0 without tokens', async () => {
    const server = spawnConvoy([
      'serve',
      'test/fixtures/support-ticket.ts',
      '--port',
      '0',
      '--host',
      '0.0.0.0',
    ]);
    try {
      const exited = await Promise.race([
        server.exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000)),
      ]);
      expect(exited).toEqual({ code: 1, signal: null });
      expect(server.stderr()).toContain('convoy: Refusing to listen on 0.0.0.0');
      expect(server.stdout()).not.toContain('Convoy listening');
    } finally {
      server.kill();
    }
  }, 40_000);

  it('without tokens answers loopback Host names only, and --allowed-hosts names others', async () => {
    const server = spawnConvoy([
      'serve',
      'test/fixtures/support-ticket.ts',
      '--port',
      '0',
      '--allowed-hosts',
      'convoy.test, 127.0.0.1',
    ]);
    try {
      const url = await waitForUrl(server);
      expect(server.stdout()).toContain('auth read, write, operate: open (no token needed)');
      expect(server.stdout()).toContain('hosts: convoy.test, 127.0.0.1');
      // fetch() cannot set Host; node:http can.
      const { request } = await import('node:http');
      const statusFor = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${url}/convoy-types`, { headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      expect(await statusFor('convoy.test:1234')).toBe(200);
      expect(await statusFor('127.0.0.1')).toBe(200);
      expect(await statusFor('localhost')).toBe(403);
      expect(await statusFor('evil.example')).toBe(403);
    } finally {
      server.kill();
    }
  }, 40_000);
});
