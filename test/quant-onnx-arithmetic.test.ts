// simdnet's quantized arithmetic, written with standard ONNX operators (Abs, ReduceMax, Max, Div,
// Mul, Round, Clip, Cast, MatMulInteger, Cast, Mul, Mul, Add, Relu) and run by ONNX Runtime
// (scripts/onnx-quant-fixtures.py, test/fixtures/quant/arithmetic.*): the fixture's float weights
// quantize to its int8 values and scales, and every engine's quantForward gives ONNX Runtime's
// outputs bit for bit, so that an exported quantized network can reproduce simdnet exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import simdBytes from '../build/simd.wasm';
import relaxedBytes from '../build/relaxed.wasm';
import { createWasmEngine } from '../src/runtime/engine.js';
import { Heap, createLinearMemory } from '../src/runtime/heap.js';
import { ACT } from '../src/abi/kinds.js';
import { QUANT_LAYER_BYTES, quantLayerView } from '../src/abi/descriptor.js';
import { quantKernels } from '../src/js/quant.js';
import { packLayer, quantizeWeights } from '../src/js/quant-pack.js';
import type { QuantBench } from './helpers/quant-cases.js';

interface Fixture {
  k: number;
  n: number;
  weights: number[];
  biases: number[];
  qW: number[];
  scales: number[];
  input: number[][];
  output: number[][];
  relu: number[][];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/quant/arithmetic.json', import.meta.url), 'utf8'),
) as Fixture;

const benches: [string, () => QuantBench][] = [
  [
    'js',
    () => {
      const heap = new Heap(createLinearMemory(1 << 16), 16);
      return { heap, k: quantKernels(heap) };
    },
  ],
  [
    'simd',
    () => {
      const e = createWasmEngine(simdBytes, 'simd');
      return { heap: e.heap, k: e.kernels };
    },
  ],
];
// Node 20 validates the relaxed build only behind a flag that computes its dot product wrongly
if (WebAssembly.validate(relaxedBytes))
  benches.push([
    'relaxed-simd',
    () => {
      const e = createWasmEngine(relaxedBytes, 'relaxed-simd');
      return { heap: e.heap, k: e.kernels };
    },
  ]);

const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe.each(benches)('ONNX Runtime runs the quantized arithmetic to the same bits (%s)', (_name, make) => {
  const { heap, k } = make();
  const { k: K, n: N } = fixture;
  const rows = fixture.input.length;
  const { q, scales } = quantizeWeights(Float32Array.from(fixture.weights), K, N);

  it('quantizes the weights to the int8 values and scales of the fixture', () => {
    expect(Array.from(q)).toEqual(fixture.qW);
    expect(bits(scales)).toEqual(bits(fixture.scales));
  });

  it.each([
    ['linear', ACT.linear, 'output'],
    ['relu', ACT.relu, 'relu'],
  ] as const)('gives ONNX Runtime outputs bit for bit (%s)', (_act, act, key) => {
    const block = packLayer(q, scales, Float32Array.from(fixture.biases), K, N);
    const packed = heap.alloc(block.length);
    heap.u8.set(block, packed);
    const record = heap.alloc(QUANT_LAYER_BYTES);
    const r = quantLayerView(heap, record, 0);
    r.fanIn = K;
    r.fanOut = N;
    r.act = act;
    r.packed = packed;
    r.narrow = 1;
    const x = heap.alloc(rows * K * 4),
      y = heap.alloc(rows * N * 4),
      scratch = heap.alloc(k.quantScratchBytes(Math.max(K, N)));
    heap.f32.set(fixture.input.flat(), x >>> 2);
    k.quantForward(record, 1, x, rows, y, scratch, 1);
    expect(bits(heap.f32.subarray(y >>> 2, (y >>> 2) + rows * N))).toEqual(bits(fixture[key].flat()));
    for (const p of [packed, record, x, y, scratch]) heap.release(p);
  });
});
