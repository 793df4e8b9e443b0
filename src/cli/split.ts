// Seeded row orders for splitting data sets, independent of the library's generator so that a
// documented split stays the same whatever the library changes: mulberry32 and Fisher–Yates.

import { mulberry32 } from '../model/random.js';

export { mulberry32 };

/** 0..n-1 shuffled by Fisher–Yates from the last position down, drawing from mulberry32(seed). */
export function permutation(n: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

/** The rows of a row-major matrix in the given order. */
export function takeRows(data: Float32Array, cols: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i]! * cols, (rows[i]! + 1) * cols), i * cols);
  return out;
}
