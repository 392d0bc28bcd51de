/**
 * The embedded turn scheduler: wake-ups in one process, deduplicated per convoy.
 */
import type { ConvoyKey } from '@convoy/core';
import type { TurnScheduler } from '@convoy/core/store';

/** Options of {@link MemoryTurnScheduler}. */
export interface MemoryTurnSchedulerOptions {
  /**
   * How many turns (of different convoys) may run at the same time.
   * @defaultValue 16
   */
  readonly concurrency?: number;
  /** Called when a turn handler throws (the turn is not retried by the scheduler; the sweeper repairs). */
  readonly onError?: (error: unknown, key: ConvoyKey) => void;
}

interface ConvoyTurnState {
  readonly key: ConvoyKey;
  queued: boolean;
  running: boolean;
}

const turnId = (key: ConvoyKey): string => `${key.type}\u0000${key.id}`;

/**
 * A {@link TurnScheduler} in one process. Per convoy there is at most one queued and one running turn
 * (a wake-up for a convoy that is already queued is dropped; one for a running convoy queues a single
 * follow-up turn), so a convoy never runs twice at once while different convoys run in parallel up to
 * `concurrency`. Wake-ups scheduled before `start` are kept and delivered once started. Not durable.
 */
export class MemoryTurnScheduler implements TurnScheduler {
  readonly #concurrency: number;
  readonly #onError: (error: unknown, key: ConvoyKey) => void;
  readonly #states = new Map<string, ConvoyTurnState>();
  /** Queued convoys in wake-up order. */
  readonly #ready: string[] = [];
  readonly #running = new Set<Promise<void>>();
  readonly #delays = new Set<NodeJS.Timeout>();
  #handler: ((key: ConvoyKey) => Promise<void>) | null = null;
  #closed = false;

  constructor(options: MemoryTurnSchedulerOptions = {}) {
    this.#concurrency = Math.max(1, options.concurrency ?? 16);
    this.#onError =
      options.onError ?? ((error, key) => console.error(`convoy turn ${key.type}/${key.id} failed`, error));
  }

  async schedule(key: ConvoyKey, options: { readonly delayMs?: number } = {}): Promise<void> {
    if (this.#closed) return;
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0) {
      const timeout = setTimeout(() => {
        this.#delays.delete(timeout);
        this.#enqueue(key);
      }, delayMs);
      timeout.unref();
      this.#delays.add(timeout);
      return;
    }
    this.#enqueue(key);
  }

  async start(handler: (key: ConvoyKey) => Promise<void>): Promise<void> {
    if (this.#closed) throw new Error('The memory turn scheduler is closed');
    this.#handler = handler;
    this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timeout of this.#delays) clearTimeout(timeout);
    this.#delays.clear();
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Number of turns currently running (for tests and metrics). */
  get running(): number {
    return this.#running.size;
  }

  #enqueue(key: ConvoyKey): void {
    if (this.#closed) return;
    const id = turnId(key);
    let state = this.#states.get(id);
    if (!state) {
      state = { key: { type: key.type, id: key.id }, queued: false, running: false };
      this.#states.set(id, state);
    }
    if (state.queued) return;
    state.queued = true;
    // A running convoy's follow-up waits for its turn to end (see #run), keeping turns of one convoy serial.
    if (!state.running) this.#ready.push(id);
    this.#pump();
  }

  #pump(): void {
    const handler = this.#handler;
    if (!handler || this.#closed) return;
    while (this.#running.size < this.#concurrency && this.#ready.length > 0) {
      const id = this.#ready.shift();
      const state = id === undefined ? undefined : this.#states.get(id);
      if (!state) continue;
      state.queued = false;
      state.running = true;
      const run: Promise<void> = this.#run(handler, state).finally(() => {
        this.#running.delete(run);
        state.running = false;
        if (state.queued) this.#ready.push(turnId(state.key));
        else this.#states.delete(turnId(state.key));
        this.#pump();
      });
      this.#running.add(run);
    }
  }

  async #run(handler: (key: ConvoyKey) => Promise<void>, state: ConvoyTurnState): Promise<void> {
    try {
      await handler(state.key);
    } catch (error) {
      this.#onError(error, state.key);
    }
  }
}
