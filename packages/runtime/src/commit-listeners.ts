/**
 * In-process commit notifications: the engine's `subscribe` (live views such as the console's stream).
 */
import type { ConvoyKey } from '@convoy/core';
import { errorMessage, type ConvoyLogger } from './logger.ts';

/** A set of listeners called after every commit this process makes. */
export class CommitListeners {
  private readonly listeners = new Set<(key: ConvoyKey) => void>();

  constructor(private readonly logger: ConvoyLogger) {}

  /** Add a listener; returns the function that removes it. */
  subscribe(listener: (key: ConvoyKey) => void): () => void {
    // Wrapped so subscribing the same function twice gives two independent subscriptions.
    const entry = (key: ConvoyKey): void => listener(key);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Call every listener; a throwing listener is logged and never disturbs the turn that committed. */
  notify(key: ConvoyKey): void {
    for (const listener of this.listeners) {
      try {
        listener(key);
      } catch (error) {
        this.logger.warn('a commit listener threw', {
          type: key.type,
          id: key.id,
          error: errorMessage(error),
        });
      }
    }
  }
}
