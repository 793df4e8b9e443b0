// Heap (src/runtime/heap.ts) rebuilds its views only when it grows the memory itself, and its
// getters trust them without asking memory.buffer. That is right only while nothing else grows the
// memory: no kernel may execute memory.grow. Every Wasm build is read back here (Binaryen's text
// form) and must contain no memory.grow; a module that does contain one shows the check can fail.
import { describe, expect, it } from 'vitest';
import binaryen from 'binaryen';
import simdBytes from '../build/simd.wasm';
import relaxedBytes from '../build/relaxed.wasm';
import debugBytes from '../build/debug.wasm';
import { Heap, createLinearMemory } from '../src/runtime/heap.js';

/** How many memory.grow instructions a module's code holds. */
function memoryGrows(bytes: Uint8Array): number {
  const module = binaryen.readBinaryWithFeatures(bytes, binaryen.Features.All);
  try {
    return module.emitText().match(/\bmemory\.grow\b/g)?.length ?? 0;
  } finally {
    module.dispose();
  }
}

describe('only the Heap grows engine memory', () => {
  it.each([
    ['simd', simdBytes],
    ['relaxed', relaxedBytes],
    ['debug', debugBytes],
  ] as const)('build/%s.wasm executes no memory.grow', (_name, bytes) => {
    expect(memoryGrows(bytes)).toBe(0);
  });

  it('the check finds a memory.grow where there is one', () => {
    const m = new binaryen.Module();
    m.setMemory(1, 16, 'memory');
    m.addFunction(
      'grow',
      binaryen.createType([binaryen.i32]),
      binaryen.i32,
      [],
      m.memory.grow(m.local.get(0, binaryen.i32)),
    );
    m.addFunctionExport('grow', 'grow');
    const bytes = m.emitBinary();
    m.dispose();
    expect(memoryGrows(bytes)).toBe(1);
  });

  it('views taken from the getters before a grow are replaced, never read stale, after it', () => {
    const heap = new Heap(createLinearMemory(1 << 16), 16);
    const a = heap.alloc(64);
    heap.f32[a >> 2] = 1.5;
    const before = heap.f32;
    heap.alloc(2 << 16); // past the end: grows, and the getters follow
    expect(heap.f32 === before, 'a new view').toBe(false);
    expect(before.length, 'the old view is detached').toBe(0);
    expect(heap.f32.buffer).toBe(heap.memory.buffer);
    expect(heap.i32.buffer).toBe(heap.memory.buffer);
    expect(heap.f64.buffer).toBe(heap.memory.buffer);
    expect(heap.u8.buffer).toBe(heap.memory.buffer);
    expect(heap.f32[a >> 2]).toBe(1.5);
  });
});
