/**
 * Bad input never costs a convoy: a corpus of hostile requests (deep nesting, huge keys and ids, odd and
 * lying encodings, wrong media types, prototype poisoning, empty bodies...) sent through the real plugin
 * over a real engine, on the memory store and on a private redis-server. Each answer is a 4xx with a
 * stable code (never a 5xx, nothing logged at error level), and the convoy's stored state (counters,
 * inbox, history, indexes; on Redis also the set of keys) is exactly what it was before.
 */
import { gzipSync } from 'node:zlib';
import type { ConvoyKey, ConvoyErrorCode } from '@convoy/core';
import { errorStatusByCode } from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import { createConvoyEngine, MemoryConvoyStore, MemoryTurnScheduler, silentLogger } from '@convoy/runtime';
import type { ConvoyEngine } from '@convoy/runtime';
import { BullmqTurnScheduler, RedisConvoyStore } from '@convoy/runtime/redis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../runtime/test/redis/redis-server.ts';
import type { TestRedisServer } from '../../runtime/test/redis/redis-server.ts';
import { buildConvoyApp } from '../src/index.ts';
import { parcel } from './support/convoys.ts';

/** A hostile request and the code it must be refused with. */
interface HostileRequest {
  readonly name: string;
  readonly method?: 'POST' | 'GET';
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly payload?: string | Buffer;
  readonly code: ConvoyErrorCode;
}

const url = '/convoys/parcel/c-1/events';
const json = { 'content-type': 'application/json' };

