// Inputs and targets as the public API accepts them (an array of rows, or one flat row-major
// array), checked and turned into one Float32Array. Also the article's random data set.
import { FloatArray } from '../float.js';
import { rangeError, typeError } from '../check.js';
import { Random } from './random.js';

export interface Matrix {
  data: FloatArray;
  rows: number;
  cols: number;
  /** 'flat' when given as one flat array (answered in kind), 'rows' for an array of rows */
  form: 'flat' | 'rows';
}

type Row = ArrayLike<number>;

function isNumericRow(value: unknown): value is Row {
  return (
    value instanceof Float32Array ||
    value instanceof Float64Array ||
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) &&
      !(value instanceof DataView) &&
      !(value instanceof BigInt64Array) &&
      !(value instanceof BigUint64Array))
  );
}

/** The largest float32; a larger finite double would reach the kernels as an infinity. */
const FLOAT_MAX = 3.4028234663852886e38;
const inRange = (v: unknown): v is number => typeof v === 'number' && v >= -FLOAT_MAX && v <= FLOAT_MAX;

function nonFinite(field: string, value: unknown): RangeError | TypeError {
  return typeof value === 'number'
    ? rangeError(field, `a finite number (|x| ≤ ${FLOAT_MAX}, float32)`, value)
    : typeError(field, 'a number', value);
}

/**
 * Index of the first NaN or ±Infinity, or −1. v·0 is 0 for a finite v and NaN otherwise, so two
 * branch-free sums answer for the whole array and only a bad array is searched (inputs can be
 * megabytes, and this measured faster than testing each value). Two sums, not four: V8 in Node 22
 * and 24 ran the four-sum loop much slower for its first few hundred calls (bench/RESULTS.md).
 */
function firstNonFinite(a: FloatArray): number {
  let s0 = 0,
    s1 = 0,
    i = 0;
  const n2 = a.length & ~1;
  for (; i < n2; i += 2) {
    s0 += a[i]! * 0;
    s1 += a[i + 1]! * 0;
  }
  if (i < a.length) s0 += a[i]! * 0;
  if (s0 + s1 === 0) return -1;
  for (i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Where a value of inputs sits: its row and column, and whether the inputs are one flat array. */
export interface InputShape {
  rows: number;
  form: 'flat' | 'rows';
}

/**
 * The shape of `value` as rows of `cols` numbers, checked before any value is read: a flat array
 * (typed or number[]) is row-major and its length must be a positive multiple of cols; an array of
 * rows needs every row of length cols.
 */
export function inputShape(value: unknown, cols: number, field: string): InputShape {
  if (!isNumericRow(value))
    throw typeError(field, `an array of rows or a flat Float32Array of ${cols}-value rows`, value);
  const length = value.length;
  if (length === 0) throw rangeError(field, 'at least one row', value);
  const first = (value as ArrayLike<unknown>)[0];
  if (ArrayBuffer.isView(value) || typeof first === 'number') {
    if (length % cols !== 0) throw rangeError(`${field}.length`, `a multiple of ${cols} (the layer size)`, length);
    return { rows: length / cols, form: 'flat' };
  }
  for (let r = 0; r < length; r++) inputRow(value as ArrayLike<unknown>, r, cols, field);
  return { rows: length, form: 'rows' };
}

/** Row r of an array of rows, checked to be a row of cols numbers. */
export function inputRow(value: ArrayLike<unknown>, r: number, cols: number, field: string): Row {
  const row = value[r];
  if (!isNumericRow(row)) throw typeError(`${field}[${r}]`, `a row of ${cols} numbers`, row);
  if (row.length !== cols) throw rangeError(`${field}[${r}].length`, `${cols} (the layer size)`, row.length);
  return row;
}

/**
 * The error for the value at row-major index `index` of inputs of that shape, which is not a finite
 * float32 (every path that reads inputs refuses a bad value with this one message).
 */
export function valueError(value: unknown, shape: InputShape, cols: number, field: string, index: number): Error {
  const r = Math.floor(index / cols),
    c = index % cols;
  const v = shape.form === 'flat' ? (value as Row)[index] : ((value as ArrayLike<Row>)[r] as Row)[c];
  return nonFinite(valueField(shape, cols, field, index), v);
}

/** How an error names the value at row-major index `index`. */
function valueField(shape: InputShape, cols: number, field: string, index: number): string {
  const r = Math.floor(index / cols),
    c = index % cols;
  return shape.form === 'flat' ? `${field}[${index}] (row ${r}, column ${c})` : `${field}[${r}][${c}]`;
}

/**
 * Reads `value` as rows of `cols` numbers (inputShape). Float32Array input with only finite values
 * is used as it is, without a copy.
 */
export function toMatrix(value: unknown, cols: number, field: string): Matrix {
  const shape = inputShape(value, cols, field);
  const length = shape.rows * cols;
  if (shape.form === 'flat') {
    if (value instanceof FloatArray) {
      // a float32 is in range unless it is ±Infinity or NaN, and then v − v is NaN (a tight loop: inputs can be megabytes)
      const bad = firstNonFinite(value);
      if (bad >= 0) throw valueError(value, shape, cols, field, bad);
      return { data: value, rows: shape.rows, cols, form: 'flat' };
    }
    // each value is read once: what was checked is what is copied (a getter can't change it in between)
    const flat = value as Row,
      data = new FloatArray(length);
    for (let i = 0; i < length; i++) {
      const v = flat[i];
      if (!inRange(v)) throw nonFinite(valueField(shape, cols, field, i), v);
      data[i] = v;
    }
    return { data, rows: shape.rows, cols, form: 'flat' };
  }
  // shapes first (inputShape): rows × cols floats are allocated only once the rows are there (a
  // short hostile array of nulls must not make us allocate gigabytes)
  const data = new FloatArray(length);
  for (let r = 0; r < shape.rows; r++) {
    const row = inputRow(value as ArrayLike<unknown>, r, cols, field);
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (!inRange(v)) throw nonFinite(valueField(shape, cols, field, r * cols + c), v);
      data[r * cols + c] = v;
    }
  }
  return { data, rows: shape.rows, cols, form: 'rows' };
}

/**
 * The article's data (its create_data): rows of random binary inputs and random binary targets,
 * from a seeded generator so that every run sees the same set. Defaults: 1000 rows, 3 inputs,
 * 3 outputs, seed 1.
 */
export function articleData(options: { rows?: number; inputs?: number; outputs?: number; seed?: number } = {}): {
  inputs: FloatArray;
  targets: FloatArray;
} {
  const rows = options.rows ?? 1000,
    inputs = options.inputs ?? 3,
    outputs = options.outputs ?? 3;
  for (const [k, v] of Object.entries({ rows, inputs, outputs })) {
    if (!Number.isInteger(v) || v < 1) throw rangeError(k, 'a positive integer', v);
  }
  const random = new Random(options.seed ?? 1);
  const x = new FloatArray(rows * inputs),
    t = new FloatArray(rows * outputs);
  for (let i = 0; i < x.length; i++) x[i] = random.nextU32() & 1;
  for (let i = 0; i < t.length; i++) t[i] = random.nextU32() & 1;
  return { inputs: x, targets: t };
}
