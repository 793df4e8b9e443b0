// Quantized networks on odd shapes for the bit-identity test (test/quant-kernels.test.ts): the
// cases, and one runner that quantizes and packs a case's layers (src/js/quant-pack.ts), runs an
// engine's quantForward on them and returns what it wrote, on the 'js' twin and on each Wasm build
// (in Node, and in Chromium: test/browser/quant-kernels.browser.test.ts).
import type { Heap } from '../../src/runtime/heap.js';
import { QUANT_LAYER_BYTES, quantLayerView } from '../../src/abi/descriptor.js';
import type { QuantKernels } from '../../src/abi/kernels.js';
import { ACT } from '../../src/abi/kinds.js';
import { firstNonFiniteColumn, packLayer, quantizeWeights } from '../../src/js/quant-pack.js';
import { rng } from './random-data.js';

export interface QuantBench {
  heap: Heap;
  k: QuantKernels;
}

export interface QuantLayer {
  act: number;
  p0: number;
  p1: number;
  bias: boolean;
  /** calibrated input range, 0 for per-row */
  range: number;
}

export interface QuantCase {
  name: string;
  sizes: number[];
  layers: QuantLayer[];
  rows: number;
  seed: number;
  /** inputs in [0, 1) (the relaxed build's narrow tiles from the first layer on), else in (−1, 1) */
  nonNegative: boolean;
  /** multiplies the inputs (very large values reach the activations' saturation) */
  inputScale: number;
}

export interface QuantResult {
  /** every layer's packed block as the engine's memory held it after the forward, concatenated */
  packed: Uint8Array;
  outputs: Float32Array;
}

const KINDS = [ACT.linear, ACT.sigmoid, ACT.tanh, ACT.relu, ACT['leaky-relu'], ACT.softmax] as const;

function layer(act: number, i: number): QuantLayer {
  // sigmoid alternates gain and threshold forms; leaky ReLU has a slope
  const p0 = act === ACT.sigmoid ? [1, 2.5, 0.75][i % 3]! : act === ACT['leaky-relu'] ? 0.125 : 0;
  const p1 = act === ACT.sigmoid ? [0, 0.25, -0][i % 3]! : 0;
  return { act, p0, p1, bias: i % 5 !== 3, range: 0 };
}

/**
 * Single layers around every blocking edge (K and N at multiples of 4, 8 and 16 ± 1; rows at 1,
 * tiles of 4 and chunks of 64 rows ± 1, and more than two chunks), every activation, both input signs; then deeper networks whose
 * hidden activations switch between the narrow and wide tiles; then calibrated ranges and inputs
 * large enough to saturate.
 */
export function quantCases(): QuantCase[] {
  const cases: QuantCase[] = [];
  const ks = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];
  const ns = [1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20];
  const ms = [1, 2, 3, 4, 5, 7, 8, 9, 17, 37, 63, 64, 65, 131];
  let i = 0;
  for (const k of ks)
    for (const n of ns) {
      const act = KINDS[i % KINDS.length]!;
      cases.push({
        name: `${k}→${n} act ${act}`,
        sizes: [k, n],
        layers: [layer(act, i)],
        rows: ms[i % ms.length]!,
        seed: 1000 + i,
        nonNegative: i % 2 === 0,
        inputScale: 1,
      });
      i++;
    }
  const deep: [number[], number[]][] = [
    [
      [13, 17, 9, 5],
      [ACT.relu, ACT.tanh, ACT.softmax],
    ],
    [
      [8, 20, 16, 3],
      [ACT.sigmoid, ACT.relu, ACT.linear],
    ],
    [
      [33, 9, 12, 4],
      [ACT['leaky-relu'], ACT.sigmoid, ACT.sigmoid],
    ],
    [
      [5, 31, 7, 2],
      [ACT.tanh, ACT.relu, ACT.softmax],
    ],
    [
      [64, 40, 24, 10],
      [ACT.relu, ACT.relu, ACT.softmax],
    ],
    [
      [17, 16, 17, 16, 1],
      [ACT.linear, ACT.relu, ACT['leaky-relu'], ACT.tanh],
    ],
  ];
  for (const [sizes, acts] of deep)
    for (const rows of [1, 3, 4, 6, 41, 68]) {
      cases.push({
        name: `${sizes.join('-')} rows ${rows}`,
        sizes,
        layers: acts.map((a, l) => layer(a, l + rows)),
        rows,
        seed: 2000 + i,
        nonNegative: rows % 2 === 0,
        inputScale: 1,
      });
      i++;
    }
  // calibrated ranges (inputs beyond them clamp to ±127) on the first and a hidden layer
  cases.push({
    name: 'calibrated ranges',
    sizes: [11, 13, 6],
    layers: [
      { ...layer(ACT.relu, 0), range: 0.5 },
      { ...layer(ACT.softmax, 1), range: 0.75 },
    ],
    rows: 9,
    seed: 3001,
    nonNegative: false,
    inputScale: 1,
  });
  // large inputs: sigmoid and tanh at their ends, softmax of large differences
  for (const scale of [1e4, 1e30])
    cases.push({
      name: `inputs ×${scale}`,
      sizes: [6, 9, 8, 5],
      layers: [layer(ACT.sigmoid, 1), layer(ACT.tanh, 0), layer(ACT.softmax, 0)],
      rows: 7,
      seed: 3002,
      nonNegative: false,
      inputScale: scale,
    });
  return cases;
}

