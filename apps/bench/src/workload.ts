/** The event streams the scenarios send: convoy ids, and events in per-convoy order. */
import type { SendItem } from './contenders/contender.ts';
import { orderEvents } from './order-machine.ts';

/** Id of the i-th convoy of a run. */
export const convoyId = (index: number): string => `o-${index}`;

/**
 * A backlog as rounds: round j holds event j of every convoy, so sending round after round keeps every
 * convoy's order while convoys are accepted in parallel within a round.
 */
export function backlogRounds(convoys: number, eventsPerConvoy: number): SendItem[][] {
  const events = orderEvents(eventsPerConvoy);
  return events.map((event) =>
    Array.from({ length: convoys }, (_, index) => ({ convoyId: convoyId(index), event, scheduledAt: 0 })),
  );
}

/** Expected applied count per convoy, for the check. */
export function expectedCounts(convoys: number, eventsPerConvoy: number): Map<string, number> {
  return new Map(Array.from({ length: convoys }, (_, index) => [convoyId(index), eventsPerConvoy]));
}

/** Milliseconds since the epoch with sub-millisecond resolution (for latencies). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
