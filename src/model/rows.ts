// Data in the shapes other libraries use: brain.js's samples ({ input, output } per row) and rows
// with named inputs ({ age: 41, income: 52000 }), whose keys are the feature names. Both become
// the plain rows and targets that data.ts reads.
import { FloatArray } from '../float.js';
import { isPlainObject, rangeError, typeError } from '../check.js';
import type { Matrix } from './data.js';
import type { Rows, Targets } from '../vocabulary.js';

/** What the error for a row of another shape shows. */
export const ACCEPTED_ROWS =
  'rows of numbers (number[][], Float32Array[]), one flat row-major array, rows with named numeric inputs ' +
  "({ [feature]: number }), or for training and evaluation brain.js's samples ({ input, output }[])";

/** Whether `value` is an array of brain.js samples (its first element an object with an `input`). */
export function isSamples(value: unknown): value is readonly Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && isPlainObject(value[0]) && 'input' in value[0];
}

/** brain.js's samples as inputs and targets: every output a row, or every output a label (or value). */
export function samplesToData(samples: readonly unknown[], field: string): { inputs: Rows; targets: Targets } {
  if (samples.length === 0) throw rangeError(field, 'at least one sample { input, output }', samples);
  const inputs: unknown[] = [],
    targets: unknown[] = [];
  let rows: boolean | null = null;
  samples.forEach((s, i) => {
    if (!isPlainObject(s) || !('input' in s) || !('output' in s) || Object.keys(s).length !== 2)
      throw typeError(`${field}[${i}]`, `a sample { input, output } like the others (accepted: ${ACCEPTED_ROWS})`, s);
    const isRow = typeof s.output !== 'string' && typeof s.output !== 'number';
    if (rows !== null && isRow !== rows)
      throw typeError(
        `${field}[${i}].output`,
        rows ? 'a row, like the first output' : 'a label, like the first output',
        s.output,
      );
    rows = isRow;
    inputs.push(s.input);
    targets.push(s.output);
  });
  return { inputs: inputs as Rows, targets: targets as Targets };
}

/** Whether `value` is an array of named rows (its first element a plain object). */
export function isNamedRows(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && value.length > 0 && isPlainObject(value[0]);
}

/**
 * Named rows as a matrix, read by the model's feature names, or (when it has none yet and `learn`
 * is set) by the first row's keys, which become the names. Every row must give exactly those.
 */
export function namedRows(
  value: readonly unknown[],
  features: readonly string[] | undefined,
  cols: number,
  field: string,
  learn: boolean,
): { matrix: Matrix; features: string[] } {
  let names = features?.slice();
  if (!names) {
    if (!learn)
      throw new TypeError(
        `${field}: rows with named inputs need the network's feature names, and it has none (it learned from rows of numbers); give rows of ${cols} numbers`,
      );
    names = Object.keys(value[0] as object);
    if (names.length !== cols)
      throw rangeError(
        `${field}[0]`,
        `${cols} named inputs (the input layer)`,
        `${names.length} (${names.join(', ')})`,
      );
  }
  const data = new FloatArray(value.length * cols);
  const at = new Map(names.map((n, i) => [n, i]));
  value.forEach((row, r) => {
    if (!isPlainObject(row))
      throw typeError(`${field}[${r}]`, `a row with named inputs like the first (accepted: ${ACCEPTED_ROWS})`, row);
    const keys = Object.keys(row);
    for (const key of keys)
      if (!at.has(key))
        throw new RangeError(
          `${field}[${r}] has an unknown input "${key}"; the network's inputs are ${names.join(', ')}`,
        );
    if (keys.length !== cols) {
      const missing = names.find((n) => !(n in row));
      throw new RangeError(`${field}[${r}] has no input "${missing}"; the network's inputs are ${names.join(', ')}`);
    }
    for (const [name, c] of at) {
      const v = row[name];
      if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 3.4028234663852886e38)
        throw (typeof v === 'number' ? rangeError : typeError)(
          `${field}[${r}].${name}`,
          typeof v === 'number' ? 'a finite float32 number' : `a number (accepted: ${ACCEPTED_ROWS})`,
          v,
        );
      data[r * cols + c] = v;
    }
  });
  return { matrix: { data, rows: value.length, cols, form: 'rows' }, features: names };
}
