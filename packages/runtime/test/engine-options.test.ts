/**
 * The engine's options: one defaults object, and a bad option is a loud `invalid_options` error at
 * construction (not a silent clamp or a poller spinning at NaN ms).
 */
import { isConvoyError } from '@convoy/core';
import {
  createConvoyEngine,
  engineDefaults,
  MemoryConvoyStore,
  MemoryTurnScheduler,
  silentLogger,
  type ConvoyEngineOptions,
} from '@convoy/runtime';
import { describe, expect, it } from 'vitest';
import { tallyConvoy } from './support/tally.ts';

const base = (): ConvoyEngineOptions => ({
  definitions: [tallyConvoy(() => undefined)],
  store: new MemoryConvoyStore(),
  scheduler: new MemoryTurnScheduler(),
  logger: silentLogger,
});

describe('engine options', () => {
  it('one defaults object holds every tunable number', () => {
    expect(engineDefaults).toEqual({
      leaseMs: 30_000,
      batchSize: 100,
      maxBatchesPerTurn: 10,
      localTurns: 0,
      timerPollMs: 1000,
      sweepMs: 5000,
      waitPollMs: 100,
      stallAfterMs: 60_000,
    });
    expect(() => createConvoyEngine(base())).not.toThrow();
  });

  it.each([
    ['leaseMs', 0],
    ['batchSize', 0],
    ['maxBatchesPerTurn', 1.5],
    ['localTurns', -1],
    ['timerPollMs', Number.NaN],
    ['sweepMs', '5000'],
    ['waitPollMs', 0],
    ['stallAfterMs', Number.POSITIVE_INFINITY],
  ] as const)('refuses %s = %s at construction with invalid_options naming the option', (name, value) => {
    const options = { ...base(), [name]: value };
    let caught: unknown;
    try {
      createConvoyEngine(options);
    } catch (error) {
      caught = error;
    }
    expect(isConvoyError(caught) && caught.code).toBe('invalid_options');
    expect((caught as Error).message).toContain(`"${name}"`);
  });

  it('takes 0 where 0 switches a feature off', () => {
    expect(() =>
      createConvoyEngine({ ...base(), localTurns: 0, timerPollMs: 0, sweepMs: 0, stallAfterMs: 0 }),
    ).not.toThrow();
  });
});
