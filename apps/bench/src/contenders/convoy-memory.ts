/** Convoy on the memory store: one process, no services (the embedded mode). */
import { MemoryConvoyStore, MemoryTurnScheduler } from '@convoy/runtime';
import type { Contender, ContenderInstance, ContenderTarget } from './contender.ts';
import { convoyInstance } from './convoy-engine.ts';

async function openConvoyMemory(target: ContenderTarget): Promise<ContenderInstance> {
  const store = new MemoryConvoyStore();
  const scheduler = new MemoryTurnScheduler({ concurrency: target.concurrency });
  return convoyInstance(target, store, scheduler, () => store.close());
}

/** Convoy, memory store. */
export const convoyMemory: Contender = {
  id: 'convoy-memory',
  name: 'Convoy (memory store)',
  ordered: true,
  stateful: true,
  usesRedis: false,
  open: openConvoyMemory,
};
