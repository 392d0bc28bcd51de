/// <reference lib="dom" />
/**
 * A type's state diagram: the SVG `GET /convoy-types/:type/diagram.svg` renders, parsed into this
 * document (never via innerHTML), with the active states' elements marked `.active`.
 */
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { VNode } from 'preact';
import { api, getText } from './api.ts';
import { ErrorBox } from './ui.ts';

const svgs = new Map<string, Promise<string>>();

/** The diagram's SVG text, fetched once per type per page. */
function svgOf(type: string): Promise<string> {
  let svg = svgs.get(type);
  if (svg === undefined) {
    svg = getText(api`/convoy-types/${type}/diagram.svg`);
    svg.catch(() => svgs.delete(type));
    svgs.set(type, svg);
  }
  return svg;
}

function toElement(text: string, type: string): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = document.importNode(parsed.documentElement, true) as unknown as SVGSVGElement;
  // Never drawn larger than Graphviz laid it out (pt → px), shrunk to fit narrower screens. CSSOM writes
  // are allowed by the page's CSP, unlike style attributes.
  const widthPt = Number.parseFloat(svg.getAttribute('width') ?? '');
  if (Number.isFinite(widthPt)) svg.style.maxWidth = `${Math.round((widthPt * 4) / 3)}px`;
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('class', 'diagram-svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `State diagram of ${type}`);
  return svg;
}

/** The diagram of `type`, with the state node ids in `active` highlighted. */
export function Diagram(props: { type: string; active?: readonly string[] }): VNode {
  const holder = useRef<HTMLDivElement>(null);
  const [svg, setSvg] = useState<SVGSVGElement | null>(null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    let current = true;
    svgOf(props.type).then(
      (text) => current && setSvg(toElement(text, props.type)),
      (failure: unknown) =>
        current && setError(failure instanceof Error ? failure : new Error(String(failure))),
    );
    return () => {
      current = false;
    };
  }, [props.type]);

  useEffect(() => {
    if (svg !== null) holder.current?.replaceChildren(svg);
  }, [svg]);

  useEffect(() => {
    if (svg === null) return;
    const active = new Set(props.active ?? []);
    for (const element of svg.querySelectorAll('g.node, g.cluster')) {
      element.classList.toggle('active', active.has(element.id));
    }
  }, [svg, props.active]);

  if (error !== null) return html`<${ErrorBox} error=${error} />`;
  return html`<div class="diagram" ref=${holder}></div>`;
}
