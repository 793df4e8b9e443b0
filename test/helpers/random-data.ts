// Seeded test data: inputs, targets and weight sets drawn from mulberry32, which simdnet uses only
// for the CLI's split, so the data is independent of the generator that initialises and shuffles;
// and flat rows as arrays of rows, the other shape the public API takes.
import { mulberry32 } from '../../src/model/random.js';
import type { Weights } from '../../src/index.js';

/** A seeded generator of uniform numbers in [0, 1). */
export const rng = mulberry32;

/** n float32 values uniform in [lo, hi), from `random`. */
export function randomF32(n: number, random: () => number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}

/** `count` rows of `cols` values uniform in [lo, hi), flat, from a fresh generator of `seed`. */
export const randomRows = (count: number, cols: number, seed: number, lo = -1, hi = 1): Float32Array =>
  randomF32(count * cols, rng(seed), lo, hi);

/** Float32 weights uniform in ±scale and biases in ±scale/4, every layer. */
export function randomWeights(layers: number[], seed: number, scale = 0.8): Weights {
  const random = rng(seed);
  const weights: Float32Array[] = [],
    biases: Float32Array[] = [];
  for (let l = 0; l < layers.length - 1; l++) {
    weights.push(randomF32(layers[l]! * layers[l + 1]!, random, -scale, scale));
    biases.push(randomF32(layers[l + 1]!, random, -scale / 4, scale / 4));
  }
  return { weights, biases };
}

/** A learnable classification task: the class is a band of tanh of a fixed projection, one-hot targets. */
export function classTask(rows: number, nin: number, nout: number, seed: number): { x: Float32Array; t: Float32Array } {
  const random = rng(seed);
  const x = randomF32(rows * nin, random);
  const t = new Float32Array(rows * nout);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < nin; i++) s += x[r * nin + i]! * (i + 1) * (i % 2 ? 1 : -1);
    t[r * nout + Math.min(nout - 1, Math.floor(((Math.tanh(s) + 1) / 2) * nout))] = 1;
  }
  return { x, t };
}

/** Flat rows as an array of rows (number[][]): the other shape the public API takes. */
export const asRows = (flat: ArrayLike<number>, cols: number): number[][] =>
  Array.from({ length: flat.length / cols }, (_, r) => Array.from({ length: cols }, (_, c) => flat[r * cols + c]!));
