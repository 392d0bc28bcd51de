/**
 * Stall detection for the sweeper: a convoy with waiting events whose processed seq does not move for
 * too long is reported once (a hung worker holding its lease, a scheduler that lost it, a bug).
 */
import type { ConvoyKey } from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import { isParked } from './work-list.ts';

/** What is known about a stalled convoy when it is reported. */
export interface ConvoyStall {
  readonly key: ConvoyKey;
  readonly processedSeq: number;
  readonly accepted: number;
  /** Since when (epoch ms, engine clock) the processed seq has not moved. */
  readonly since: number;
}

interface Watched {
  processedSeq: number;
  since: number;
  reported: boolean;
}

const watchId = (key: ConvoyKey): string => `${key.type}\u0000${key.id}`;

/**
 * Remembers the progress of dirty convoys across sweeps. The sweeper reads the dirty list a page at a
 * time; a convoy is forgotten once a whole pass over the list went by without it (it is clean, or
 * parked).
 */
export class StallWatch {
  readonly #watched = new Map<string, Watched>();
  /** Convoys seen in the current pass over the dirty list. */
  #seen = new Set<string>();

  constructor(private readonly stallAfterMs: number) {}

  /**
   * Look at one page of dirty convoys; returns the ones that just crossed `stallAfterMs` without progress
   * (each reported once per stall). Parked convoys (paused, blocked) are not stalls: an operator parked
   * them, or they are already escalated (the stores do not list them; this guards older data).
   * `passEnded`: this page finished a pass over the list, so convoys not seen in the pass are dropped.
   */
  async check(
    store: ConvoyStore,
    dirty: readonly ConvoyKey[],
    now: number,
    passEnded = true,
  ): Promise<ConvoyStall[]> {
    const stalls: ConvoyStall[] = [];
    for (const key of dirty) {
      const id = watchId(key);
      const stored = await store.get(key);
      const processedSeq = stored?.record?.processedSeq ?? 0;
      const accepted = stored?.accepted ?? 0;
      if (!stored || accepted <= processedSeq || isParked(stored.record?.status)) continue;
      this.#seen.add(id);
      const watched = this.#watched.get(id);
      if (!watched || watched.processedSeq !== processedSeq) {
        this.#watched.set(id, { processedSeq, since: now, reported: false });
        continue;
      }
      if (!watched.reported && now - watched.since >= this.stallAfterMs) {
        watched.reported = true;
        stalls.push({ key, processedSeq, accepted, since: watched.since });
      }
    }
    if (passEnded) {
      for (const id of this.#watched.keys()) if (!this.#seen.has(id)) this.#watched.delete(id);
      this.#seen = new Set();
    }
    return stalls;
  }
}
