// The 'js' twin of assembly/scan.ts: the first NaN or ±Infinity among floats in engine memory.
import type { MemoryViews } from '../abi/descriptor.js';

export function scanKernels(heap: MemoryViews) {
  // index of the first non-finite float among count floats at xPtr, or −1 (v − v is NaN only for NaN and ±Infinity)
  function firstNonFinite(xPtr: number, count: number): number {
    const f32 = heap.f32,
      from = xPtr >>> 2;
    for (let i = 0; i < count; i++) {
      const v = f32[from + i]!;
      if (v - v !== 0) return i;
    }
    return -1;
  }
  return { firstNonFinite };
}
