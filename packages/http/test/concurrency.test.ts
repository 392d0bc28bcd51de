/**
 * Invariants 1-3 over real HTTP: 20 concurrent clients send 50 events to each of 10 convoys through a
 * listening socket. Every convoy's history is seq 1..50 in acceptance order, every event is applied
 * exactly once, and each client's own events are applied in the order it sent them.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ConvoyEngine } from '@convoy/runtime';
import { buildConvoyApp } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';

const clients = 20;
const convoys = 10;
const eventsPerConvoy = 50;

let engine: ConvoyEngine;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  engine = await memoryEngine();
  app = buildConvoyApp({ gateway: engine });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  await engine.close();
});

interface Sent {
  readonly convoy: string;
  readonly eventId: string;
  readonly client: number;
  readonly seq: number;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${base}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

it('20 clients x 10 convoys x 50 events: seq 1..n in acceptance order, no gaps, nothing applied twice', async () => {
  // Work list: 500 events; client c sends every 20th one, so all clients hit all convoys concurrently.
  const work = Array.from({ length: convoys * eventsPerConvoy }, (_, index) => ({
    convoy: `c-${index % convoys}`,
    eventId: `e-${index}`,
  }));
  const sendAll = async (client: number): Promise<Sent[]> => {
    const sent: Sent[] = [];
    for (let index = client; index < work.length; index += clients) {
      const { convoy, eventId } = work[index]!;
      const response = await fetch(`${base}/convoys/ledger/${convoy}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': eventId },
        body: JSON.stringify({ type: 'Tick', eventId }),
      });
      expect(response.status).toBe(202);
      const receipt = (await response.json()) as { seq: number; duplicate: boolean };
      expect(receipt.duplicate).toBe(false);
      sent.push({ convoy, eventId, client, seq: receipt.seq });
    }
    return sent;
  };
  const sent = (await Promise.all(Array.from({ length: clients }, (_, client) => sendAll(client)))).flat();
  expect(sent).toHaveLength(convoys * eventsPerConvoy);

  for (let n = 0; n < convoys; n += 1) {
    const convoy = `c-${n}`;
    const mine = sent.filter((entry) => entry.convoy === convoy);
    // Seqs handed out over HTTP are exactly 1..50: no gaps, no duplicates.
    expect(mine.map((entry) => entry.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: eventsPerConvoy }, (_, index) => index + 1),
    );
    const wait = await getJson<{ processed: boolean }>(
      `/convoys/ledger/${convoy}/wait?seq=${eventsPerConvoy}&timeout=10000`,
    );
    expect(wait.processed).toBe(true);

    const { items } = await getJson<{
      items: Array<{ seq: number; outcome: string; event: { eventId: string } }>;
    }>(`/convoys/ledger/${convoy}/history`);
    expect(items.map((item) => item.seq)).toEqual(
      Array.from({ length: eventsPerConvoy }, (_, index) => index + 1),
    );
    expect(items.every((item) => item.outcome === 'applied')).toBe(true);

    // Applied in acceptance order, each exactly once: context.applied[i] is the event accepted as seq i+1.
    const view = await getJson<{ seq: number; accepted: number; context: { applied: string[] } }>(
      `/convoys/ledger/${convoy}`,
    );
    const bySeq = [...mine].sort((a, b) => a.seq - b.seq).map((entry) => entry.eventId);
    expect(view.context.applied).toEqual(bySeq);
    expect(new Set(view.context.applied).size).toBe(eventsPerConvoy);
    expect(view).toMatchObject({ seq: eventsPerConvoy, accepted: eventsPerConvoy });

    // Real-time order: a client waits for each 202 before sending its next event, so its own events
    // to one convoy carry increasing seqs.
    for (let client = 0; client < clients; client += 1) {
      const seqs = mine.filter((entry) => entry.client === client).map((entry) => entry.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  }
}, 60_000);
