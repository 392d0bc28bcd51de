/**
 * Keeps a turn's lease alive while the turn and its effects run: renews it on a timer, and before each
 * effect when less than two thirds of it is left. A renewal is fenced by the claim's epoch; once it is
 * refused (another worker took the convoy, an operator paused it) the keeper says so and the turn stops
 * before its next effect or commit, so no effect starts on two workers at once.
 */
import { ConvoyError, isConvoyError } from '@convoy/core';
import type { Clock } from '@convoy/core';
import type { Claim, TurnStore } from '@convoy/core/store';
import { errorMessage, type ConvoyLogger } from './logger.ts';

/** What a keeper needs. */
export interface LeaseKeeperOptions {
  readonly store: Pick<TurnStore, 'renew'>;
  readonly clock: Clock;
  readonly leaseMs: number;
  /** Real-time interval between renewals. */
  readonly renewEveryMs: number;
  readonly logger: ConvoyLogger;
}

/** The lease of one claim, kept alive until `stop`. */
export class LeaseKeeper {
  #leaseUntil: number;
  #lost: ConvoyError | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #renewing: Promise<void> | undefined;

  constructor(
    private readonly claim: Claim,
    private readonly options: LeaseKeeperOptions,
  ) {
    this.#leaseUntil = claim.leaseUntil;
    if (options.renewEveryMs > 0) {
      this.#timer = setInterval(() => void this.renew(), options.renewEveryMs);
      this.#timer.unref?.();
    }
  }

  /** Renew now (one renewal at a time); a refusal marks the lease lost, a store failure is retried later. */
  renew(): Promise<void> {
    this.#renewing ??= this.#renewOnce().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renewOnce(): Promise<void> {
    if (this.#lost) return;
    try {
      const { store, clock, leaseMs } = this.options;
      this.#leaseUntil = await store.renew(this.claim, { now: clock.now(), leaseMs });
    } catch (error) {
      if (isConvoyError(error) && error.code === 'stale_claim') {
        this.#lost = error;
        this.stop();
        return;
      }
      this.options.logger.warn('renewing a lease failed; retried', { error: errorMessage(error) });
    }
  }

  /**
   * Before an effect: renew first when less than two thirds of the lease is left, then throw
   * `stale_claim` if the lease is lost (the caller stops without running the effect).
   */
  async assertHeld(): Promise<void> {
    const left = this.#leaseUntil - this.options.clock.now();
    if (!this.#lost && left < (this.options.leaseMs * 2) / 3) await this.renew();
    if (this.#lost) throw this.#lost;
    if (this.#leaseUntil <= this.options.clock.now()) {
      throw new ConvoyError('stale_claim', 'The lease ran out and could not be renewed', {
        type: this.claim.key.type,
        id: this.claim.key.id,
        epoch: this.claim.epoch,
      });
    }
  }

  /** Stop renewing (the turn committed and released, or gave up). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