/** An event whose field `x` brings the body to `levels` of nested arrays (the event object is level 1). */
function deepArrays(levels: number): string {
  return `{"type":"OrderPlaced","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
}

/** The same with nested objects `{"a":{"a":...}}`. */
function deepObjects(levels: number): string {
  return `{"type":"OrderPlaced","x":${'{"a":'.repeat(levels - 2)}{}${'}'.repeat(levels - 2)}}`;
}

const event = Buffer.from('{"type":"OrderPlaced","note":"', 'utf8');
const close = Buffer.from('"}', 'utf8');
const withBytes = (...bytes: number[]): Buffer => Buffer.concat([event, Buffer.from(bytes), close]);

const corpus: readonly HostileRequest[] = [
  { name: 'arrays nested 65 levels', payload: deepArrays(65), code: 'payload_too_deep' },
  { name: 'objects nested 65 levels', payload: deepObjects(65), code: 'payload_too_deep' },
  { name: 'arrays nested 2,000 levels', payload: deepArrays(2_000), code: 'payload_too_deep' },
  { name: 'objects nested 2,000 levels', payload: deepObjects(2_000), code: 'payload_too_deep' },
  { name: 'objects nested 3,000 levels', payload: deepObjects(3_000), code: 'payload_too_deep' },
  { name: 'arrays nested 100,000 levels', payload: deepArrays(100_000), code: 'payload_too_deep' },
  { name: 'objects nested 100,000 levels', payload: deepObjects(100_000), code: 'payload_too_deep' },
  {
    name: 'a deep body that is not even valid JSON',
    payload: '['.repeat(50_000),
    code: 'payload_too_deep',
  },
  { name: 'invalid UTF-8 (0xC3 0x28)', payload: withBytes(0xc3, 0x28), code: 'invalid_encoding' },
  { name: 'overlong UTF-8 for "/" (0xC0 0xAF)', payload: withBytes(0xc0, 0xaf), code: 'invalid_encoding' },
  {
    name: 'a UTF-16 surrogate encoded in UTF-8 (CESU)',
    payload: withBytes(0xed, 0xa0, 0x80),
    code: 'invalid_encoding',
  },
  { name: 'a truncated UTF-8 sequence', payload: withBytes(0xe2, 0x82), code: 'invalid_encoding' },
  {
    name: 'a UTF-8 byte order mark',
    payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"type":"OrderPlaced"}')]),
    code: 'invalid_encoding',
  },
  {
    name: 'an escaped lone high surrogate',
    payload: '{"type":"OrderPlaced","x":"\\ud800"}',
    code: 'invalid_encoding',
  },
  {
    name: 'an escaped lone low surrogate in a key',
    payload: '{"type":"OrderPlaced","\\udc00":1}',
    code: 'invalid_encoding',
  },
  {
    name: 'UTF-16LE bytes declared as charset=utf-16',
    headers: { 'content-type': 'application/json; charset=utf-16' },
    payload: Buffer.from('{"type":"OrderPlaced"}', 'utf16le'),
    code: 'unsupported_media_type',
  },
  {
    name: 'UTF-16LE bytes without a charset',
    payload: Buffer.from('{"type":"OrderPlaced"}', 'utf16le'),
    code: 'invalid_json',
  },
  {
    name: 'charset=latin1',
    headers: { 'content-type': 'application/json; charset=latin1' },
    payload: '{"type":"OrderPlaced"}',
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Encoding: gzip on a plain body (a lie)',
    headers: { ...json, 'content-encoding': 'gzip' },
    payload: '{"type":"OrderPlaced"}',
    code: 'unsupported_content_encoding',
  },
  {
    name: 'Content-Encoding: gzip on a gzipped body',
    headers: { ...json, 'content-encoding': 'gzip' },
    payload: gzipSync('{"type":"OrderPlaced"}'),
    code: 'unsupported_content_encoding',
  },
  {
    name: 'Content-Encoding: br, deflate',
    headers: { ...json, 'content-encoding': 'br, deflate' },
    payload: '{"type":"OrderPlaced"}',
    code: 'unsupported_content_encoding',
  },
  {
    name: 'Content-Type: text/plain (a no-cors browser POST)',
    headers: { 'content-type': 'text/plain' },
    payload: '{"type":"OrderPlaced"}',
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Type: application/x-www-form-urlencoded',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'type=OrderPlaced',
    code: 'unsupported_media_type',
  },
  { name: 'no Content-Type', headers: {}, payload: '{"type":"OrderPlaced"}', code: 'unsupported_media_type' },
  {
    name: 'a number too large for a double (1e999)',
    payload: '{"type":"OrderPlaced","n":1e999}',
    code: 'invalid_request',
  },
  {
    name: 'a negative overflow (-1e400)',
    payload: '{"type":"OrderPlaced","n":[-1e400]}',
    code: 'invalid_request',
  },
  { name: 'NaN', payload: '{"type":"OrderPlaced","n":NaN}', code: 'invalid_json' },
  {
    name: 'a __proto__ key',
    payload: '{"type":"OrderPlaced","__proto__":{"admin":true}}',
    code: 'invalid_json',
  },
  {
    name: 'constructor.prototype',
    payload: '{"type":"OrderPlaced","constructor":{"prototype":{"admin":true}}}',
    code: 'invalid_json',
  },
  { name: 'an empty body', payload: '', code: 'invalid_json' },
  { name: 'a whitespace body', payload: ' \n\t ', code: 'invalid_json' },
  { name: 'truncated JSON', payload: '{"type":"OrderPla', code: 'invalid_json' },
  { name: 'trailing garbage', payload: '{"type":"OrderPlaced"} x', code: 'invalid_json' },
  { name: 'a top-level array', payload: '[{"type":"OrderPlaced"}]', code: 'invalid_request' },
  { name: 'a numeric type', payload: '{"type":1}', code: 'invalid_request' },
  {
    name: 'a 60,000-character event type',
    payload: `{"type":"${'T'.repeat(60_000)}"}`,
    code: 'unknown_event_type',
  },
  { name: 'a NUL inside the type', payload: '{"type":"Order\\u0000Placed"}', code: 'unknown_event_type' },
  { name: 'a reserved xstate.* type', payload: '{"type":"xstate.init"}', code: 'reserved_event_type' },
  {
    name: 'a 1,100,000-character key (past the body limit)',
    payload: `{"type":"OrderPlaced","${'k'.repeat(1_100_000)}":1}`,
    code: 'payload_too_large',
  },
  {
    name: 'a 201-character Idempotency-Key',
    headers: { ...json, 'idempotency-key': 'k'.repeat(201) },
    payload: '{"type":"OrderPlaced"}',
    code: 'invalid_idempotency_key',
  },
  {
    name: 'a 100,000-character Idempotency-Key',
    headers: { ...json, 'idempotency-key': 'k'.repeat(100_000) },
    payload: '{"type":"OrderPlaced"}',
    code: 'invalid_idempotency_key',
  },
  {
    name: 'a non-ASCII Idempotency-Key',
    headers: { ...json, 'idempotency-key': 'clé' },
    payload: '{"type":"OrderPlaced"}',
    code: 'invalid_idempotency_key',
  },
  {
    name: 'a 129-character id',
    url: `/convoys/parcel/${'i'.repeat(129)}/events`,
    payload: '{"type":"OrderPlaced"}',
    code: 'invalid_convoy_id',
  },
  {
    name: 'a 5,000-character id',
    url: `/convoys/parcel/${'i'.repeat(5_000)}/events`,
    payload: '{"type":"OrderPlaced"}',
    code: 'invalid_convoy_id',
  },
  {
    name: 'a 1,000-character type',
    url: `/convoys/${'t'.repeat(1_000)}/c-1/events`,
    payload: '{"type":"OrderPlaced"}',
    code: 'unknown_convoy_type',
  },
  {
    name: 'an id with a NUL',
    url: '/convoys/parcel/c%00-1/events',
    payload: '{"type":"OrderPlaced"}',
    code: 'invalid_convoy_id',
  },
  {
    name: 'a deep body on an operator route',
    url: '/convoys/parcel/c-1/dead-letters/redrive',
    payload: '['.repeat(200) + ']'.repeat(200),
    code: 'payload_too_deep',
  },
];

/** What a hostile request must not change: the convoy's counters, inbox, history and the type's index. */
async function storedState(store: ConvoyStore, key: ConvoyKey) {
  return {
    convoy: await store.get(key),
    inbox: await store.inbox(key, 1_000),
    history: await store.history(key),
    listed: await store.listConvoys({ type: key.type, limit: 1_000 }),
    counts: await store.countConvoys(key.type),
  };
}

interface Rig {
  readonly store: ConvoyStore;
  readonly engine: ConvoyEngine;
  /** Keys the store holds (Redis only; `[]` on memory). */
  readonly keys: () => Promise<string[]>;
  readonly stop: () => Promise<void>;
}

function describeCorpus(name: string, open: () => Promise<Rig>): void {
  describe(`bad-input corpus on the ${name} store`, () => {
    let rig: Rig;
    let app: FastifyInstance;
    const errorLogs: string[] = [];

    beforeAll(async () => {
      rig = await open();
      await rig.engine.start();
      // A body limit large enough that 100,000-level bodies reach the depth check (the default, 64 KiB,
      // would refuse them as too large first).
      app = buildConvoyApp({
        gateway: rig.engine,
        bodyLimit: 1024 * 1024,
        logger: {
          level: 'info',
          stream: { write: (line: string) => void (JSON.parse(line).level >= 50 && errorLogs.push(line)) },
        },
      });
      const seeded = await app.inject({
        method: 'POST',
        url: `${url}?wait=10000`,
        headers: json,
        payload: '{"type":"OrderPlaced"}',
      });
      expect(seeded.statusCode).toBe(202);
    }, 30_000);

    afterAll(async () => {
      await app?.close();
      await rig?.engine.close();
      await rig?.stop();
    });

    it(`answers each of ${corpus.length} hostile requests with its 4xx code and changes nothing`, async () => {
      const key = { type: 'parcel', id: 'c-1' };
      const before = await storedState(rig.store, key);
      const keysBefore = await rig.keys();
      let serverErrors = 0;
      const wrong: string[] = [];
      for (const request of corpus) {
        const response = await app.inject({
          method: request.method ?? 'POST',
          url: request.url ?? url,
          headers: request.headers ?? json,
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        });
        if (response.statusCode >= 500) serverErrors++;
        const body = response.json<{ statusCode: number; code: string }>();
        if (response.statusCode !== errorStatusByCode[request.code] || body.code !== request.code) {
          wrong.push(`${request.name}: ${response.statusCode} ${body.code} (expected ${request.code})`);
        }
        // A refusal names the problem; it never echoes a huge input back.
        if (response.body.length > 1_000) wrong.push(`${request.name}: ${response.body.length}-byte answer`);
      }
      console.log(`bad-input corpus (${name}): ${corpus.length} requests, ${serverErrors} × 5xx`);
      expect(wrong).toEqual([]);
      expect(serverErrors).toBe(0);
      expect(errorLogs).toEqual([]);
      expect(await storedState(rig.store, key)).toEqual(before);
      expect(await rig.keys()).toEqual(keysBefore);
    }, 60_000);

    it('accepts a body exactly at the depth limit (64 levels)', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/convoys/parcel/c-64/events',
        headers: json,
        payload: deepArrays(64),
      });
      expect(response.statusCode).toBe(202);
    });
  });
}

let redis: TestRedisServer | undefined;

describeCorpus('memory', async () => {
  const store = new MemoryConvoyStore();
  const engine = createConvoyEngine({
    definitions: [parcel],
    store,
    scheduler: new MemoryTurnScheduler(),
    logger: silentLogger,
  });
  return { store, engine, keys: async () => [], stop: async () => store.close() };
});

describeCorpus('Redis', async () => {
  redis = await startRedisServer();
  const prefix = `corpus-${Date.now()}`;
  const store = new RedisConvoyStore({ connection: redis.url, prefix, buckets: 8 });
  const scheduler = new BullmqTurnScheduler({ connection: redis.url, queueName: `q-${prefix}` });
  const engine = createConvoyEngine({ definitions: [parcel], store, scheduler, logger: silentLogger });
  const client = redis.client();
  const keys = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found.sort();
  };
  return {
    store,
    engine,
    keys,
    stop: async () => {
      await store.close();
      client.disconnect();
      await redis?.stop();
    },
  };
});
