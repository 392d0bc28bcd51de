/**
 * A repeating background task that never overlaps itself (the timer poller and the sweeper).
 */
import { errorMessage, type ConvoyLogger } from './logger.ts';

/** Runs `task` every `intervalMs` after the previous run finished, until stopped. */
export class Ticker {
  readonly #name: string;
  readonly #intervalMs: number;
  readonly #task: () => Promise<void>;
  readonly #logger: ConvoyLogger;
  #timeout: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #stopped = true;
  /** Whether the last run failed: a run that keeps failing (e.g. Redis down) is logged once, not per tick. */
  #failing = false;

  constructor(name: string, intervalMs: number, task: () => Promise<void>, logger: ConvoyLogger) {
    this.#name = name;
    this.#intervalMs = intervalMs;
    this.#task = task;
    this.#logger = logger;
  }

  /** Run once now, then every interval. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#tick();
  }

  /** Stop; resolves when a run in progress has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timeout);
    await this.#current;
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#current = this.#task()
      .then(
        () => {
          if (this.#failing) this.#logger.info(`${this.#name} recovered`);
          this.#failing = false;
        },
        (error: unknown) => {
          const fields = { error: errorMessage(error) };
          if (this.#failing) this.#logger.debug(`${this.#name} still failing`, fields);
          else this.#logger.error(`${this.#name} failed`, fields);
          this.#failing = true;
        },
      )
      .finally(() => {
        this.#current = undefined;
        if (this.#stopped) return;
        this.#timeout = setTimeout(() => this.#tick(), this.#intervalMs);
        this.#timeout.unref();
      });
  }
}
