/**
 * The console's browser assets, read from this package and served from memory: the page script (built
 * from src/page by scripts/build-page.ts), its stylesheet and icon. The page never loads anything from
 * another origin (its Content-Security-Policy forbids it).
 */
import { readFileSync } from 'node:fs';

/** One static asset served by the console. */
export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: string;
}

const read = (name: string): string => {
  const url = new URL(`./assets/${name}`, import.meta.url);
  try {
    return readFileSync(url, 'utf8');
  } catch (error) {
    if (name === 'console.js') {
      throw new Error(
        `@convoy/console: the page bundle ${url.pathname} is missing; run "pnpm --filter @convoy/console build:page"`,
        { cause: error },
      );
    }
    throw error;
  }
};

let assets: ReadonlyMap<string, ConsoleAsset> | undefined;

/** The assets by file name, as served under `<prefix>/assets/<name>` (read on first use). */
export function consoleAssets(): ReadonlyMap<string, ConsoleAsset> {
  assets ??= new Map([
    ['console.js', { contentType: 'text/javascript; charset=utf-8', body: read('console.js') }],
    ['console.css', { contentType: 'text/css; charset=utf-8', body: read('console.css') }],
    ['favicon.svg', { contentType: 'image/svg+xml', body: read('favicon.svg') }],
  ]);
  return assets;
}

/** The page's Content-Security-Policy: same-origin only, no inline script or style. */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The single HTML page of the console; the script renders the view for the current path. `base` is the
 * console's mount path (e.g. `/console`) and `api` the API's (e.g. `''`), handed to the script in
 * `<meta>` tags.
 */
export function pageHtml(base: string, api: string, title: string): string {
  const b = escapeHtml(base);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="convoy-console-base" content="${b}">
<meta name="convoy-api-base" content="${escapeHtml(api)}">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${b}/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${b}/assets/console.css">
<script src="${b}/assets/console.js" defer></script>
</head>
<body>
<header class="topbar">
  <a class="brand" href="${b}"><span class="brand-mark" aria-hidden="true"></span>Convoy</a>
  <span class="topbar-sub">console</span>
</header>
<main id="main" aria-live="polite"><p class="muted">Loading…</p></main>
<noscript><p class="muted">The Convoy console needs JavaScript.</p></noscript>
</body>
</html>
`;
}
