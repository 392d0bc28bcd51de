/**
 * Positions in the background work lists (due timers, dirty convoys) for the scans that page through
 * them: both stores order a list by score ascending (due time, time of the dirty mark), then by member
 * in byte order (Redis's order of ties in a sorted set), and resume strictly after the last item of the
 * previous page. The cursor text is the index cursor's (opaque, URL-safe).
 */
import type { ConvoyStatus } from '@convoy/core';
import { decodeIndexCursor, encodeIndexCursor, type IndexPosition } from './index-cursor.ts';

/** Statuses that take a convoy out of the work lists until an operator or a turn makes it runnable. */
export const parkedStatuses: readonly ConvoyStatus[] = ['paused', 'blocked'];

/** True for a status that parks a convoy (see {@link parkedStatuses}). */
export function isParked(status: ConvoyStatus | undefined): boolean {
  return status !== undefined && parkedStatuses.includes(status);
}

/** Work-list order: lower score first, then member in UTF-8 byte order. */
export function compareWorkPositions(a: IndexPosition, b: IndexPosition): number {
  return a.at - b.at || Buffer.compare(Buffer.from(a.member, 'utf8'), Buffer.from(b.member, 'utf8'));
}

/** Reads a work-list cursor back (`invalid_request` for anything this module did not write). */
export function decodeWorkCursor(cursor: string | undefined): IndexPosition | undefined {
  return cursor === undefined ? undefined : decodeIndexCursor(cursor);
}

/**
 * One page from candidates already sorted in work-list order and strictly after the incoming cursor:
 * the first `limit`, and the position after the last one when more candidates remain (null otherwise:
 * the pass is complete and the next one starts from the head).
 */
export function workPage<T extends IndexPosition>(
  sorted: readonly T[],
  limit: number,
): { readonly items: T[]; readonly next: string | null } {
  const items = sorted.slice(0, Math.max(0, limit));
  const last = items[items.length - 1];
  return { items, next: sorted.length > items.length && last ? encodeIndexCursor(last) : null };
}

/** True when `item` comes strictly after `cursor` in work-list order. */
export function isAfterWorkCursor(item: IndexPosition, cursor: IndexPosition | undefined): boolean {
  return cursor === undefined || compareWorkPositions(cursor, item) < 0;
}
