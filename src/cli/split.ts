// Seeded row orders for splitting data sets, independent of the library's generator so that a
// documented split stays the same whatever the library changes: mulberry32 and Fisher–Yates.

/** mulberry32: a small 32-bit generator; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0..n-1 shuffled by Fisher–Yates from the last position down, drawing from mulberry32(seed). */
export function permutation(n: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i]!; order[i] = order[j]!; order[j] = tmp;
  }
  return order;
}

/** The rows of a row-major matrix in the given order. */
export function takeRows(data: Float32Array, cols: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i]! * cols, (rows[i]! + 1) * cols), i * cols);
  return out;
}
