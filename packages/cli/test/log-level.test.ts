/**
 * `convoy serve --log-level debug --log-requests`: JSON lines on stderr (stdout keeps the banner), the
 * engine's turn lines carry the convoy bindings, request lines never carry the Authorization value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnConvoy, waitForUrl, waitProcessed } from './support/convoy-process.ts';
import type { ConvoyProcess } from './support/convoy-process.ts';

describe('convoy serve --log-level', () => {
  let server: ConvoyProcess;
  let url: string;

  beforeAll(async () => {
    server = spawnConvoy([
      'serve',
      'test/fixtures/support-ticket.ts',
      '--port',
      '0',
      '--log-level',
      'debug',
      '--log-requests',
    ]);
    url = await waitForUrl(server);
  }, 40_000);

  afterAll(() => server.kill());

  it('writes pino JSON with the turn bindings and a redacted Authorization header', async () => {
    const response = await fetch(`${url}/convoys/support-ticket/t-log/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer cli-secret-token' },
      body: JSON.stringify({ type: 'TicketOpened' }),
    });
    expect(response.status).toBe(202);
    await waitProcessed(url, '/convoys/support-ticket/t-log', 1);
    // The turn's debug line is written right after the commit a reader may already have seen.
    const deadline = Date.now() + 5_000;
    while (!server.stderr().includes('turn committed') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));

    const lines = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line['msg'] === 'turn committed')).toMatchObject({
      level: 20,
      convoyType: 'support-ticket',
      convoyId: 't-log',
      seq: 1,
      workerId: expect.any(String),
      epoch: expect.any(Number),
    });
    expect(lines.some((line) => line['msg'] === 'incoming request')).toBe(true);
    expect(server.stderr()).not.toContain('cli-secret-token');
    expect(server.stdout()).not.toContain('"level"');
  });
});
