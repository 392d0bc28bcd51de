/** Turns the reply of `claimConvoy-4.lua` into a `Claim`. */
import type {
  ConvoyEvent,
  ConvoyKey,
  ConvoyRecord,
  EffectIntent,
  EventSource,
  InboxEvent,
} from '@convoy/core';
import type { Claim } from '@convoy/core/store';

type StreamEntry = [id: string, fields: string[]];

/** Parses `{epoch, leaseUntil, record JSON | "", XRANGE entries, outbox values}`. */
export function parseClaimReply(key: ConvoyKey, owner: string, reply: unknown): Claim {
  const [epoch, leaseUntil, recordJson, entries, outbox] = reply as [
    number,
    number,
    string,
    StreamEntry[],
    string[],
  ];
  const record = recordJson === '' ? null : (JSON.parse(recordJson) as ConvoyRecord);
  return {
    key,
    epoch,
    owner,
    leaseUntil,
    record,
    events: entries.map(parseInboxEntry),
    pendingEffects: outbox.map((json) => JSON.parse(json) as EffectIntent).sort(byProductionOrder),
  };
}

/** One inbox stream entry: id `<seq>-0`, fields e (event), s (source), t (acceptedAt). */
export function parseInboxEntry([id, fields]: StreamEntry): InboxEvent {
  const field = (name: string): string => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]!;
    throw new Error(`Inbox entry ${id} has no field ${name}`);
  };
  return {
    seq: Number(id.slice(0, id.indexOf('-'))),
    event: JSON.parse(field('e')) as ConvoyEvent,
    source: JSON.parse(field('s')) as EventSource,
    acceptedAt: Number(field('t')),
  };
}

// The outbox is a hash (unordered once large): restore the order effects were decided in, which is the
// event seq and then the index that ends the effect id (`<type>|<id>|<seq>|<index>`).
function byProductionOrder(a: EffectIntent, b: EffectIntent): number {
  return a.seq - b.seq || effectIndex(a.id) - effectIndex(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function effectIndex(id: string): number {
  const index = Number(id.slice(id.lastIndexOf('|') + 1));
  return Number.isFinite(index) ? index : 0;
}
