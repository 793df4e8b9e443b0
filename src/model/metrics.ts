// Classification metrics over predicted rows and target rows (one-hot, or one 0/1 column), and the
// regression metrics of net.evaluate.
import { toMatrix } from './data.js';
import { rangeError } from '../check.js';

/** The class of the row at a[at .. at+cols): the first index of the largest value, or value ≥ 0.5 for one column. */
export function classOf(a: Float32Array, at: number, cols: number): number {
  if (cols === 1) return a[at]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < cols; c++) if (a[at + c]! > a[at + best]!) best = c;
  return best;
}

/** The class of each row (classOf). */
export function classes(rows: unknown, cols: number, field: string): Int32Array {
  const m = toMatrix(rows, cols, field);
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = classOf(m.data, r * cols, cols);
  return out;
}

function pair(outputs: unknown, targets: unknown, cols: number): [Int32Array, Int32Array] {
  const p = classes(outputs, cols, 'outputs'),
    t = classes(targets, cols, 'targets');
  if (p.length !== t.length) throw rangeError('targets', `${p.length} rows, one per output row`, `${t.length} rows`);
  return [p, t];
}

/** Fraction of rows whose predicted class equals the target's class. */
export function accuracy(outputs: unknown, targets: unknown, cols: number): number {
  const [p, t] = pair(outputs, targets, cols);
  let hits = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hits++;
  return hits / p.length;
}

/** counts[actual][predicted] over all rows; classes = max(cols, 2). */
export function confusionMatrix(outputs: unknown, targets: unknown, cols: number): number[][] {
  const [p, t] = pair(outputs, targets, cols);
  const n = Math.max(cols, 2);
  const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < p.length; i++) counts[t[i]!]![p[i]!]!++;
  return counts;
}

/**
 * Regression metrics of predictions y against targets t (rows of `cols`, the same units): the root
 * mean squared and mean absolute error over every value, and R² per output averaged over the
 * outputs (scikit-learn's r2_score; an output whose targets are constant scores 1 when predicted
 * exactly, else 0). Sums in float64.
 */
export function regressionMetrics(
  y: ArrayLike<number>,
  t: ArrayLike<number>,
  cols: number,
): { rmse: number; mae: number; r2: number } {
  const n = t.length,
    rows = n / cols;
  let squared = 0,
    absolute = 0,
    r2 = 0;
  for (let c = 0; c < cols; c++) {
    let mean = 0;
    for (let i = c; i < n; i += cols) mean += t[i]!;
    mean /= rows;
    let residual = 0,
      total = 0;
    for (let i = c; i < n; i += cols) {
      const e = y[i]! - t[i]!,
        d = t[i]! - mean;
      residual += e * e;
      total += d * d;
      absolute += Math.abs(e);
    }
    squared += residual;
    r2 += total > 0 ? 1 - residual / total : residual === 0 ? 1 : 0;
  }
  return { rmse: Math.sqrt(squared / n), mae: absolute / n, r2: r2 / cols };
}
