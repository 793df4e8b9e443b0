// Inputs on their way into engine memory for a forward pass. Inputs of several rows are written
// from the caller's arrays (one Float32Array, or an array of rows) into the network's input stage,
// chunk by chunk, with no matrix in between, and their finiteness is checked there by the kernels'
// scan (startForward), which this module turns into the error toMatrix gives for the same value;
// on several threads the scan and the pass are shared by bands of rows. A single row is checked by
// toMatrix in TypeScript, which costs less than a chunk's bookkeeping for it.
import type { FloatArray } from '../float.js';
import { inputRow, inputShape, valueError, type Matrix } from '../model/data.js';

/** Rows of inputs that a forward pass reads chunk by chunk. */
export interface RowSource {
  readonly rows: number;
  readonly cols: number;
  readonly form: 'flat' | 'rows';
  /** Writes rows [start, start+count) into f32 from index `at`; a value that is no number throws there. */
  write(f32: FloatArray, at: number, start: number, count: number): void;
  /** The error for the value at row-major index `index`, which the scan found not finite. */
  error(index: number): Error;
}

/**
 * Inputs of at least this many rows go through the scan; a single row is checked in TypeScript and
 * computed by the one-row path (outputRow), which costs less for it. Chosen by measurement
 * (bench/RESULTS.md): from two rows on, writing and scanning cost less than the check and the copy.
 */
let scanFrom = 2;

/** The threshold in effect (rows); tests set 0 or Infinity to run every input through one path. */
export function scanThreshold(rows?: number): number {
  if (rows !== undefined) scanFrom = rows;
  return scanFrom;
}

/** The rows of a Matrix that TypeScript has checked (their scan finds nothing). */
export function matrixRows(x: Matrix): RowSource {
  return {
    rows: x.rows,
    cols: x.cols,
    form: x.form,
    write: (f32, at, start, count) => f32.set(x.data.subarray(start * x.cols, (start + count) * x.cols), at),
    error: (index) => new Error(`simdnet: a checked input holds a non-finite value at ${index}`),
  };
}

/**
 * The caller's inputs as a RowSource whose values the scan checks, or null where TypeScript should
 * check them (fewer rows than the threshold). Shapes are checked here, before any value is read.
 */
export function scannedRows(value: unknown, cols: number, field: string): RowSource | null {
  if (!value || typeof (value as ArrayLike<unknown>).length !== 'number') return null;
  const list = value as ArrayLike<unknown>,
    flat = ArrayBuffer.isView(value) || typeof list[0] === 'number';
  if ((flat ? list.length / cols : list.length) < scanFrom) return null;
  const shape = inputShape(value, cols, field);
  /** Refuses the value at row-major index `index`, which is no number; a non-finite value written before it in the chunk (from f32 index `at`, `written` values) comes first. */
  const refuse = (f32: FloatArray, at: number, written: number, index: number): never => {
    for (let i = 0; i < written; i++) {
      const v = f32[at + i]!;
      if (v - v !== 0) throw valueError(value, shape, cols, field, index - written + i);
    }
    throw valueError(value, shape, cols, field, index);
  };
  const write: RowSource['write'] = flat
    ? ArrayBuffer.isView(value)
      ? (f32, at, start, count) => f32.set((value as FloatArray).subarray(start * cols, (start + count) * cols), at)
      : (f32, at, start, count) => {
          const from = start * cols,
            length = count * cols;
          for (let i = 0; i < length; i++) {
            const v = list[from + i];
            if (typeof v !== 'number') refuse(f32, at, i, from + i);
            f32[at + i] = v as number;
          }
        }
    : (f32, at, start, count) => {
        for (let r = 0; r < count; r++) {
          const row = inputRow(list, start + r, cols, field),
            to = at + r * cols;
          if (ArrayBuffer.isView(row)) {
            f32.set(row as FloatArray, to);
            continue;
          }
          for (let c = 0; c < cols; c++) {
            const v = row[c];
            if (typeof v !== 'number') refuse(f32, at, r * cols + c, (start + r) * cols + c);
            f32[to + c] = v as number;
          }
        }
      };
  return {
    rows: shape.rows,
    cols,
    form: shape.form,
    write,
    error: (index) => valueError(value, shape, cols, field, index),
  };
}
