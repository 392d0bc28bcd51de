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
  if (Number.isFinite(widthPt)) {
    svg.style.maxWidth = `${Math.round((widthPt * 4) / 3)}px`;
    svg.dataset['naturalWidth'] = String(Math.round((widthPt * 4) / 3));
  }
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('class', 'diagram-svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `State diagram of ${type}`);
  return svg;
}

/**
 * The diagram at the size Graphviz laid it out, in a modal dialog (Escape, the Close button or a click
 * outside it closes it), with the same states highlighted.
 */
function ZoomDialog(props: { svg: SVGSVGElement; type: string; onClose: () => void }): VNode {
  const dialog = useRef<HTMLDialogElement>(null);
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const large = props.svg.cloneNode(true) as SVGSVGElement;
    large.style.maxWidth = 'none';
    // Full size: the width Graphviz laid it out at (the dialog scrolls when the screen is smaller).
    const natural = props.svg.dataset['naturalWidth'];
    if (natural !== undefined) large.style.width = `${natural}px`;
    large.classList.add('zoomed');
    holder.current?.replaceChildren(large);
    dialog.current?.showModal();
  }, [props.svg]);
  const clickedOutside = (event: MouseEvent): void => {
    if (event.target === dialog.current) dialog.current?.close();
  };
  return html`<dialog
    class="diagram-zoom"
    ref=${dialog}
    aria-label=${`State diagram of ${props.type}, full size`}
    onClose=${props.onClose}
    onClick=${clickedOutside}
  >
    <div class="diagram-zoom-head">
      <strong>${props.type}</strong>
      <button type="button" class="button small secondary" onClick=${() => dialog.current?.close()}>
        Close
      </button>
    </div>
    <div class="diagram-zoom-body" ref=${holder}></div>
  </dialog>`;
}

/**
 * The diagram of `type`, with the state node ids in `active` highlighted; `zoomable` adds a click (or
 * Enter) that opens it full size.
 */
export function Diagram(props: { type: string; active?: readonly string[]; zoomable?: boolean }): VNode {
  const holder = useRef<HTMLDivElement>(null);
  const [zoomed, setZoomed] = useState(false);
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
  if (!props.zoomable) return html`<div class="diagram" ref=${holder}></div>`;
  const open = (): void => setZoomed(true);
  return html`<div>
    <div
      class="diagram zoomable"
      ref=${holder}
      role="button"
      tabindex="0"
      title="Click to enlarge"
      aria-label=${`Enlarge the state diagram of ${props.type}`}
      onClick=${open}
      onKeyDown=${(event: KeyboardEvent) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
        }
      }}
    ></div>
    ${
      zoomed && svg !== null
        ? html`<${ZoomDialog} svg=${svg} type=${props.type} onClose=${() => setZoomed(false)} />`
        : null
    }
  </div>`;
}
