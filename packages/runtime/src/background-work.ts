/**
 * The engine's background work: the timer poller (due timers into inboxes) and the sweeper (wake-ups
 * for dirty convoys, lost or due for a retry, and stall reports). Each runs on its own ticker.
 */
import type { Clock, ConvoyKey, ConvoyMetricsSink } from '@convoy/core';
import type { ConvoyStore } from '@convoy/core/store';
import type { AcceptPath } from './accept-path.ts';
import type { ConvoyLogger } from './logger.ts';
import { StallWatch, type ConvoyStall } from './stall-watch.ts';
import { Ticker } from './ticker.ts';
import { fireDueTimers, TimerScan } from './timers.ts';

/** What the background work needs from its engine. */
export interface BackgroundWorkDeps {
  readonly store: ConvoyStore;
  readonly acceptPath: AcceptPath;
  readonly clock: Clock;
  readonly logger: ConvoyLogger;
  readonly metrics: ConvoyMetricsSink;
  /** Hand a convoy to the scheduler (never throws). */
  readonly schedule: (key: ConvoyKey) => Promise<void>;
  /** 0 disables the poller. */
  readonly timerPollMs: number;
  /** 0 disables the sweeper. */
  readonly sweepMs: number;
  /** 0 disables stall reports. */
  readonly stallAfterMs: number;
  readonly onStall?: ((stall: ConvoyStall) => void) | undefined;
}

/** Dirty convoys rescheduled per sweep; a longer list is covered over several sweeps. */
const convoysPerSweep = 1000;

/**
 * The timer poller and the sweeper of one engine. Each reads its work list a page per tick and the next
 * tick continues after that page (back at the head once a pass is complete), so entries that cannot
 * move cannot fill every page. Parked convoys (paused, blocked) are not in the lists at all.
 */
export class BackgroundWork {
  readonly #deps: BackgroundWorkDeps;
  readonly #stallWatch: StallWatch;
  readonly #tickers: Ticker[];
  readonly #timerScan = new TimerScan();
  /** Where the sweeper's next page starts (undefined: the head). */
  #sweepAfter: string | undefined;

  constructor(deps: BackgroundWorkDeps) {
    this.#deps = deps;
    this.#stallWatch = new StallWatch(deps.stallAfterMs);
    this.#tickers = [
      ...(deps.timerPollMs > 0
        ? [
            new Ticker(
              'timer poller',
              deps.timerPollMs,
              async () => void (await this.fireTimers()),
              deps.logger,
            ),
          ]
        : []),
      ...(deps.sweepMs > 0
        ? [new Ticker('sweeper', deps.sweepMs, async () => void (await this.sweep()), deps.logger)]
        : []),
    ];
  }

  /** Accept a firing for the next page of due timers and wake their convoys. Returns how many were fired. */
  fireTimers(): Promise<number> {
    const { store, acceptPath, clock, logger, metrics } = this.#deps;
    return fireDueTimers({ store, acceptPath, clock, logger, metrics, scan: this.#timerScan });
  }

  /**
   * Reschedule the next page of dirty convoys and report the stalled ones. Returns how many were
   * rescheduled.
   */
  async sweep(): Promise<number> {
    const { store, clock, logger, schedule, stallAfterMs, onStall } = this.#deps;
    const page = await store.dirtyConvoys(convoysPerSweep, this.#sweepAfter);
    this.#sweepAfter = page.next ?? undefined;
    const dirty = page.items;
    for (const key of dirty) await schedule(key);
    if (stallAfterMs > 0) {
      for (const stall of await this.#stallWatch.check(store, dirty, clock.now(), page.next === null)) {
        logger.error('convoy stalled: waiting events and no progress', {
          type: stall.key.type,
          id: stall.key.id,
          processedSeq: stall.processedSeq,
          accepted: stall.accepted,
          since: stall.since,
        });
        onStall?.(stall);
      }
    }
    return dirty.length;
  }

  /** Start the tickers. */
  start(): void {
    for (const ticker of this.#tickers) ticker.start();
  }

  /** Stop the tickers; resolves once a running tick has finished. */
  async stop(): Promise<void> {
    await Promise.all(this.#tickers.map((ticker) => ticker.stop()));
  }
}
