/**
 * Entry point of the `convoy` bin (loaded through tsx by `bin/convoy.js`).
 */
import { ReportedError } from './commands/remote.ts';
import { createProgram } from './program.ts';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  // A remote command already printed the server's code and message (or the refused event's outcome).
  if (error instanceof ReportedError) process.exit(error.exitCode);
  console.error(`convoy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
