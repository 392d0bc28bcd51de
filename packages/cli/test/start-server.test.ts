import { fileURLToPath } from 'node:url';
import { isConvoyError } from '@convoy/core';
import { describe, expect, it } from 'vitest';
import { startServer } from '../src/serve.ts';
import { counterConvoy } from './fixtures/counters.ts';

describe('startServer (the programmatic convoy serve)', () => {
  it('serves definitions in hand on a free port, reads its own write, and closes idempotently', async () => {
    const server = await startServer({ definitions: [counterConvoy('counter')], port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.processing).toBe(true);
    const response = await fetch(`${server.url}/convoys/counter/c-1/events?wait=5000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Tick' }),
    });
    expect(response.status).toBe(202);
    const convoy = (await (await fetch(`${server.url}/convoys/counter/c-1`)).json()) as Record<
      string,
      unknown
    >;
    expect(convoy).toMatchObject({ status: 'done', value: 'Done', seq: 1 });
    // GET /metrics is served and counts what this process accepted and processed.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/convoy_events_received_total\{type="counter",source="client"\} 1\b/);
    expect(metrics).toMatch(/convoy_events_processed_total\{type="counter",outcome="applied"\} 1\b/);
    expect(metrics).toMatch(/convoy_convoys\{type="counter",status="done"\} 1\b/);
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/convoy-types`)).rejects.toThrow();
  });

  it('loads a module relative to cwd', async () => {
    const server = await startServer({
      module: 'test/fixtures/named.ts',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      port: 0,
    });
    try {
      expect(server.definitions.map((d) => d.type).sort()).toEqual(['alpha', 'beta']);
    } finally {
      await server.close();
    }
  });

  it('refuses two definitions of one type and version before opening anything', async () => {
    const error: unknown = await startServer({
      definitions: [counterConvoy('twin'), counterConvoy('twin')],
      port: 0,
    }).catch((caught: unknown) => caught);
    expect(isConvoyError(error) && error.code).toBe('definition_invalid');
  });

  it('refuses an empty list of definitions', async () => {
    await expect(startServer({ definitions: [], port: 0 })).rejects.toThrow(/No convoy definitions/);
  });
});
