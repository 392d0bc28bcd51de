/**
 * Stall detection for the sweeper: a convoy with waiting events whose processed seq does not move for
 * too long is reported once (a hung worker holding its lease, a scheduler that lost it, a bug).
 */
import type { ConvoyKey } from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';

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

/** Remembers the progress of dirty convoys across sweeps. */
export class StallWatch {
  readonly #watched = new Map<string, Watched>();

  constructor(private readonly stallAfterMs: number) {}

  /**
   * Look at this sweep's dirty convoys; returns the ones that just crossed `stallAfterMs` without
   * progress (each reported once per stall). Blocked convoys are not stalls: they are already parked.
   */
  async check(store: ConvoyStore, dirty: readonly ConvoyKey[], now: number): Promise<ConvoyStall[]> {
    const stalls: ConvoyStall[] = [];
    const current = new Set<string>();
    for (const key of dirty) {
      const id = watchId(key);
      const stored = await store.get(key);
      const processedSeq = stored?.record?.processedSeq ?? 0;
      const accepted = stored?.accepted ?? 0;
      if (!stored || accepted <= processedSeq || stored.record?.status === 'blocked') continue;
      current.add(id);
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
    for (const id of this.#watched.keys()) if (!current.has(id)) this.#watched.delete(id);
    return stalls;
  }
}
