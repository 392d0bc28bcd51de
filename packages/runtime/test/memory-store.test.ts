import { systemClock } from '@convoy/core';
import { MemoryConvoyStore, MemoryTurnScheduler } from '@convoy/runtime';
import { describeStoreConformance } from '@convoy/runtime/testing';

describeStoreConformance('memory', async (options) => {
  const store = new MemoryConvoyStore({ ...options, clock: systemClock });
  return { store, scheduler: new MemoryTurnScheduler({ concurrency: 8 }), cleanup: () => store.close() };
});
