/**
 * Graceful shutdown of a `convoy` process on SIGINT / SIGTERM.
 */

/** Options of {@link closeOnSignals}. */
export interface ShutdownOptions {
  /**
   * After this long the process exits with code 1 even if closing has not finished.
   * @defaultValue 15000
   */
  readonly timeoutMs?: number;
  /** Where progress is written. @defaultValue console.error */
  readonly log?: (message: string) => void;
}

/**
 * On the first SIGINT or SIGTERM run `close` and exit 0 (1 if it fails or times out). A second signal
 * exits at once with 130, for a user who really wants out.
 */
export function closeOnSignals(close: () => Promise<void>, options: ShutdownOptions = {}): void {
  const log = options.log ?? ((message: string) => console.error(message));
  const timeoutMs = options.timeoutMs ?? 15_000;
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log(`convoy: ${signal} again, exiting now`);
      process.exit(130);
    }
    closing = true;
    log(`convoy: ${signal} received, shutting down`);
    const timer = setTimeout(() => {
      log(`convoy: shutdown did not finish within ${timeoutMs} ms, exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        log('convoy: stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log(`convoy: shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
