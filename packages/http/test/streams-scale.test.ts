/**
 * Streams that scale (issue 14): a change reaches every stream of its type with ONE read of the store,
 * open streams read nothing while nothing changes, the node refuses streams past `maxStreams` with
 * `503 too_many_streams` and `Retry-After`, and a client that does not read is dropped past
 * `streamBufferBytes` with everything held for it freed. Real sockets, real engine on the memory store.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ConvoyGateway } from '@convoy/core';
import type { ConvoyEngine } from '@convoy/runtime';
import { buildConvoyApp } from '../src/index.ts';
import type { ConvoyAppOptions } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';
import { expectError } from './support/expect-error.ts';
import { sseReader } from './support/sse-reader.ts';

let engine: ConvoyEngine | undefined;
let app: FastifyInstance | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await app?.close();
  await engine?.close();
  app = undefined;
  engine = undefined;
});

/** The engine behind a gateway that counts the store reads the streams make. */
function counted(inner: ConvoyEngine, pad = 0): { gateway: ConvoyGateway; reads: () => number } {
  let reads = 0;
  const gateway: ConvoyGateway = {
    ...inner,
    getConvoy: async (key) => {
      reads += 1;
      const view = await inner.getConvoy(key);
      // A large view, so a client that does not read fills its buffers quickly.
      return view && pad > 0 ? { ...view, context: { pad: 'x'.repeat(pad) } } : view;
    },
    listConvoys: async (query) => {
      reads += 1;
      return inner.listConvoys(query);
    },
  };
  return { gateway, reads: () => reads };
}

async function serve(gateway: ConvoyGateway, options: Partial<ConvoyAppOptions> = {}): Promise<string> {
  app = buildConvoyApp({ gateway, ...options });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const post = (base: string, type: string, id: string, event: object) =>
  fetch(`${base}/convoys/${type}/${id}/events?wait=5000`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('streams that scale', () => {
  it('a change reaches 50 streams of its type with one store read, and idle streams read nothing', async () => {
    engine = await memoryEngine();
    const { gateway, reads } = counted(engine);
    const base = await serve(gateway);
    const streams = await Promise.all(
      Array.from({ length: 50 }, async () => sseReader(await fetch(`${base}/convoys/parcel/stream`))),
    );
    const idleFrom = reads();
    await sleep(1200); // longer than any poll interval the streams ever had (500 ms)
    expect(reads() - idleFrom).toBe(0);

    const before = reads();
    expect((await post(base, 'parcel', 'p-1', { type: 'OrderPlaced' })).status).toBe(202);
    const received = await Promise.all(streams.map((stream) => stream.next(1)));
    for (const events of received)
      expect(events.map((event) => event.data.value)).toEqual(['AwaitingPayment']);
    expect(reads() - before).toBe(1);
  });

  it('the per-convoy stream also reads once per change, shared with the type streams', async () => {
    engine = await memoryEngine();
    const { gateway, reads } = counted(engine);
    const base = await serve(gateway);
    expect((await post(base, 'parcel', 'p-1', { type: 'OrderPlaced' })).status).toBe(202);
    const streams = await Promise.all(
      Array.from({ length: 20 }, async () => sseReader(await fetch(`${base}/convoys/parcel/p-1/stream`))),
    );
    for (const stream of streams) expect((await stream.next(1))[0]?.data.value).toBe('AwaitingPayment');
    const before = reads();
    await sleep(600);
    expect(reads()).toBe(before);
    expect((await post(base, 'parcel', 'p-1', { type: 'PaymentConfirmed', amount: 1 })).status).toBe(202);
    for (const stream of streams) expect((await stream.next(1))[0]?.id).toBe('2');
    expect(reads() - before).toBe(1);
  });

  it('past maxStreams a stream is refused with 503 too_many_streams and Retry-After; a closed one frees its place', async () => {
    engine = await memoryEngine();
    const base = await serve(engine, { maxStreams: 2 });
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(
      controllers.map((controller) => fetch(`${base}/convoys/parcel/stream`, { signal: controller.signal })),
    );
    for (const response of open) expect(response.status).toBe(200);
    expect(app!.convoyStreams.open).toBe(2);

    const refused = await app!.inject({ method: 'GET', url: '/convoys/parcel/stream' });
    expectError(refused, 'too_many_streams');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    const convoyStream = await fetch(`${base}/convoys/parcel/x/stream`);
    expect(convoyStream.status).toBe(404); // the cap is checked after the 404 of a convoy never seen
    expect(app!.convoyStreams.refused).toBe(1);

    controllers[0]!.abort();
    await until(() => app!.convoyStreams.open === 1);
    const again = await fetch(`${base}/convoys/parcel/stream`);
    expect(again.status).toBe(200);
    await again.body?.cancel();
    controllers[1]!.abort();
    await until(() => app!.convoyStreams.open === 0);
  });

  it('refuses bad options', async () => {
    engine = await memoryEngine();
    await expect(buildConvoyApp({ gateway: engine, maxStreams: -1 }).ready()).rejects.toThrow(/maxStreams/);
    await expect(buildConvoyApp({ gateway: engine, streamBufferBytes: 10 }).ready()).rejects.toThrow(
      /streamBufferBytes/,
    );
  });

  it('drops a client that does not read past streamBufferBytes and frees what it held; a reading client goes on', async () => {
    engine = await memoryEngine();
    const { gateway } = counted(engine, 200_000);
    const base = await serve(gateway, { streamBufferBytes: 256 * 1024 });
    const { port } = new URL(base);

    // A real socket that sends the request and never reads the answer.
    const stalled = connect(Number(port), '127.0.0.1');
    sockets.push(stalled);
    let stalledClosed = false;
    stalled.on('close', () => {
      stalledClosed = true;
    });
    stalled.on('error', () => undefined);
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.pause();
    stalled.write(
      'GET /convoys/parcel/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n',
    );
    const reading = sseReader(await fetch(`${base}/convoys/parcel/stream`));
    await until(() => app!.convoyStreams.open === 2);

    let sent = 0;
    let peak = 0;
    while (app!.convoyStreams.dropped === 0 && sent < 400) {
      sent += 1;
      expect((await post(base, 'parcel', `p-${sent}`, { type: 'OrderPlaced' })).status).toBe(202);
      await sleep(5);
      peak = Math.max(peak, app!.convoyStreams.bufferedBytes);
      // The reading client keeps up.
      expect((await reading.next(1))[0]?.data.id).toBe(`p-${sent}`);
    }
    expect(app!.convoyStreams.dropped).toBe(1);
    expect(peak).toBeGreaterThan(0);
    expect(app!.convoyStreams.open).toBe(1);
    // The server cut the connection: once the client reads again, it finds the end.
    stalled.resume();
    await until(() => stalledClosed);
    // Nothing is held for the dropped client: only the reading client's bytes in flight, if any.
    await until(() => app!.convoyStreams.bufferedBytes === 0);

    sent += 1;
    expect((await post(base, 'parcel', `p-${sent}`, { type: 'OrderPlaced' })).status).toBe(202);
    expect((await reading.next(1))[0]?.data.id).toBe(`p-${sent}`);
  }, 60_000);
});
