import { describe, expect, it } from 'vitest';
import { isConvoyError } from './errors.ts';
import type { ConvoyErrorCode } from './errors.ts';
import {
  canonicalJson,
  eventFingerprint,
  fnv1a64,
  maxEventDepth,
  validateConvoyId,
  validateEvent,
  validateIdempotencyKey,
} from './validate.ts';
import { orderConvoy } from '../test/fixtures/order-convoy.ts';

function codeOf(run: () => unknown): ConvoyErrorCode | 'no error' {
  try {
    run();
  } catch (error) {
    if (isConvoyError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('validateConvoyId', () => {
  it.each(['a', 'order-42', 'A.b_c-D', '0', 'x'.repeat(128)])('accepts %s', (id) => {
    expect(validateConvoyId(id)).toBe(id);
  });

  it.each(['', '-lead', '.lead', '_lead', 'has space', 'slash/id', 'ünï', 'x'.repeat(129), 'a:b', 'a{b}'])(
    'refuses %j with invalid_convoy_id',
    (id) => {
      expect(codeOf(() => validateConvoyId(id))).toBe('invalid_convoy_id');
    },
  );

  it('refuses non-strings', () => {
    expect(codeOf(() => validateConvoyId(42))).toBe('invalid_convoy_id');
    expect(codeOf(() => validateConvoyId(undefined))).toBe('invalid_convoy_id');
  });
});

describe('validateIdempotencyKey', () => {
  it.each(['k', 'req-1 retry', '~!@#$%^&*()', 'x'.repeat(200)])('accepts %j', (key) => {
    expect(validateIdempotencyKey(key)).toBe(key);
  });

  it.each(['', 'x'.repeat(201), 'tab\there', 'new\nline', 'é', '\u0000', 'emoji😀'])(
    'refuses %j with invalid_idempotency_key',
    (key) => {
      expect(codeOf(() => validateIdempotencyKey(key))).toBe('invalid_idempotency_key');
    },
  );

  it('refuses non-strings', () => {
    expect(codeOf(() => validateIdempotencyKey(['a']))).toBe('invalid_idempotency_key');
  });
});

describe('validateEvent', () => {
  const definition = orderConvoy();

  it('returns a known event unchanged (same object, no stripping or coercion)', () => {
    const body = { type: 'PaymentReceived', amount: '10', extra: { nested: [1, null, true] } };
    expect(validateEvent(definition, body)).toBe(body);
    expect(body).toEqual({ type: 'PaymentReceived', amount: '10', extra: { nested: [1, null, true] } });
  });

  it.each([null, 'PaymentReceived', 42, [], [{ type: 'PaymentReceived' }], new Date(0)])(
    'refuses a body that is not a plain object (%j) with invalid_request',
    (body) => {
      expect(codeOf(() => validateEvent(definition, body))).toBe('invalid_request');
    },
  );

  it.each([{}, { type: 1 }, { type: null }, { Type: 'PaymentReceived' }])(
    'refuses %j (no string type) with invalid_request',
    (body) => {
      expect(codeOf(() => validateEvent(definition, body))).toBe('invalid_request');
    },
  );

  it('refuses an event nested deeper than maxEventDepth with payload_too_deep, at any depth', () => {
    const nested = (levels: number): Record<string, unknown> => {
      let value: Record<string, unknown> = { type: 'Note' };
      for (let level = 1; level < levels; level++) value = { type: 'Note', inner: value };
      return value;
    };
    expect(codeOf(() => validateEvent(definition, nested(maxEventDepth)))).toBe('no error');
    for (const levels of [maxEventDepth + 1, 3_000, 100_000]) {
      expect(codeOf(() => validateEvent(definition, nested(levels)))).toBe('payload_too_deep');
    }
  });

  it('refuses a payload that is not plain JSON', () => {
    expect(codeOf(() => validateEvent(definition, { type: 'Note', text: () => 'x' }))).toBe(
      'invalid_request',
    );
    expect(codeOf(() => validateEvent(definition, { type: 'Note', at: new Date(0) }))).toBe(
      'invalid_request',
    );
    expect(codeOf(() => validateEvent(definition, { type: 'Note', n: Number.NaN }))).toBe('invalid_request');
    const cyclic: Record<string, unknown> = { type: 'Note' };
    cyclic['self'] = cyclic;
    expect(codeOf(() => validateEvent(definition, cyclic))).toBe('invalid_request');
  });

  it('refuses xstate.* types as reserved, even ones the machine uses internally', () => {
    expect(codeOf(() => validateEvent(definition, { type: 'xstate.init' }))).toBe('reserved_event_type');
    const after = { type: 'xstate.after.60000.order.AwaitingPayment' };
    expect(codeOf(() => validateEvent(definition, after))).toBe('reserved_event_type');
  });

  it('refuses an unknown type with unknown_event_type naming the type', () => {
    try {
      validateEvent(definition, { type: 'Bogus' });
      expect.unreachable();
    } catch (error) {
      expect(isConvoyError(error) && error.code).toBe('unknown_event_type');
      expect(isConvoyError(error) && error.details).toMatchObject({
        eventType: 'Bogus',
        convoyType: 'order',
      });
      expect(isConvoyError(error) && error.statusCode).toBe(422);
    }
  });

  it('is case-sensitive about types (no coercion)', () => {
    expect(codeOf(() => validateEvent(definition, { type: 'paymentreceived' }))).toBe('unknown_event_type');
    expect(codeOf(() => validateEvent(definition, { type: ' PaymentReceived' }))).toBe('unknown_event_type');
  });
});

describe('eventFingerprint', () => {
  it('ignores key order at every depth', () => {
    const a = { type: 'Note', meta: { x: 1, y: [{ b: 2, a: 1 }] } };
    const b = { meta: { y: [{ a: 1, b: 2 }], x: 1 }, type: 'Note' };
    expect(eventFingerprint(a)).toBe(eventFingerprint(b));
  });

  it('differs for different bodies', () => {
    const fingerprints = new Set([
      eventFingerprint({ type: 'Note', text: 'a' }),
      eventFingerprint({ type: 'Note', text: 'b' }),
      eventFingerprint({ type: 'Note', text: 1 }),
      eventFingerprint({ type: 'Note', text: '1' }),
      eventFingerprint({ type: 'Note', text: ['a'] }),
      eventFingerprint({ type: 'Note' }),
    ]);
    expect(fingerprints.size).toBe(6);
  });

  it('has the fnv1a64:<16 hex> shape', () => {
    expect(eventFingerprint({ type: 'Note' })).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
  });

  it('canonicalJson sorts keys and drops undefined fields like JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: 'x' }, e: [undefined] })).toBe(
      '{"a":{"c":"x"},"b":1,"e":[null]}',
    );
  });

  it('fnv1a64 matches the reference test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });
});
