/**
 * The one accept path: every event enters a convoy's inbox here, whoever sends it (a client through
 * the gateway, a due timer, an invoke's result). One store step, one metric, one wake-up decision.
 */
import type { Clock, ConvoyMetricsSink } from '@convoy/core';
import type { AcceptInput, AcceptReceipt, TurnStore } from '@convoy/core/store';
import type { LocalTurns } from './local-turns.ts';

/** What the accept path needs from its engine. */
export interface AcceptPathDeps {
  readonly store: Pick<TurnStore, 'accept'>;
  readonly clock: Clock;
  readonly localTurns: LocalTurns;
  /** Claim parameters of a local turn taken with the accept. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly metrics: ConvoyMetricsSink;
}

/** How one accept may wake its convoy. */
export interface AcceptPathOptions {
  /**
   * With a local slot free, ask the store to claim the convoy it wakes in the same step, and run its
   * turn here (one round trip less). Client accepts do; timer firings and invoke results wake as usual.
   * @defaultValue false
   */
  readonly claimLocally?: boolean;
}

/** Accepts events into inboxes and wakes their convoys. */
export class AcceptPath {
  readonly #deps: AcceptPathDeps;

  constructor(deps: AcceptPathDeps) {
    this.#deps = deps;
  }

  /**
   * Append `input` (deduplicated by its idempotency key), count it (`eventAccepted`, by source) unless
   * it is a duplicate, and wake the convoy when the receipt asks for it: a turn claimed with the accept
   * runs here; else, unless the convoy was already dirty (a turn is pending or running and sees this
   * event, see `AcceptReceipt.wake`), a local turn or the scheduler.
   */
  async accept(input: AcceptInput, options: AcceptPathOptions = {}): Promise<AcceptReceipt> {
    const { store, localTurns, metrics } = this.#deps;
    const { key } = input;
    const local = options.claimLocally === true && localTurns.slotFree();
    let receipt: AcceptReceipt;
    if (local) {
      const claim = {
        owner: this.#deps.owner,
        leaseMs: this.#deps.leaseMs,
        maxEvents: this.#deps.batchSize,
        now: input.now,
      };
      receipt = await localTurns.claimWith(key, store.accept({ ...input, claim }));
    } else {
      receipt = await store.accept(input);
    }
    if (!receipt.duplicate) metrics.eventAccepted?.(key.type, input.source.kind);
    if (!receipt.claim && receipt.wake !== false) await localTurns.wake(key);
    return receipt;
  }
}
