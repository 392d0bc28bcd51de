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
      .catch((error: unknown) => this.#logger.error(`${this.#name} failed`, { error: errorMessage(error) }))
      .finally(() => {
        this.#current = undefined;
        if (this.#stopped) return;
        this.#timeout = setTimeout(() => this.#tick(), this.#intervalMs);
        this.#timeout.unref();
      });
  }
}
