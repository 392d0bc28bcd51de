/**
 * `pnpm bench`: run every scenario and print the tables (stdout); progress goes to stderr. The report
 * is also written to `artifacts/bench-last.md` next to this package.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.ts';
import { killAllRedis } from './redis-server.ts';
import { runBench } from './run-bench.ts';
import { killAllProcesses } from './topology/processes.ts';

const config = loadConfig();
const log = (message: string): void => void process.stderr.write(`${message}\n`);

// Ctrl-C or a CI timeout must not leave a redis-server (or a topology process) behind.
process.on('exit', () => {
  killAllProcesses();
  killAllRedis();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllProcesses();
    killAllRedis();
    process.exit(130);
  });
}

try {
  const report = await runBench(config, log);
  process.stdout.write(report);
  const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
  await mkdir(artifacts, { recursive: true });
  await writeFile(join(artifacts, 'bench-last.md'), report);
  // BullMQ and groupmq may leave timers behind after close; the run is over, so leave deliberately.
  process.exit(0);
} catch (error) {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  killAllProcesses();
  killAllRedis();
  process.exit(1);
}
