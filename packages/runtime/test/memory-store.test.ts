import { MemoryConvoyStore, MemoryTurnScheduler } from '@convoy/runtime';
import { describeStoreConformance } from '@convoy/runtime/testing';

describeStoreConformance('memory', async () => {
  const store = new MemoryConvoyStore();
  return { store, scheduler: new MemoryTurnScheduler({ concurrency: 8 }), cleanup: () => store.close() };
});
