// The quantized kernels (assembly/quant*.ts and their twin src/js/quant*.ts): known answers of the
// arithmetic as defined (docs/quantization.md); an independent float64 re-derivation of it (exact
// where every step is, within stated tolerances through exp); and the same bits from the 'js' twin,
// the plain SIMD build and (on Node 22 and later; in Chromium for Node 20) the relaxed SIMD build, on
// odd shapes around every blocking edge.
import { describe, expect, it } from 'vitest';
import simdBytes from '../build/simd.wasm';
import relaxedBytes from '../build/relaxed.wasm';
import { createWasmEngine } from '../src/runtime/engine.js';
import { Heap, createLinearMemory } from '../src/runtime/heap.js';
import { ACT } from '../src/abi/kinds.js';
import { quantKernels } from '../src/js/quant.js';
import { firstNonFiniteColumn, packLayer, packedBytes, quantizeWeights } from '../src/js/quant-pack.js';
import { activate64, quantReference } from './helpers/quant-reference.js';
import {
  caseData,
  quantCases,
  runCase,
  type QuantBench,
  type QuantCase,
  type QuantResult,
} from './helpers/quant-cases.js';

const simd = createWasmEngine(simdBytes, 'simd');
const benches: Record<'js' | 'simd', QuantBench> = {
  js: (() => {
    const heap = new Heap(createLinearMemory(1 << 16), 16);
    return { heap, k: quantKernels(heap) };
  })(),
  simd: { heap: simd.heap, k: simd.kernels },
};

