/**
 * An effect's dead letter and its redrive in the contract: the letter's `effect`, the redrive receipt's
 * `effectId` and the history note's `effectId` are documented in the route table's schemas (strict, so
 * an undocumented field would fail) and so appear in the generated OpenAPI document.
 */
import type { DeadLetter, EffectIntent, HistoryEntry } from '@convoy/core';
import { toDeadLetterItem, toHistoryItem } from '@convoy/core/wire';
import type { RedriveItem } from '@convoy/core/wire';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deadLetterItem, historyItem, redriveItem } from '../src/contract/responses.ts';

const effect: EffectIntent = {
  id: 'order|o-1|3|0|inc-1',
  action: 'notifyWarehouse',
  params: { sku: 'A-1' },
  seq: 3,
  event: { type: 'OrderPaid' },
  context: { total: 10 },
};

const letter: DeadLetter = {
  key: { type: 'order', id: 'o-1' },
  seq: 3,
  event: { type: 'OrderPaid' },
  reason: 'handler_error',
  error: 'effect "notifyWarehouse" failed in 10 turns: down',
  at: Date.UTC(2026, 0, 1),
  effect,
};

describe("an effect's dead letter and its redrive on the wire", () => {
  it('the dead-letter item carries the effect as planned', () => {
    const item = deadLetterItem.parse(toDeadLetterItem(letter));
    expect(item.effect).toEqual(effect);
  });

  it('the redrive receipt and the history note carry the effect id (newSeq 0: no new event)', () => {
    const receipt: RedriveItem = { redriven: [{ seq: 3, newSeq: 0, effectId: effect.id }] };
    expect(redriveItem.parse(receipt)).toEqual(receipt);
    const entry: HistoryEntry = {
      seq: 3,
      event: { type: 'OrderPaid' },
      outcome: 'operator',
      from: null,
      to: null,
      at: Date.UTC(2026, 0, 1),
      operator: { action: 'redrive', newSeq: 0, effectId: effect.id },
    };
    expect(historyItem.parse(toHistoryItem(entry)).operator?.effectId).toBe(effect.id);
  });

  it('the OpenAPI schemas name the fields', () => {
    const letterSchema = z.toJSONSchema(deadLetterItem, { target: 'openapi-3.0', io: 'output' });
    const redriveSchema = JSON.stringify(
      z.toJSONSchema(redriveItem, { target: 'openapi-3.0', io: 'output' }),
    );
    expect(Object.keys((letterSchema as { properties: object }).properties)).toContain('effect');
    expect(redriveSchema).toContain('"effectId"');
  });
});
