/**
 * The API's view of a stored convoy.
 */
import type { ConvoyAttention, ConvoyKey, ConvoyView } from '@convoy/core';
import type { StoredConvoy } from '@convoy/core/store';

/**
 * Render a stored convoy for `GET /convoys/:type/:id`. A convoy accepted but not processed yet shows
 * `active`, no state value, seq 0, on the version it will start on.
 */
export function toConvoyView(key: ConvoyKey, stored: StoredConvoy, startVersion: number): ConvoyView {
  const { record } = stored;
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (!record) {
    return {
      type: key.type,
      id: key.id,
      status: 'active',
      value: null,
      context: null,
      seq: 0,
      accepted: stored.accepted,
      deferred: 0,
      version: startVersion,
      createdAt: iso(stored.firstAcceptedAt),
      updatedAt: iso(stored.firstAcceptedAt),
      ...attentionOf(stored),
    };
  }
  return {
    type: key.type,
    id: key.id,
    status: record.status,
    value: record.value,
    context: record.context,
    seq: record.processedSeq,
    accepted: stored.accepted,
    deferred: record.deferred.length,
    version: record.definitionVersion,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    ...(record.blockedReason === undefined ? {} : { blockedReason: record.blockedReason }),
    ...attentionOf(stored),
  };
}

/**
 * `attention` while the convoy holds dead letters: derived from the dead-letter list (never stored
 * apart), so it clears by itself when the last letter is redriven or discarded.
 */
function attentionOf(stored: StoredConvoy): { attention?: ConvoyAttention } {
  const latest = stored.deadLetters?.latest;
  if (!latest || !stored.deadLetters || stored.deadLetters.count === 0) return {};
  return {
    attention: {
      deadLetters: stored.deadLetters.count,
      reason: latest.reason,
      seq: latest.seq,
      ...(latest.error === undefined ? {} : { error: latest.error }),
      ...(latest.effect === undefined ? {} : { effect: latest.effect.action }),
      at: new Date(latest.at).toISOString(),
    },
  };
}