const f32 = Math.fround;
const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Index of the first element whose bits differ, or −1. */
function firstDifference(a: Float32Array | Uint8Array, b: Float32Array | Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = a instanceof Float32Array ? bitsOf(a) : a,
    y = b instanceof Float32Array ? bitsOf(b) : b;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Places arrays in a bench's memory and returns their pointers (then `free` releases them). */
function placer(b: QuantBench) {
  const taken: number[] = [];
  return {
    f32(a: ArrayLike<number>): number {
      const p = b.heap.alloc(Math.max(a.length, 1) * 4);
      b.heap.f32.set(a, p >>> 2);
      taken.push(p);
      return p;
    },
    bytes(n: number): number {
      const p = b.heap.alloc(n);
      taken.push(p);
      return p;
    },
    free(): void {
      for (const p of taken) b.heap.release(p);
    },
  };
}

describe('quantized weights and their packed block, known answers', () => {
  it('quantizes weights per output neuron: 127/max|W[:, j]|, half to even, a zero column at scale 1', () => {
    // columns: max 1, max 2 (0.5·63.5 = 31.75 → 32, 1·63.5 = 63.5 → 64, a tie to even), zero
    const { q, scales } = quantizeWeights(Float32Array.of(1, -0.5, 0, 0.25, 2, 0, -1, 1, 0), 3, 3);
    expect(Array.from(q)).toEqual([127, -32, 0, 32, 127, 0, -127, 64, 0]);
    expect(Array.from(scales)).toEqual([f32(1 / 127), f32(2 / 127), 1]);
  });

  it('finds the first column that holds a non-finite weight', () => {
    expect(firstNonFiniteColumn(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3)).toBe(-1);
    expect(firstNonFiniteColumn(Float32Array.of(1, 2, 3, 4, Number.NaN, 6), 2, 3)).toBe(1);
    expect(firstNonFiniteColumn(Float32Array.of(1, 2, Number.POSITIVE_INFINITY, 4, Number.NaN, 6), 2, 3)).toBe(1);
    expect(firstNonFiniteColumn(Float32Array.of(1, 2, Number.NEGATIVE_INFINITY, 4, 5, 6), 2, 3)).toBe(2);
  });

  it('packs 4-column groups of 4 steps, zeros beyond k and n, then the scales and the biases', () => {
    const k = 5,
      n = 6;
    const w = Float32Array.from({ length: k * n }, (_, i) => ((i * 7) % 11) - 5);
    const { q, scales } = quantizeWeights(w, k, n);
    const bias = Float32Array.from({ length: n }, (_, j) => j + 0.5);
    expect(packedBytes(k, n)).toBe(8 * 8 + 8 * 8);
    const block = packLayer(q, scales, bias, k, n);
    expect(block.length).toBe(packedBytes(k, n));
    const ps = new Int8Array(block.buffer, 0, 64);
    for (let j = 0; j < 8; j++)
      for (let i = 0; i < 8; i++) {
        const at = (j >> 2) * 32 + (i >> 2) * 16 + (j & 3) * 4 + (i & 3);
        expect(ps[at], `W[${i}][${j}]`).toBe(i < k && j < n ? q[i * n + j] : 0);
      }
    const tail = Array.from(new Float32Array(block.buffer, 64, 16));
    expect(tail).toEqual([...scales, 0, 0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 0, 0]);
    expect(Array.from(new Float32Array(packLayer(q, scales, null, k, n).buffer, 96, 8))).toEqual(Array(8).fill(0));
  });
});

describe.each(['js', 'simd'] as const)('the row quantizer, known answers (%s)', (name) => {
  const b = benches[name];

  it('quantizes rows by their own range or a calibrated one, a zero row to zeros', () => {
    const at = placer(b);
    // row 0: max 1 (inv 127): 0.5 → 63.5 → 64 (tie to even), 0.25 → 31.75 → 32; row 1 zeros;
    // row 2: max 4 (inv 31.75): 1 → 31.75 → 32, −3 → −95.25 → −95, NaN → 127
    const x = at.f32([0.5, -1, 0.25, 0, 0, 0, 0, 0, 1, -3, 4, Number.NaN]);
    const q = at.bytes(12),
      s = at.bytes(12);
    b.k.quantizeRows(x, 3, 4, 0, q, s);
    expect(Array.from(new Int8Array(b.heap.u8.buffer, q, 12))).toEqual([
      64, -127, 32, 0, 0, 0, 0, 0, 32, -95, 127, 127,
    ]);
    expect(Array.from(b.heap.f32.subarray(s >>> 2, (s >>> 2) + 3))).toEqual([
      f32(1 / 127),
      f32(2 ** -100 / 127),
      f32(4 / 127),
    ]);
    // calibrated range 0.5 (inv 254): values beyond it clamp to ±127
    b.k.quantizeRows(x, 1, 4, 0.5, q, s);
    expect(Array.from(new Int8Array(b.heap.u8.buffer, q, 4))).toEqual([127, -127, 64, 0]);
    expect(b.heap.f32[s >>> 2]).toBe(f32(0.5 / 127));
    at.free();
  });
});

// ---- float64 re-derivation ----

/** The float64 re-derivation of a case. */
function reference(c: QuantCase): Float64Array {
  const { weights, biases, x } = caseData(c);
  return quantReference(
    c.sizes,
    c.layers,
    weights,
    c.layers.map((l, i) => (l.bias ? biases[i]! : null)),
    x,
  );
}

const exact = (c: QuantCase): boolean =>
  c.layers.every((l) => l.act === ACT.linear || l.act === ACT.relu || l.act === ACT['leaky-relu']);
const singleLayer = (c: QuantCase): boolean => c.layers.length === 1;

describe.each(['js', 'simd'] as const)('the float64 re-derivation of the arithmetic (%s)', (name) => {
  const cases = quantCases().filter((c) => c.inputScale === 1);

  it('gives the same bits through integer products, scales, bias, ReLU and leaky ReLU, any depth', () => {
    const chosen = cases.filter(exact);
    expect(chosen.length).toBeGreaterThan(20);
    for (const c of chosen) {
      const got = runCase(benches[name], c).outputs,
        want = Float32Array.from(reference(c));
      expect(firstDifference(got, want), c.name).toBe(-1);
    }
  });

  it('agrees within 2e-6 (relative to 1 + |y|) through sigmoid, tanh and softmax on one layer', () => {
    // the Wasm exp polynomial's relative error is below 3e-7; a few float32 roundings follow it
    const chosen = cases.filter((c) => singleLayer(c) && !exact(c));
    expect(chosen.length).toBeGreaterThan(20);
    for (const c of chosen) {
      const got = runCase(benches[name], c).outputs,
        want = reference(c);
      let worst = 0;
      for (let i = 0; i < got.length; i++)
        worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
      expect(worst, c.name).toBeLessThan(2e-6);
    }
  });

  it('stays near the float network it was quantized from (64-40-24-10, ReLU, softmax, 200 rows)', () => {
    const relu = { act: ACT.relu, p0: 0, p1: 0, bias: true, range: 0 };
    const c: QuantCase = {
      name: 'near the float network',
      sizes: [64, 40, 24, 10],
      layers: [relu, relu, { ...relu, act: ACT.softmax }],
      rows: 200,
      seed: 4242,
      nonNegative: false,
      inputScale: 1,
    };
    const { weights, biases, x } = caseData(c);
    const got = runCase(benches[name], c).outputs;
    let total = 0,
      sameClass = 0;
    for (let r = 0; r < c.rows; r++) {
      let row = Array.from(x.subarray(r * 64, (r + 1) * 64));
      for (let l = 0; l < 3; l++) {
        const k = c.sizes[l]!,
          n = c.sizes[l + 1]!,
          s: number[] = [];
        for (let j = 0; j < n; j++) {
          let acc = biases[l]![j]!;
          for (let i = 0; i < k; i++) acc += row[i]! * weights[l]![i * n + j]!;
          s.push(acc);
        }
        row = activate64(c.layers[l]!.act, s, 0, 0);
      }
      const q = Array.from(got.subarray(r * 10, r * 10 + 10));
      for (let j = 0; j < 10; j++) total += Math.abs(q[j]! - row[j]!);
      if (q.indexOf(Math.max(...q)) === row.indexOf(Math.max(...row))) sameClass++;
    }
    // int8 on both sides of three layers: probabilities off by under 0.005 on average (0.0013 here),
    // the same class on nearly every row (99% here)
    const mean = total / (c.rows * 10);
    expect(mean).toBeLessThan(0.005);
    expect(mean).toBeGreaterThan(0); // it is quantized
    expect(sameClass / c.rows).toBeGreaterThanOrEqual(0.97);
  });
});

// ---- the same bits everywhere ----

describe('the same bits from the js twin, the plain SIMD build and the relaxed SIMD build', () => {
  const cases = quantCases();
  const js: QuantResult[] = cases.map((c) => runCase(benches.js, c));

  it(`covers ${cases.length} cases: every activation, both input signs, blocking edges of K, N and rows`, () => {
    for (const kind of Object.values(ACT)) expect(cases.some((c) => c.layers.some((l) => l.act === kind))).toBe(true);
    for (const k of [3, 4, 5, 7, 8, 9, 15, 16, 17]) expect(cases.some((c) => c.sizes[0] === k)).toBe(true);
    for (const n of [3, 4, 5, 7, 8, 9, 15, 16, 17]) expect(cases.some((c) => c.sizes[1] === n)).toBe(true);
    for (const m of [1, 3, 4, 5, 63, 64, 65, 131]) expect(cases.some((c) => c.rows === m)).toBe(true);
  });

  it('plain SIMD build = js twin, packed blocks and outputs, bit for bit', () => {
    for (let i = 0; i < cases.length; i++) {
      const got = runCase(benches.simd, cases[i]!);
      expect(firstDifference(got.packed, js[i]!.packed), `${cases[i]!.name}: packed`).toBe(-1);
      expect(firstDifference(got.outputs, js[i]!.outputs), `${cases[i]!.name}: outputs`).toBe(-1);
    }
  });

  // Node 22 and later validate the relaxed build. Node 20 does only behind --experimental-wasm-relaxed-simd,
  // and there (V8 11.3) i32x4.relaxed_dot_i8x16_i7x16_add_s returns twice the dot product and drops
  // the addend, so on Node 20 the relaxed build is compared in Chromium instead
  // (test/browser/quant-kernels.browser.test.ts).
  it.runIf(WebAssembly.validate(relaxedBytes))(
    'relaxed SIMD build = js twin, packed blocks and outputs, bit for bit',
    () => {
      const engine = createWasmEngine(relaxedBytes, 'relaxed-simd');
      const relaxed = { heap: engine.heap, k: engine.kernels };
      for (let i = 0; i < cases.length; i++) {
        const got = runCase(relaxed, cases[i]!);
        expect(firstDifference(got.packed, js[i]!.packed), `${cases[i]!.name}: packed`).toBe(-1);
        expect(firstDifference(got.outputs, js[i]!.outputs), `${cases[i]!.name}: outputs`).toBe(-1);
      }
    },
  );
});
