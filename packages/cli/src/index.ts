/**
 * `@convoy/cli`: the `convoy` command and its programmatic form.
 *
 * @example
 * ```ts
 * import { startServer } from '@convoy/cli';
 * const server = await startServer({ module: './orders.ts', port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export { collectDefinitions, loadDefinitions } from './load-definitions.ts';
export { startServer, resolveDefinitions } from './serve.ts';
export type { DefinitionSource, RunningServer, ServerOptions } from './serve.ts';
export { startWorker } from './worker.ts';
export type { RunningWorker, WorkerOptions } from './worker.ts';
export type { ProcessStore, StoreOptions } from './process-store.ts';
export { openProcessStore } from './process-store.ts';
export { createProgram } from './program.ts';
export { closeOnSignals } from './signals.ts';
export type { ShutdownOptions } from './signals.ts';
