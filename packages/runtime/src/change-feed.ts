/**
 * The in-process change feed: watchers per convoy type, told of every change published through the same
 * object. The memory store uses it (one process holds all its data, so the feed is complete); the Redis
 * feed uses it to fan one reader out to the watchers of a node.
 */
import type { ConvoyKey } from '@convoy/core';

/** What a watcher of one type is told. */
export interface ChangeWatcher {
  readonly onChange: (key: ConvoyKey) => void;
  readonly onGap: () => void;
}

/** Watchers grouped by type; a throwing watcher never disturbs the publisher or the others. */
export class LocalChangeFeed {
  readonly #watchers = new Map<string, Set<ChangeWatcher>>();

  /** Tell the watchers of `key.type`. */
  publish(key: ConvoyKey): void {
    for (const watcher of [...(this.#watchers.get(key.type) ?? [])]) {
      try {
        watcher.onChange(key);
      } catch {
        // A watcher's own failure is its business (the HTTP streams log their read failures).
      }
    }
  }

  /** Tell the watchers of `type` that changes may have been missed. */
  gap(type: string): void {
    for (const watcher of [...(this.#watchers.get(type) ?? [])]) {
      try {
        watcher.onGap();
      } catch {
        // As in publish.
      }
    }
  }

  /** Add a watcher; returns the function removing it. `onFirst` / `onLast` bracket a type's watchers. */
  watch(
    type: string,
    watcher: ChangeWatcher,
    hooks: { readonly onFirst?: () => void; readonly onLast?: () => void } = {},
  ): () => void {
    let set = this.#watchers.get(type);
    if (set === undefined) {
      set = new Set();
      this.#watchers.set(type, set);
    }
    // Wrapped so the same object watched twice is two watches.
    const entry: ChangeWatcher = { onChange: (key) => watcher.onChange(key), onGap: () => watcher.onGap() };
    set.add(entry);
    if (set.size === 1) hooks.onFirst?.();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      set.delete(entry);
      if (set.size === 0 && this.#watchers.get(type) === set) {
        this.#watchers.delete(type);
        hooks.onLast?.();
      }
    };
  }

  /** How many types have watchers (for tests and metrics). */
  get watchedTypes(): number {
    return this.#watchers.size;
  }
}
