/**
 * `pnpm bench`: run every scenario and print the tables (stdout); progress goes to stderr. The report
 * is also written to `artifacts/bench-last.md` next to this package.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.ts';
import { runBench } from './run-bench.ts';

const config = loadConfig();
const log = (message: string): void => void process.stderr.write(`${message}\n`);

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
  process.exit(1);
}
