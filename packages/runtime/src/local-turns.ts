/**
 * Local turns: the turns of convoys this engine's own accepts woke, run in this process instead of
 * through the scheduler (engine option `localTurns`). Owns the slots, the accepts still claiming for a
 * slot, and the drain that `close()` waits on.
 */
import type { ConvoyKey } from '@convoy/core';
import type { Claim } from '@convoy/core/store';
import { errorMessage, type ConvoyLogger } from './logger.ts';

/** What local turns need from their engine. */
export interface LocalTurnDeps {
  /** Most local turns running (or being claimed) at once; 0 disables local turns. */
  readonly limit: number;
  /** Whether the engine takes turns now (started, processing, not closing). */
  readonly open: () => boolean;
  /** Run one turn of a convoy, from `claim` when the accept already took one. */
  readonly runTurn: (key: ConvoyKey, claim?: Claim) => Promise<void>;
  /** Hand a convoy to the scheduler (never throws: a failure is left to the sweeper). */
  readonly schedule: (key: ConvoyKey) => Promise<void>;
  readonly logger: ConvoyLogger;
}

/** The local turns of one engine. */
export class LocalTurns {
  readonly #deps: LocalTurnDeps;
  /** Turns running here. */
  readonly #turns = new Set<Promise<void>>();
  /** Accepts in flight that asked the store to claim for a local turn (each holds a slot meanwhile). */
  readonly #claims = new Set<Promise<unknown>>();

  constructor(deps: LocalTurnDeps) {
    this.#deps = deps;
  }

  /** True while a slot is free and the engine takes turns. */
  slotFree(): boolean {
    return this.#deps.open() && this.#turns.size + this.#claims.size < this.#deps.limit;
  }

  /**
   * Track an accept that claims for a local turn: `accepting` holds a slot until it settles, and the
   * turn it claimed starts before it does, so {@link drain} never misses a turn about to start.
   */
  claimWith<T extends { readonly claim?: Claim }>(key: ConvoyKey, accepting: Promise<T>): Promise<T> {
    const tracked = accepting.then((receipt) => {
      if (receipt.claim) this.run(key, receipt.claim);
      return receipt;
    });
    this.#claims.add(tracked);
    const untrack = (): void => void this.#claims.delete(tracked);
    tracked.then(untrack, untrack);
    return tracked;
  }

  /** Wake a convoy: a local turn while a slot is free, else the scheduler. */
  async wake(key: ConvoyKey): Promise<void> {
    if (!this.slotFree()) return this.#deps.schedule(key);
    this.run(key);
  }

  /** Start a local turn now; a failing one hands its convoy to the scheduler. */
  run(key: ConvoyKey, claim?: Claim): void {
    const turn = this.#deps
      .runTurn(key, claim)
      .catch(async (error: unknown) => {
        this.#deps.logger.warn('local turn failed; handing the convoy to the scheduler', {
          type: key.type,
          id: key.id,
          error: errorMessage(error),
        });
        await this.#deps.schedule(key);
      })
      .finally(() => this.#turns.delete(turn));
    this.#turns.add(turn);
  }

  /**
   * Resolve once no local turn runs and no accept is still claiming for one. Call after `open()` turned
   * false: a claim settling meanwhile may still start its turn, and the loop waits for that one too.
   */
  async drain(): Promise<void> {
    while (this.#turns.size + this.#claims.size > 0) {
      await Promise.allSettled([...this.#turns, ...this.#claims]);
    }
  }
}
