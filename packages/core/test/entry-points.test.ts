/**
 * Core's public surface, per entry point: what an author, a store implementer and the runtime may
 * import. A new runtime export must be placed here on purpose (and internals stay out of the main entry).
 */
import { describe, expect, it } from 'vitest';
import * as main from '@convoy/core';
import * as engine from '@convoy/core/engine';
import * as store from '@convoy/core/store';
import * as wire from '@convoy/core/wire';

describe('core entry points', () => {
  it('the main entry holds what a convoy author and an edge need, nothing internal', () => {
    expect(Object.keys(main).sort()).toEqual([
      'ConvoyError',
      'convoyStatuses',
      'defineConvoy',
      'describeDefinition',
      'effectKinds',
      'errorStatusByCode',
      'eventDecisions',
      'eventOutcomes',
      'isConvoyDefinition',
      'isConvoyError',
      'isConvoyStatus',
      'isEventDecision',
      'maxEventDepth',
      'operatorActions',
      'statusTransitions',
      'summarizeDefinition',
      'systemClock',
      'toDeadLetterItem',
      'toDeferredItem',
      'toDot',
      'toGraph',
      'toHistoryItem',
      'toInboxItem',
      'toMermaid',
      'toStatelyCode',
      'toTimerItem',
      'validateConvoyId',
      'validateIdempotencyKey',
    ]);
  });

  it('the wire entry holds the HTTP contract only (browser-safe: the console page bundles it)', () => {
    expect(Object.keys(wire).sort()).toEqual([
      'convoyStatuses',
      'effectKinds',
      'errorStatusByCode',
      'eventDecisions',
      'eventOutcomes',
      'isConvoyStatus',
      'isEventDecision',
      'operatorActions',
      'statusTransitions',
      'toDeadLetterItem',
      'toDeferredItem',
      'toHistoryItem',
      'toInboxItem',
      'toTimerItem',
    ]);
  });

  it('the engine entry holds the pure step and its helpers for the runtime', () => {
    expect(Object.keys(engine).sort()).toEqual([
      'assertMachineFromPeerXstate',
      'blockedTurn',
      'eventFingerprint',
      'exampleEvent',
      'hydrateSnapshot',
      'invokeEffectAction',
      'stallTimerIds',
      'stepConvoy',
      'toJson',
      'validateEvent',
    ]);
  });

  it('the store entry is types only (the ports a store and a scheduler implement)', () => {
    expect(Object.keys(store)).toEqual([]);
  });

  it('internals are not reachable from any entry', () => {
    for (const name of ['planActions', 'fnv1a64', 'canonicalJson', 'timerToken', 'classifyEvent']) {
      expect(name in main || name in engine || name in store).toBe(false);
    }
  });
});
