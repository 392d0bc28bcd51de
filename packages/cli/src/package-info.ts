/**
 * This package's version and xstate peer range, read from its package.json (one level above both `src`
 * and `dist`, so the same code works from the sources and from an installed package).
 */
import { readFileSync } from 'node:fs';

/** What `convoy --version` prints and what `convoy init` depends on. */
export interface CliPackageInfo {
  readonly version: string;
  /** The xstate range this CLI supports (its peer dependency). */
  readonly xstate: string;
}

/** Read once per process. */
export function cliPackageInfo(): CliPackageInfo {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
    peerDependencies?: Record<string, string>;
  };
  const xstate = pkg.peerDependencies?.['xstate'];
  // In the workspace the range is pnpm's `catalog:` placeholder; packed packages carry the real range.
  return { version: pkg.version, xstate: xstate && !xstate.startsWith('catalog:') ? xstate : '^5.33.3' };
}
