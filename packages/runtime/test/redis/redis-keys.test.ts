/**
 * Every key of one convoy lands in one Redis Cluster slot (with its bucket's indexes), whatever the
 * convoy id contains; distinct convoys never share a key. Slots are computed as Redis Cluster does
 * (CRC16/XMODEM of the hash tag, mod 16384), so no Cluster is needed to prove it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RedisKeys } from '@convoy/runtime/redis';
import { decodeMember, decodeTimerMember, encodeTimerMember } from '../../src/redis/keys.ts';

/** CRC16/XMODEM, the checksum Redis Cluster uses for key slots. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The Cluster slot of a key: only the first non-empty `{…}` section counts when present. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(Buffer.from(key.slice(open + 1, close))) % 16384;
  }
  return crc16(Buffer.from(key)) % 16384;
}

const convoyKeyNames = [
  'inbox',
  'state',
  'outbox',
  'timers',
  'history',
  'dlq',
  'meta',
  'dirty',
  'due',
] as const;

describe('redis keys', () => {
  it('matches the reference CRC16 of Redis Cluster', () => {
    // Values from the Redis Cluster specification / CLUSTER KEYSLOT.
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  });

  it('puts every key of a convoy, its idempotency records and its bucket indexes in one slot, whatever the id holds', () => {
    const keys = new RedisKeys({ prefix: 'cv', buckets: 64 });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string(), (type, id, idem) => {
        const set = keys.convoy({ type, id });
        const names = [...convoyKeyNames.map((name) => set[name]), keys.idempotency(set, 'c', idem)];
        const slots = new Set(names.map(keySlot));
        expect(slots.size).toBe(1);
        expect(names.every((name) => name.startsWith(`cv:${set.tag}:`))).toBe(true);
      }),
    );
  });

  it('never gives two different convoys the same keys (ids with ":" cannot collide)', () => {
    const keys = new RedisKeys();
    expect(keys.convoy({ type: 'a:b', id: 'c' }).state).not.toBe(keys.convoy({ type: 'a', id: 'b:c' }).state);
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (t1, i1, t2, i2) => {
        fc.pre(t1 !== t2 || i1 !== i2);
        expect(keys.convoy({ type: t1, id: i1 }).state).not.toBe(keys.convoy({ type: t2, id: i2 }).state);
      }),
    );
  });

  it('assigns buckets stably and spreads convoys over them', () => {
    const keys = new RedisKeys({ buckets: 16 });
    expect(keys.bucketOf({ type: 'order', id: 'o-1' })).toBe(
      new RedisKeys({ buckets: 16 }).bucketOf({ type: 'order', id: 'o-1' }),
    );
    const used = new Set(
      Array.from({ length: 400 }, (_, n) => keys.bucketOf({ type: 'order', id: `o-${n}` })),
    );
    expect(used.size).toBe(16);
  });

  it('round-trips index members for any type, id and timer id', () => {
    const keys = new RedisKeys();
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (type, id, timerId) => {
        expect(decodeMember(keys.convoy({ type, id }).member)).toEqual({ type, id });
        expect(decodeTimerMember(encodeTimerMember({ type, id }, timerId))).toEqual({
          key: { type, id },
          timerId,
        });
      }),
    );
  });

  it('refuses a prefix that would move the hash tag', () => {
    expect(() => new RedisKeys({ prefix: 'a{b}' })).toThrow(TypeError);
    expect(() => new RedisKeys({ buckets: 0 })).toThrow(TypeError);
  });
});
