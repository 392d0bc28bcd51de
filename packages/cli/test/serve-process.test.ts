/**
 * End to end: the real `convoy` bin in a child process, serving a convoy the repo's demo does not
 * contain, driven over a real socket with fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postEvent, spawnConvoy, waitForUrl, waitProcessed } from './support/convoy-process.ts';
import type { ConvoyProcess } from './support/convoy-process.ts';

describe('convoy serve <module> as a process', () => {
  let server: ConvoyProcess;
  let url: string;
  const post = (id: string, event: object, key?: string) =>
    postEvent(url, `/convoys/support-ticket/${id}/events`, event, key);

  beforeAll(async () => {
    server = spawnConvoy(['serve', 'test/fixtures/support-ticket.ts', '--port', '0']);
    url = await waitForUrl(server);
  }, 40_000);

  // Only does something if a test failed before the SIGTERM test ran.
  afterAll(() => server.kill());

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

    const convoy = await waitProcessed(url, '/convoys/support-ticket/t-1', 4);
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

    const history = await getJson(url, '/convoys/support-ticket/t-1/history');
    const items = history.body['items'] as Array<{ seq: number; event: { type: string }; outcome: string }>;
    expect(items.map((item) => `${item.seq} ${item.event.type} ${item.outcome}`)).toEqual([
      '1 TicketOpened applied',
      '2 AgentAssigned applied',
      '3 TicketClosed deferred',
      '4 TicketResolved applied',
      '3 TicketClosed applied',
    ]);

    expect((await getJson(url, '/convoys/support-ticket/never-seen')).status).toBe(404);
    const types = await getJson(url, '/convoy-types');
    expect(JSON.stringify(types.body)).toContain('support-ticket');
  });

  it('shuts down cleanly on SIGTERM (exit code 0)', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain('convoy: stopped');
  }, 20_000);
});

describe('convoy refuses bad invocations with a clear message and exit code 1', () => {
  it('a module without convoy definitions', async () => {
    const run = spawnConvoy(['serve', 'test/fixtures/none.ts', '--port', '0']);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain('convoy: test/fixtures/none.ts exports no convoy definition');
  }, 30_000);

  it('--no-worker on the memory store, where nothing else could process', async () => {
    const run = spawnConvoy(['serve', 'test/fixtures/support-ticket.ts', '--port', '0', '--no-worker']);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/--no-worker\) needs --redis/);
  }, 30_000);

  it("the banner's example event is one a new convoy applies: schema fields filled, initial state, guard", async () => {
    const loan = spawnConvoy(['serve', 'test/fixtures/loan-application.ts', '--port', '0']);
    try {
      const loanUrl = await waitForUrl(loan);
      const line = loan.stdout().match(/curl -X POST '(\S+)' -H 'content-type: application\/json' -d '(.+)'/);
      expect(line, loan.stdout()).not.toBeNull();
      const [, target = '', body = ''] = line ?? [];
      expect(JSON.parse(body)).toEqual({ type: 'Apply', amount: 1, applicant: 'example' });
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ processed: true, outcome: 'applied', value: 'Review' });
      expect((await getJson(loanUrl, '/convoys/loan/demo-1')).body).toMatchObject({ value: 'Review' });
    } finally {
      loan.kill();
    }
  }, 60_000);

  it('worker without --redis', async () => {
    const run = spawnConvoy(['worker', 'test/fixtures/support-ticket.ts']);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/required option '--redis <url>' not specified/);
  }, 30_000);
});
