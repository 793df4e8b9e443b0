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

/**
 * Rows to hold out of n: a seeded shuffle, then the last `fraction` of it (rounded). With class
 * labels the split is stratified: each class gives its share of the held-out rows (largest
 * remainders get the rounding), so a small class is not left out of either side by chance.
 */
export function holdOut(
  n: number,
  fraction: number,
  seed: number,
  labels: ArrayLike<number> | null,
): { train: Int32Array; held: Int32Array } {
  const order = permutation(n, seed);
  const total = Math.round(n * fraction);
  if (!labels) return { train: order.slice(0, n - total), held: order.slice(n - total) };
  const groups = new Map<number, number[]>();
  for (const r of order) {
    const c = labels[r]!;
    const group = groups.get(c);
    if (group) group.push(r);
    else groups.set(c, [r]);
  }
  const shares = [...groups.values()].map((rows) => {
    const exact = rows.length * fraction;
    return { rows, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = total - shares.reduce((s, g) => s + g.count, 0);
  for (const g of [...shares].sort((a, b) => b.remainder - a.remainder)) {
    if (left <= 0) break;
    if (g.count < g.rows.length) {
      g.count++;
      left--;
    }
  }
  const held = new Set(shares.flatMap((g) => g.rows.slice(g.rows.length - g.count)));
  return { train: order.filter((r) => !held.has(r)), held: order.filter((r) => held.has(r)) };
}
