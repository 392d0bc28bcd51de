/**
 * The API's view of a stored convoy.
 */
import type { ConvoyKey, ConvoyView } from '@convoy/core';
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
  };
}
