/**
 * Server-side diagram rendering: DOT → SVG with Graphviz compiled to WebAssembly (`@viz-js/viz`), so
 * neither the server nor the browser needs a native Graphviz or any network access.
 */
import { toDot } from '@convoy/core';
import type { ConvoyGateway } from '@convoy/core';
import { instance, type Viz } from '@viz-js/viz';

let vizPromise: Promise<Viz> | undefined;

/** One Graphviz instance per process: instantiating the WASM module costs tens of milliseconds. */
function viz(): Promise<Viz> {
  vizPromise ??= instance();
  return vizPromise;
}

/** Render DOT to an SVG document. Throws when Graphviz reports an error. */
export async function renderSvg(dot: string): Promise<string> {
  const result = (await viz()).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    const messages = result.errors.filter((e) => e.level === 'error').map((e) => e.message.trim());
    throw new Error(`Graphviz could not render the diagram: ${messages.join('; ') || 'unknown error'}`);
  }
  return result.output;
}

/**
 * Renders and caches each convoy type's diagram. A type's definition is fixed for the life of its engine,
 * so the cache is keyed by type and version and never invalidated.
 */
export class DiagramCache {
  private readonly svgs = new Map<string, Promise<string>>();

  constructor(private readonly gateway: ConvoyGateway) {}

  /** The SVG of a type's latest version. Throws `unknown_convoy_type`. */
  svg(type: string): Promise<string> {
    const description = this.gateway.describeType(type);
    const cacheKey = `${description.type}@${description.version}`;
    let svg = this.svgs.get(cacheKey);
    if (svg === undefined) {
      svg = renderSvg(toDot(description.graph));
      // A failed render is not cached: the next request tries again and reports its own error.
      svg.catch(() => this.svgs.delete(cacheKey));
      this.svgs.set(cacheKey, svg);
    }
    return svg;
  }
}
