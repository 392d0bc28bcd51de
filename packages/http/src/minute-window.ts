/**
 * Counts over the last 60 seconds per convoy type, in one-second slots: what the fleet overview shows
 * as "received / processed in the last minute" on the node that answers. Memory is bounded by the
 * number of registered types × 60 slots.
 */

const slots = 60;

interface TypeSlots {
  /** The second (epoch s) each slot counts; a slot of an older second is stale and reads as 0. */
  readonly seconds: Float64Array;
  readonly counts: Float64Array;
}

/** A sliding one-minute count per key. */
export class MinuteWindow {
  readonly #byKey = new Map<string, TypeSlots>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Count `n` now under `key`. */
  add(key: string, n = 1): void {
    let entry = this.#byKey.get(key);
    if (entry === undefined) {
      entry = { seconds: new Float64Array(slots).fill(-1), counts: new Float64Array(slots) };
      this.#byKey.set(key, entry);
    }
    const second = Math.floor(this.now() / 1000);
    const slot = second % slots;
    if (entry.seconds[slot] !== second) {
      entry.seconds[slot] = second;
      entry.counts[slot] = 0;
    }
    entry.counts[slot] = (entry.counts[slot] ?? 0) + n;
  }

  /** The count of `key` over the last 60 s (the current second included). */
  total(key: string): number {
    const entry = this.#byKey.get(key);
    if (entry === undefined) return 0;
    const second = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let slot = 0; slot < slots; slot += 1) {
      const at = entry.seconds[slot] ?? -1;
      if (at > second - slots && at <= second) sum += entry.counts[slot] ?? 0;
    }
    return sum;
  }
}
