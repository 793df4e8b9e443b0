// The first-fit heap of an engine's memory (src/runtime/heap.ts): cache-line-aligned, zeroed,
// disjoint blocks; coalescing in any release order; harmless releases of 0, unknown or freed
// pointers; growth, after which every view follows the new buffer.
import { describe, expect, it } from 'vitest';
import { Heap, createLinearMemory } from '../src/runtime/heap.js';
import { ALIGN } from '../src/runtime/layout.js';

describe('Heap', () => {
  const fresh = (): Heap => new Heap(createLinearMemory(1 << 16), 16);

  it('hands out cache-line-aligned (64-byte), zeroed, disjoint blocks and counts them', () => {
    expect(ALIGN, 'a cache line: v128 loads need 16 bytes, two threads writing neighbouring blocks need 64').toBe(64);
    const heap = fresh();
    const sizes = [1, 15, 16, 17, 63, 64, 65, 100, 4096, 3];
    const blocks = sizes.map((n) => ({ ptr: heap.alloc(n), n }));
    for (const { ptr, n } of blocks) {
      expect(ptr % 64).toBe(0);
      expect(ptr).toBeGreaterThan(0);
      for (let i = 0; i < n; i++) expect(heap.u8[ptr + i]).toBe(0);
    }
    const sorted = [...blocks].sort((a, b) => a.ptr - b.ptr);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i - 1]!.ptr + sorted[i - 1]!.n).toBeLessThanOrEqual(sorted[i]!.ptr);
    // each block rounds up to a multiple of 64 (at least 64)
    expect(heap.allocated).toBe(sizes.reduce((s, n) => s + Math.max(64, Math.ceil(n / 64) * 64), 0));
    for (const { ptr } of blocks) heap.release(ptr);
    expect(heap.allocated).toBe(0);
  });

  it('a reused block comes back zeroed', () => {
    const heap = fresh();
    const a = heap.alloc(256);
    heap.u8.fill(0xab, a, a + 256);
    heap.release(a);
    const b = heap.alloc(256);
    expect(b).toBe(a); // first fit
    expect(heap.u8.subarray(b, b + 256).every((v) => v === 0)).toBe(true);
  });

  it('coalesces neighbouring free blocks in any release order', () => {
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 2],
      [2, 0, 1],
    ]) {
      const heap = fresh();
      const blocks = [heap.alloc(1008), heap.alloc(1008), heap.alloc(1008)];
      const guard = heap.alloc(16); // keeps the three from merging with the free tail
      for (const i of order) heap.release(blocks[i]!);
      // one free block of 3 × 1008 bytes again: a 3024-byte request fits exactly where the first was
      expect(heap.alloc(3024), `release order ${order}`).toBe(blocks[0]);
      heap.release(guard);
    }
  });

  it('releasing 0, an unknown pointer, or the same block twice does nothing', () => {
    const heap = fresh();
    const a = heap.alloc(64),
      b = heap.alloc(64);
    heap.release(0);
    heap.release(a + 16);
    heap.release(123456);
    expect(heap.allocated).toBe(128);
    heap.release(a);
    heap.release(a);
    expect(heap.allocated).toBe(64);
    // the twice-released block is handed out once, not twice
    const c = heap.alloc(64),
      d = heap.alloc(64);
    expect(c).toBe(a);
    expect(d).not.toBe(a);
    expect(d).not.toBe(b);
  });

  it('grows memory when full, and its views follow the new buffer', () => {
    const memory = createLinearMemory(1 << 16);
    const heap = new Heap(memory, 16);
    const a = heap.alloc(1000);
    heap.f32[a >> 2] = 42.5;
    const oldBuffer = memory.buffer;
    const big = heap.alloc(3 << 16); // more than the first page
    expect(memory.buffer).not.toBe(oldBuffer);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual((3 << 16) + 1000);
    expect(heap.f32.buffer).toBe(memory.buffer);
    expect(heap.i32.buffer).toBe(memory.buffer);
    expect(heap.u8.buffer).toBe(memory.buffer);
    expect(heap.f32[a >> 2]).toBe(42.5); // old contents carried over
    expect(big + (3 << 16)).toBeLessThanOrEqual(memory.buffer.byteLength);
    expect(heap.u8.subarray(big, big + (3 << 16)).every((v) => v === 0)).toBe(true);
  });
});
