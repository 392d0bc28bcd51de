/**
 * Bundle the console page (src/page/main.ts with preact and htm) into one script,
 * `src/assets/console.js`, which the plugin serves. Run by `pnpm build` (build:page) and by the console
 * tests' global setup, so a clean clone needs only `pnpm install` and `pnpm test`.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Where the bundle is written. */
export const pageBundle = fileURLToPath(new URL('../src/assets/console.js', import.meta.url));

/** Build the bundle (minified unless `minify` is false); resolves once it is written. */
export async function buildPage(options: { readonly minify?: boolean } = {}): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/page/main.ts', import.meta.url))],
    outfile: pageBundle,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: '// Convoy console page: built from src/page by scripts/build-page.ts (preact, htm).' },
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildPage();
}
