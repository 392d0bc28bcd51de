/**
 * Issue 12, item 1 on the memory store: a wait answers with the event's outcome and the convoy's status
 * and state (the suite is in support/wait-outcome-suite.ts).
 */
import type { ConvoyEngine } from '@convoy/runtime';
import { describe } from 'vitest';
import { buildConvoyApp } from '../src/index.ts';
import { memoryEngine } from './support/convoys.ts';
import { gate, waitOutcomeTests } from './support/wait-outcome-suite.ts';

describe('waiting returns the outcome (memory store)', () => {
  let engine: ConvoyEngine;
  waitOutcomeTests(async () => {
    engine = await memoryEngine([gate]);
    const app = buildConvoyApp({ gateway: engine });
    return {
      app,
      close: async () => {
        await app.close();
        await engine.close();
      },
    };
  });
});
