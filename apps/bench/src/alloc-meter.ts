/**
 * Bytes allocated on the V8 heap of this process over an interval. Node 20 has no allocation counter, but
 * `v8.GCProfiler` reports the used heap before and after every collection: what was allocated between
 * two collections is the growth from the used heap after the earlier one to the used heap before the
 * later one. Summed over the interval, plus the growth since the last collection, that is every byte
 * allocated on the JS heap (objects that died young included). Off-heap memory (Buffer contents,
 * sockets) is not counted.
 */
import { getHeapStatistics, GCProfiler } from 'node:v8';

/** A running measurement; `stop` returns the bytes allocated since `startAllocationMeter`. */
export interface AllocationMeter {
  stop(): number;
}

/** Start counting heap allocation. */
export function startAllocationMeter(): AllocationMeter {
  const profiler = new GCProfiler();
  profiler.start();
  const initial = getHeapStatistics().used_heap_size;
  return {
    stop() {
      const final = getHeapStatistics().used_heap_size;
      const result = profiler.stop();
      let allocated = 0;
      let usedAfterPrevious = initial;
      for (const entry of result?.statistics ?? []) {
        allocated += Math.max(0, entry.beforeGC.heapStatistics.usedHeapSize - usedAfterPrevious);
        usedAfterPrevious = entry.afterGC.heapStatistics.usedHeapSize;
      }
      return allocated + Math.max(0, final - usedAfterPrevious);
    },
  };
}
