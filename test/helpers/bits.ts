// Bit-for-bit equality of arrays and of weight sets (NaN equals NaN, −0 differs from 0): what
// "the same training" means between engines' runs, reloaded copies and twins.
import { expect } from 'vitest';
import type { Weights } from '../../src/index.js';

/** True when two arrays hold the same values bit for bit (Object.is, element by element). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** True when two weight sets are bit-identical, biases (or their absence) included. */
export const sameWeights = (a: Weights, b: Weights): boolean =>
  a.weights.length === b.weights.length &&
  a.weights.every(
    (w, l) =>
      sameBits(w, b.weights[l]!) &&
      sameBits(a.biases[l] ?? [], b.biases[l] ?? []) &&
      (a.biases[l] == null) === (b.biases[l] == null),
  );

/** Every weight and bias as raw float32 bits, in one array. */
export function weightBits(w: Weights): Uint32Array {
  const parts: Float32Array[] = [];
  for (let l = 0; l < w.weights.length; l++) {
    parts.push(Float32Array.from(w.weights[l]!));
    if (w.biases[l]) parts.push(Float32Array.from(w.biases[l]!));
  }
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint32Array(all.buffer);
}

/** Two weight sets are bit-identical; a failure names the first parameter that differs. */
export function expectSameWeights(a: Weights, b: Weights, what: string): void {
  const x = weightBits(a),
    y = weightBits(b);
  expect(y.length, `${what}: parameter count`).toBe(x.length);
  let diff = -1;
  for (let i = 0; i < x.length; i++)
    if (x[i] !== y[i]) {
      diff = i;
      break;
    }
  expect(diff, `${what}: first differing parameter`).toBe(-1);
}