/** A case's float32 weights (k×n each, some columns zero), biases and input rows. */
export function caseData(c: QuantCase): { weights: Float32Array[]; biases: Float32Array[]; x: Float32Array } {
  const random = rng(c.seed);
  const weights: Float32Array[] = [],
    biases: Float32Array[] = [];
  for (let l = 0; l + 1 < c.sizes.length; l++) {
    const k = c.sizes[l]!,
      n = c.sizes[l + 1]!;
    const w = new Float32Array(k * n);
    for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * (0.25 + l);
    if (n > 2) for (let i = 0; i < k; i++) w[i * n + (l % n)] = 0; // a zero column
    weights.push(w);
    biases.push(Float32Array.from({ length: n }, () => (random() * 2 - 1) * 0.5));
  }
  const k0 = c.sizes[0]!;
  const x = new Float32Array(c.rows * k0);
  for (let i = 0; i < x.length; i++) x[i] = (c.nonNegative ? random() : random() * 2 - 1) * c.inputScale;
  if (c.rows > 2) x.fill(0, k0, 2 * k0); // a zero row
  return { weights, biases, x };
}

/**
 * Takes a case through a bench's kernels: quantizes and packs each layer, then runs the forward
 * (`narrow`: whether the records let the relaxed build take its int8 dot product; `threads`: what
 * quantForward is asked for, with as many scratches).
 */
export function runCase(b: QuantBench, c: QuantCase, narrow = true, threads = 1): QuantResult {
  const { heap, k } = b;
  const { weights, biases, x } = caseData(c);
  const L = c.layers.length;
  const taken: number[] = [];
  const alloc = (bytes: number): number => {
    const p = heap.alloc(bytes);
    taken.push(p);
    return p;
  };
  const records = alloc(L * QUANT_LAYER_BYTES);
  const blocks: number[] = [];
  for (let l = 0; l < L; l++) {
    const kk = c.sizes[l]!,
      n = c.sizes[l + 1]!,
      spec = c.layers[l]!;
    if (firstNonFiniteColumn(weights[l]!, kk, n) !== -1) throw new Error(`${c.name}: layer ${l} refused`);
    const { q, scales } = quantizeWeights(weights[l]!, kk, n);
    const block = packLayer(q, scales, spec.bias ? biases[l]! : null, kk, n);
    const packed = alloc(block.length);
    heap.u8.set(block, packed);
    blocks.push(packed, block.length);
    const r = quantLayerView(heap, records, l);
    r.fanIn = kk;
    r.fanOut = n;
    r.act = spec.act;
    r.p0 = spec.p0;
    r.p1 = spec.p1;
    r.packed = packed;
    r.range = spec.range;
    r.narrow = narrow ? 1 : 0;
  }
  const nL = c.sizes[L]!;
  const xp = alloc(x.length * 4),
    y = alloc(c.rows * nL * 4),
    scratch = alloc(k.quantScratchBytes(Math.max(...c.sizes)) * threads);
  heap.f32.set(x, xp >>> 2);
  k.quantForward(records, L, xp, c.rows, y, scratch, threads);
  const outputs = heap.f32.slice(y >>> 2, (y >>> 2) + c.rows * nL);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < blocks.length; i += 2) parts.push(heap.u8.slice(blocks[i]!, blocks[i]! + blocks[i + 1]!));
  const packed = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    packed.set(p, at);
    at += p.length;
  }
  for (const p of taken) heap.release(p);
  return { packed, outputs };
}
