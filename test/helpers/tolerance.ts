// Comparing float32 results with references under stated tolerances: the float32 error bounds,
// the worst element against a per-element tolerance, largest differences, and row-relative closeness.
import { expect } from 'vitest';
import type { Weights } from '../../src/index.js';
import type { NetRef } from './float64-network.js';

/** 2^-24: the unit roundoff of float32 (half an ulp of 1). */
export const U32 = 2 ** -24;

/** γ_n = n·u / (1 − n·u): the classical bound on the relative error of an n-term float32 sum. */
export const gamma = (n: number): number => (n * U32) / (1 - n * U32);

/** Largest |a_i − b_i| / (tol_i), so a value ≤ 1 means every element is within its tolerance. */
export function worstRatio(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: (i: number) => number,
): { ratio: number; index: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let ratio = 0,
    index = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    const r = Number.isNaN(d) ? Infinity : d / tol(i);
    if (r > ratio) {
      ratio = r;
      index = i;
    }
  }
  return { ratio, index };
}

export function maxAbs(...arrays: ArrayLike<number>[]): number {
  let m = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}

/** Largest |simdnet − reference| over every weight and bias. */
export function weightDiff(w: Weights, net: NetRef): number {
  let m = 0;
  w.weights.forEach((a, l) => {
    m = Math.max(m, maxAbsDiff(a, net.weights[l]!));
    const ab = w.biases[l],
      bb = net.biases[l];
    if (ab && bb) m = Math.max(m, maxAbsDiff(ab, bb));
  });
  return m;
}

/** Largest |w| over every weight and bias of a reference network. */
export const weightScale = (net: NetRef): number => maxAbs(...net.weights, ...net.biases.filter((b) => b !== null));

/**
 * |a − b| ≤ rel · max(|a|, |b|, m) for every value, m being the largest |value| of its output row:
 * relative per value, and relative to the row where a linear output sums to nearly 0 and float32
 * cancellation leaves only the row's scale to compare with. Returns the worst ratio seen.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  what: string,
  width: number,
): number {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let r = 0; r < expected.length; r += width) {
    let m = 0;
    for (let j = r; j < r + width; j++) m = Math.max(m, Math.abs(expected[j]!));
    for (let i = r; i < r + width; i++) {
      const a = actual[i]!,
        b = expected[i]!;
      const err = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), m, Number.MIN_VALUE);
      if (!(err <= rel))
        expect.fail(`${what}: value ${i} is ${a}, expected ${b} (error ${err.toExponential(2)} > ${rel} relative)`);
      worst = Math.max(worst, err);
    }
  }
  return worst;
}
