/**
 * Read-your-writes: wait until a convoy has processed a seq, by local notification or by polling the
 * store (another process may be the one processing).
 */
import type { ConvoyKey } from '@convoy/core';

interface Waiter {
  readonly seq: number;
  readonly resolve: (processed: boolean) => void;
}

const waiterId = (key: ConvoyKey): string => `${key.type}\u0000${key.id}`;

/** Pending `waitForSeq` calls of one engine. */
export class SeqWaiters {
  readonly #byConvoy = new Map<string, Set<Waiter>>();

  /** A commit in this process reached `processedSeq`: resolve the waiters it satisfies. */
  notify(key: ConvoyKey, processedSeq: number): void {
    const waiters = this.#byConvoy.get(waiterId(key));
    if (!waiters) return;
    for (const waiter of waiters) {
      if (waiter.seq <= processedSeq) waiter.resolve(true);
    }
  }

  /**
   * Resolve true once `readProcessedSeq() >= seq` or a local notification says so; false after
   * `timeoutMs`. Polls every `pollMs` because the processing worker may be another process.
   */
  async wait(
    key: ConvoyKey,
    seq: number,
    timeoutMs: number,
    pollMs: number,
    readProcessedSeq: () => Promise<number>,
  ): Promise<boolean> {
    if ((await readProcessedSeq()) >= seq) return true;
    if (timeoutMs <= 0) return false;
    const id = waiterId(key);
    return new Promise<boolean>((resolve) => {
      let settled = false;
      let polling = false;
      const finish = (processed: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        clearInterval(poll);
        const waiters = this.#byConvoy.get(id);
        waiters?.delete(waiter);
        if (waiters?.size === 0) this.#byConvoy.delete(id);
        resolve(processed);
      };
      const waiter: Waiter = { seq, resolve: finish };
      const timeout = setTimeout(() => finish(false), timeoutMs);
      const poll = setInterval(() => {
        if (polling) return;
        polling = true;
        readProcessedSeq()
          .then((processed) => {
            if (processed >= seq) finish(true);
          })
          .catch(() => undefined)
          .finally(() => {
            polling = false;
          });
      }, pollMs);
      let waiters = this.#byConvoy.get(id);
      if (!waiters) {
        waiters = new Set();
        this.#byConvoy.set(id, waiters);
      }
      waiters.add(waiter);
    });
  }

  /** Resolve every pending waiter with false (engine closing). */
  cancelAll(): void {
    for (const waiters of this.#byConvoy.values()) for (const waiter of waiters) waiter.resolve(false);
    this.#byConvoy.clear();
  }
}
