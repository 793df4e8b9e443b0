// The quantized kernels in Chromium (vitest browser mode): the relaxed SIMD build, which Node 20
// cannot run faithfully, and the plain SIMD build give the 'js' twin's bits on every case of
// test/helpers/quant-cases.ts (the Node side is test/quant-kernels.test.ts).
import { describe, expect, it } from 'vitest';
import simdBytes from '../../build/simd.wasm';
import relaxedBytes from '../../build/relaxed.wasm';
import { createWasmEngine } from '../../src/runtime/engine.js';
import { Heap, createLinearMemory } from '../../src/runtime/heap.js';
import { quantKernels } from '../../src/js/quant.js';
import { quantCases, runCase, type QuantBench } from '../helpers/quant-cases.js';

function wasmBench(bytes: Uint8Array<ArrayBuffer>, build: 'simd' | 'relaxed-simd'): QuantBench {
  const engine = createWasmEngine(bytes, build);
  return { heap: engine.heap, k: engine.kernels };
}

/** Index of the first element whose bits differ, or −1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
const bytesOf = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('quantized kernels in Chromium', () => {
  const heap = new Heap(createLinearMemory(1 << 16), 16);
  const js: QuantBench = { heap, k: quantKernels(heap) };
  const cases = quantCases();
  const expected = cases.map((c) => runCase(js, c));

  it.each([
    ['relaxed-simd', relaxedBytes],
    ['simd', simdBytes],
  ] as const)('the %s build gives the js twin bits on every case', (build, bytes) => {
    expect(WebAssembly.validate(bytes)).toBe(true);
    const bench = wasmBench(bytes, build);
    for (let i = 0; i < cases.length; i++) {
      const got = runCase(bench, cases[i]!);
      expect(firstDifference(got.packed, expected[i]!.packed), `${cases[i]!.name}: packed`).toBe(-1);
      expect(firstDifference(bytesOf(got.outputs), bytesOf(expected[i]!.outputs)), `${cases[i]!.name}: outputs`).toBe(
        -1,
      );
    }
  });
});
