/**
 * Shapes describing a convoy type for the API, the console and the CLI.
 */
import type { JsonValue } from './model.ts';

/** A short entry in `GET /convoy-types`. */
export interface ConvoyTypeSummary {
  readonly type: string;
  readonly version: number;
  /** Every registered version of this type. */
  readonly versions: readonly number[];
  readonly description?: string;
  /** Event types clients may send. */
  readonly events: readonly string[];
}

/** A state node in the JSON graph. */
export interface ConvoyGraphNode {
  /** Full id, e.g. `order.AwaitingPayment`. */
  readonly id: string;
  /** Path from the root, e.g. `['AwaitingPayment']`. */
  readonly path: readonly string[];
  readonly kind: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  readonly initial?: string;
  readonly tags: readonly string[];
}

/** A transition in the JSON graph. */
export interface ConvoyGraphEdge {
  readonly source: string;
  readonly target: string;
  /** The event type (or `after <delay>`, `always`, `done: <invoke id or src>`). */
  readonly label: string;
  readonly event: string;
  readonly guard?: string;
}

/** A machine as a JSON graph (for the console and other tools). */
export interface ConvoyGraph {
  readonly root: string;
  readonly nodes: readonly ConvoyGraphNode[];
  readonly edges: readonly ConvoyGraphEdge[];
}

/** `GET /convoy-types/:type`: events, states and diagrams. */
export interface ConvoyTypeDescription extends ConvoyTypeSummary {
  /** Every state node path, dot-joined, e.g. `AwaitingPayment`, `Shipping.Packing`. */
  readonly states: readonly string[];
  /** A Mermaid `stateDiagram-v2`. */
  readonly mermaid: string;
  /** A `createMachine({...})` literal the Stately editor imports. */
  readonly stately: string;
  readonly graph: ConvoyGraph;
  /** `machine.toJSON()` (named actions and guards survive, inline ones are dropped). */
  readonly machine: JsonValue;
  /** JSON Schemas of event bodies, for events whose payload schema can describe itself (absent: none). */
  readonly eventSchemas?: Readonly<Record<string, JsonValue>>;
}
