/**
 * Convoy on Redis through HTTP: the same engine and Redis store behind the Fastify API
 * (`buildConvoyApp`) listening on a loopback port in this process; events are POSTed with keep-alive
 * `fetch`, each convoy's next event sent once the previous one was answered 202. Local turns are on,
 * as in `convoy serve`.
 */
import { buildConvoyApp } from '@convoy/http';
import type { Contender, ContenderInstance, ContenderTarget, SendItem } from './contender.ts';
import { openConvoyRedisParts } from './convoy-redis.ts';
import { byConvoy, convoyInstance, orderConvoy } from './convoy-engine.ts';

/** Concurrent HTTP requests of one send (like a fleet of clients with keep-alive sockets). */
const httpConnections = 64;

async function post(base: string, item: SendItem): Promise<void> {
  const response = await fetch(
    `${base}/convoys/${orderConvoy.type}/${encodeURIComponent(item.convoyId)}/events`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(item.event),
    },
  );
  // Drain the body so the keep-alive socket is reused.
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST answered ${response.status}: ${text}`);
}

async function openConvoyHttp(target: ContenderTarget): Promise<ContenderInstance> {
  const parts = openConvoyRedisParts(target);
  // As `convoy serve` runs by default: HTTP and turns in one process, with local turns.
  const direct = convoyInstance(target, parts.store, parts.scheduler, parts.close, {
    localTurns: target.concurrency,
  });
  const app = buildConvoyApp({ gateway: direct.gateway });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    async send(items) {
      // A client pool of `httpConnections` sockets; each takes a whole convoy and posts it in order.
      const groups = byConvoy(items);
      let next = 0;
      const client = async (): Promise<void> => {
        for (let group = groups[next++]; group !== undefined; group = groups[next++]) {
          for (const item of group) {
            direct.expect(item);
            await post(address, item);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(httpConnections, groups.length) }, client));
    },
    start: () => direct.start(),
    verifyStored: (expected) => direct.verifyStored(expected),
    async close() {
      await app.close();
      await direct.close();
    },
  };
}

/** Convoy, Redis store, through the HTTP API. */
export const convoyHttp: Contender = {
  id: 'convoy-http',
  name: 'Convoy on Redis (HTTP)',
  ordered: true,
  stateful: true,
  usesRedis: true,
  open: openConvoyHttp,
};
