/**
 * Cursors of the convoy indexes (status index, dead-letter index). Both stores order an index page by
 * score descending (newest first), then by member descending (Redis `ZREVRANGEBYSCORE` order), and
 * resume after the last item returned.
 */
import { ConvoyError } from '@convoy/core';

/** The position of the last item of a page: its score and its store-specific member string. */
export interface IndexPosition {
  readonly at: number;
  readonly member: string;
}

/** An opaque, URL-safe cursor for a position. */
export function encodeIndexCursor(position: IndexPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.member]), 'utf8').toString('base64url');
}

/** Reads a cursor back; anything this module did not write is `invalid_request`. */
export function decodeIndexCursor(cursor: string): IndexPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [at, member] = value as [unknown, unknown];
      if (typeof at === 'number' && Number.isFinite(at) && typeof member === 'string') return { at, member };
    }
  } catch {
    // Fall through: not a cursor of ours.
  }
  throw new ConvoyError('invalid_request', 'The cursor is not one this API returned');
}

/** Index order: newest score first, then member descending (so ties page deterministically). */
export function compareIndexPositions(a: IndexPosition, b: IndexPosition): number {
  return b.at - a.at || (a.member < b.member ? 1 : a.member > b.member ? -1 : 0);
}

/** True when `item` comes strictly after `cursor` in index order. */
export function isAfterCursor(item: IndexPosition, cursor: IndexPosition | undefined): boolean {
  return cursor === undefined || compareIndexPositions(cursor, item) < 0;
}

/**
 * One page from sorted candidates: the first `limit` items, and a cursor when more candidates remain.
 * `candidates` must already be in index order and after the incoming cursor.
 */
export function pageOf<T extends IndexPosition>(
  candidates: readonly T[],
  limit: number,
): { readonly items: T[]; readonly cursor: string | null } {
  const items = candidates.slice(0, limit);
  const last = items[items.length - 1];
  return { items, cursor: candidates.length > limit && last ? encodeIndexCursor(last) : null };
}
