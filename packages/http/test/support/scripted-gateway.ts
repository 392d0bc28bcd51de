/**
 * A small, hand-driven ConvoyGateway for HTTP tests that need what a real engine does not do on demand:
 * fail with a chosen error, or hold processing so a wait times out.
 */
import { ConvoyError } from '@convoy/core';
import type {
  AcceptRequest,
  AcceptResponse,
  ConvoyGateway,
  ConvoyKey,
  ConvoyTypeDescription,
  ConvoyTypeSummary,
  ConvoyView,
  HistoryEntry,
  WaitForResult,
} from '@convoy/core';

/** A gateway whose every method can be replaced by a test. */
export interface ScriptedGateway extends ConvoyGateway {
  /** Calls received by `accept`, in order. */
  readonly accepted: AcceptRequest[];
}

const summary: ConvoyTypeSummary = { type: 'order', version: 1, versions: [1], events: ['Go'] };

function unsupported(action: string, key: ConvoyKey): never {
  throw new ConvoyError(
    'operation_not_allowed',
    `The scripted gateway cannot ${action} ${key.type}/${key.id}`,
  );
}

/** A gateway knowing type `order` and event `Go`; it accepts and never processes. */
export function scriptedGateway(overrides: Partial<ConvoyGateway> = {}): ScriptedGateway {
  const accepted: AcceptRequest[] = [];
  const seqs = new Map<string, number>();
  const assertType = (type: string): void => {
    if (type !== 'order') throw new ConvoyError('unknown_convoy_type', `Unknown convoy type "${type}"`);
  };
  const base: ConvoyGateway = {
    async accept(request): Promise<AcceptResponse> {
      assertType(request.type);
      accepted.push(request);
      const name = `${request.type}/${request.id}`;
      const seq = (seqs.get(name) ?? 0) + 1;
      seqs.set(name, seq);
      return { type: request.type, id: request.id, seq, duplicate: false };
    },
    async waitForSeq(): Promise<boolean> {
      return false;
    },
    async waitForOutcome(): Promise<null> {
      return null;
    },
    async waitFor(key: ConvoyKey): Promise<WaitForResult> {
      return { outcome: 'timeout', view: await base.getConvoy(key) };
    },
    async getConvoy(key: ConvoyKey): Promise<ConvoyView | null> {
      assertType(key.type);
      const accepted = seqs.get(`${key.type}/${key.id}`);
      if (accepted === undefined) return null;
      const at = new Date(0).toISOString();
      return {
        ...key,
        status: 'active',
        value: 'Idle',
        context: {},
        seq: 0,
        accepted,
        deferred: 0,
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
    },
    async getHistory(key: ConvoyKey): Promise<HistoryEntry[] | null> {
      assertType(key.type);
      return seqs.has(`${key.type}/${key.id}`) ? [] : null;
    },
    listTypes: () => [summary],
    describeType(type: string): ConvoyTypeDescription {
      assertType(type);
      return {
        ...summary,
        states: ['Idle'],
        mermaid: 'stateDiagram-v2',
        stately: 'createMachine({})',
        graph: { root: 'order', nodes: [], edges: [] },
        machine: {},
      };
    },
    // Operator methods: an empty store. Tests replace what they need.
    async listConvoys(query) {
      assertType(query.type);
      return { items: [], cursor: null };
    },
    async countConvoys(type) {
      assertType(type);
      return { active: 0, done: 0, blocked: 0, stalled: 0, paused: 0 };
    },
    async oldestWaiting(type) {
      assertType(type);
      return null;
    },
    async countDeadLetterConvoys(type) {
      assertType(type);
      return 0;
    },
    getDeadLetters: async () => [],
    async listDeadLetters(query) {
      assertType(query.type);
      return { items: [], cursor: null };
    },
    redriveDeadLetters: async () => ({ redriven: [] }),
    async discardDeadLetter(key, seq) {
      throw new ConvoyError('dead_letter_not_found', `No dead letter ${seq} in ${key.type}/${key.id}`);
    },
    pauseConvoy: async (key) => unsupported('pause', key),
    resumeConvoy: async (key) => unsupported('resume', key),
    retryConvoy: async (key) => unsupported('retry', key),
    getInbox: async () => [],
    getDeferred: async () => [],
    getTimers: async () => [],
    ping: async () => undefined,
  };
  return { ...base, ...overrides, accepted };
}
