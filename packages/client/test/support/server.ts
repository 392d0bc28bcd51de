/**
 * A real Convoy server for the client tests: the engine on the memory store, the HTTP API and
 * (optionally) the console, listening on a free loopback port.
 */
import { consolePlugin } from '@convoy/console';
import { buildConvoyApp } from '@convoy/http';
import type { ConvoyAppOptions } from '@convoy/http';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import { orderConvoy, ticketConvoy } from './convoys.ts';

/** A listening server. */
export interface TestServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Start the server; `console: false` leaves the console out; `auth` guards route groups. */
export async function startTestServer(
  options: { readonly console?: boolean; readonly auth?: ConvoyAppOptions['auth'] } = {},
): Promise<TestServer> {
  const store = new MemoryConvoyStore();
  const engine = createConvoyEngine({
    definitions: [orderConvoy, ticketConvoy],
    store,
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
  });
  await engine.start();
  const app = buildConvoyApp({ gateway: engine, ...(options.auth ? { auth: options.auth } : {}) });
  if (options.console !== false) await app.register(consolePlugin);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await app.close();
      await engine.close();
      await store.close();
    },
  };
}
