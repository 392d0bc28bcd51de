/**
 * What the console shows of one convoy, as one JSON shape shared by the API route and the live stream.
 */
import type { ConvoyGateway, ConvoyGraph, ConvoyKey, ConvoyView, HistoryEntry } from '@convoy/core';
import { activeStateIds } from './active-states.ts';

/**
 * A convoy as the console page renders it. `history` holds the entries from index `from` on; the API
 * always sends `from: 0`, the live stream sends only what the client has not seen (or `from: 0` again
 * when it cannot tell).
 */
export interface ConsoleConvoyState {
  readonly convoy: ConvoyView;
  /** Ids of the active state nodes (the diagram's SVG element ids), parents before children. */
  readonly active: readonly string[];
  readonly history: { readonly from: number; readonly entries: readonly HistoryEntry[] };
}

/** Read a convoy with its full history; null when the convoy was never seen. */
export async function readConvoyState(
  gateway: ConvoyGateway,
  key: ConvoyKey,
  graph: ConvoyGraph,
): Promise<ConsoleConvoyState | null> {
  const convoy = await gateway.getConvoy(key);
  if (convoy === null) return null;
  const entries = (await gateway.getHistory(key)) ?? [];
  return { convoy, active: activeStateIds(graph, convoy.value), history: { from: 0, entries } };
}
