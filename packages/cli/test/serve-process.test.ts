/**
 * End to end: the real `convoy` bin in a child process, serving a convoy the repo's demo does not
 * contain, driven over a real socket with fetch.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/convoy.js', import.meta.url));

interface Spawned {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnConvoy(args: readonly string[]): Spawned {
  // The embedded store unless a test asks otherwise, whatever the developer's shell exports.
  const env = { ...process.env };
  delete env['CONVOY_REDIS_URL'];
  const child = spawn(process.execPath, [bin, ...args], { cwd: packageDir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitForUrl(spawned: Spawned, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /Convoy listening on (http:\/\/\S+)/.exec(spawned.stdout());
    if (match?.[1]) return match[1];
    if (spawned.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`convoy serve did not start:\n${spawned.stdout()}\n${spawned.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('convoy serve <module> as a process', () => {
  let server: Spawned;
  let url: string;
  const post = async (id: string, event: object, idempotencyKey?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const response = await fetch(`${url}/convoys/support-ticket/${id}/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify(event),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    server = spawnConvoy(['serve', 'test/fixtures/support-ticket.ts', '--port', '0']);
    url = await waitForUrl(server);
  }, 30_000);

  afterAll(() => {
    // Only if a test failed before the SIGTERM test ran.
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  });

  it('prints its URL and the loaded convoy types', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stdout()).toContain('support-ticket v1  events: TicketOpened, AgentAssigned');
    expect(server.stdout()).toContain('embedded memory store');
  });

  it('serves the HTTP contract: seq per convoy, duplicates, deferral, state, history, 422, 404', async () => {
    expect(await post('t-1', { type: 'TicketOpened' }, 'open-1')).toEqual({
      status: 202,
      body: { type: 'support-ticket', id: 't-1', seq: 1, duplicate: false },
    });
    expect(await post('t-1', { type: 'TicketOpened' }, 'open-1')).toEqual({
      status: 202,
      body: { type: 'support-ticket', id: 't-1', seq: 1, duplicate: true },
    });
    expect((await post('t-1', { type: 'AgentAssigned', agent: 'ana' })).body['seq']).toBe(2);
    // Closed before resolved: the default policy defers it until the ticket is resolved.
    expect((await post('t-1', { type: 'TicketClosed' })).body['seq']).toBe(3);
    expect((await post('t-1', { type: 'TicketResolved' })).body['seq']).toBe(4);
    // Another convoy has its own sequence.
    expect((await post('t-2', { type: 'TicketOpened' })).body['seq']).toBe(1);

    const unknown = await post('t-1', { type: 'TicketExploded' });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ statusCode: 422, code: 'unknown_event_type' });

    let convoy = await get('/convoys/support-ticket/t-1');
    for (let tries = 0; convoy.body['seq'] !== 4 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      convoy = await get('/convoys/support-ticket/t-1');
    }
    expect(convoy.status).toBe(200);
    expect(convoy.body).toMatchObject({
      type: 'support-ticket',
      id: 't-1',
      status: 'done',
      value: 'Closed',
      context: { assignee: 'ana', replies: 0 },
      seq: 4,
      accepted: 4,
      deferred: 0,
    });

    const history = await get('/convoys/support-ticket/t-1/history');
    const items = history.body['items'] as Array<{ seq: number; event: { type: string }; outcome: string }>;
    expect(items.map((item) => `${item.seq} ${item.event.type} ${item.outcome}`)).toEqual([
      '1 TicketOpened applied',
      '2 AgentAssigned applied',
      '3 TicketClosed deferred',
      '4 TicketResolved applied',
      '3 TicketClosed applied',
    ]);

    expect((await get('/convoys/support-ticket/never-seen')).status).toBe(404);
    const types = await get('/convoy-types');
    expect(JSON.stringify(types.body)).toContain('support-ticket');
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain('convoy: stopped');
  }, 20_000);
});

describe('convoy refuses bad invocations with a clear message and exit code 1', () => {
  it('a module without convoy definitions', async () => {
    const run = spawnConvoy(['serve', 'test/fixtures/none.ts', '--port', '0']);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain('convoy: test/fixtures/none.ts exports no convoy definition');
  }, 20_000);

  it('--no-worker on the memory store, where nothing else could process', async () => {
    const run = spawnConvoy(['serve', 'test/fixtures/support-ticket.ts', '--port', '0', '--no-worker']);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/--no-worker\) needs --redis/);
  }, 20_000);

  it('worker without --redis', async () => {
    const run = spawnConvoy(['worker', 'test/fixtures/support-ticket.ts']);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/required option '--redis <url>' not specified/);
  }, 20_000);
});
