/**
 * Deterministic synthetic data for the simdnet benchmarks.
 *
 * Everything here is driven by a small seeded PRNG (mulberry32) so every
 * engine in a run, and every run on every machine, sees bit-identical data.
 */

import { mulberry32 } from '../src/model/random.js';
import { articleData } from '../src/model/data.js';

export { mulberry32 };

/** A flat, row-major data set: `x` is rows*inputs, `t` is rows*outputs. */
export interface Dataset {
  x: Float32Array;
  t: Float32Array;
  rows: number;
  inputs: number;
  outputs: number;
}

/**
 * Classification data: inputs uniform in [0,1], one-hot targets.
 * The class of a row is the argmax of a fixed random linear projection of
 * its inputs, so the task is learnable (not pure noise) yet cheap to make.
 */
export function makeClassification(rows: number, inputs: number, classes: number, seed: number): Dataset {
  const rnd = mulberry32(seed);
  const proj = new Float32Array(classes * inputs);
  for (let i = 0; i < proj.length; i++) proj[i] = rnd() * 2 - 1;
  const x = new Float32Array(rows * inputs);
  const t = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const off = r * inputs;
    for (let i = 0; i < inputs; i++) x[off + i] = rnd();
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      const po = c * inputs;
      for (let i = 0; i < inputs; i++) s += proj[po + i] * (x[off + i] - 0.5);
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    t[r * classes + best] = 1;
  }
  return { x, t, rows, inputs, outputs: classes };
}

/**
 * The tiny 3-4-3 problem: three random bits in, three bits out.
 * Targets are simple boolean functions of the inputs:
 *   out0 = a XOR b, out1 = b AND c, out2 = a OR c.
 */
export function makeBinary3(rows: number, seed: number): Dataset {
  const rnd = mulberry32(seed);
  const x = new Float32Array(rows * 3);
  const t = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    const a = rnd() < 0.5 ? 1 : 0;
    const b = rnd() < 0.5 ? 1 : 0;
    const c = rnd() < 0.5 ? 1 : 0;
    x[r * 3] = a;
    x[r * 3 + 1] = b;
    x[r * 3 + 2] = c;
    t[r * 3] = a ^ b;
    t[r * 3 + 1] = b & c;
    t[r * 3 + 2] = a | c;
  }
  return { x, t, rows, inputs: 3, outputs: 3 };
}

/** The article's data: random bits in and out (its create_data), seeded. */
export function makeArticle(rows: number, seed: number): Dataset {
  const d = articleData({ rows, inputs: 3, outputs: 3, seed });
  return { x: d.inputs, t: d.targets, rows, inputs: 3, outputs: 3 };
}

/** XOR of two random bits. */
export function makeXor(rows: number, seed: number): Dataset {
  const rnd = mulberry32(seed);
  const x = new Float32Array(rows * 2);
  const t = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rnd() < 0.5 ? 1 : 0;
    const b = rnd() < 0.5 ? 1 : 0;
    x[r * 2] = a;
    x[r * 2 + 1] = b;
    t[r] = a ^ b;
  }
  return { x, t, rows, inputs: 2, outputs: 1 };
}

/**
 * Initial weights (fanIn × fanOut row-major) for engines that start from the same point:
 * 'normal' is the article's randn (Box–Muller), 'uniform' Glorot's ±√(6/(fanIn+fanOut));
 * biases (when wanted) uniform in ±0.1.
 */
export function initialWeights(
  layers: number[],
  seed: number,
  dist: 'normal' | 'uniform',
  bias: boolean,
): { weights: Float32Array[]; biases: (Float32Array | null)[] } {
  const rnd = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const weights: Float32Array[] = [];
  const biases: (Float32Array | null)[] = [];
  for (let l = 0; l < layers.length - 1; l++) {
    const limit = Math.sqrt(6 / (layers[l] + layers[l + 1]));
    weights.push(
      Float32Array.from({ length: layers[l] * layers[l + 1] }, () =>
        dist === 'normal' ? normal() : (rnd() * 2 - 1) * limit,
      ),
    );
    biases.push(bias ? Float32Array.from({ length: layers[l + 1] }, () => (rnd() * 2 - 1) * 0.1) : null);
  }
  return { weights, biases };
}

/** Random matrix with entries uniform in [-1, 1). */
export function randomMatrix(len: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const m = new Float32Array(len);
  for (let i = 0; i < len; i++) m[i] = rnd() * 2 - 1;
  return m;
}

/** The standard layer shapes used by the benchmark workloads. */
export const SHAPES = {
  mnistLike: [784, 128, 10],
  deep: [1024, 1024, 1024, 10],
  tiny: [3, 4, 3],
} as const;
