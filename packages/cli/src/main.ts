/**
 * Entry point of the `convoy` bin (loaded through tsx by `bin/convoy.js`).
 */
import { createProgram } from './program.ts';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  console.error(`convoy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
