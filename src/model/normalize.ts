// Input normalisers kept with the model: x' = (x − offset) · scale per input column, fitted on the
// first training data (min-max to [0, 1], or z-score to mean 0 and standard deviation 1).
import { FloatArray } from '../float.js';
import type { Matrix } from './data.js';
import { isPlainObject, checkKeys, rangeError, typeError } from '../check.js';
import type { NormalizeKind } from '../vocabulary.js';

/** What a fitted normaliser does ('none' fits nothing). */
type FittedKind = Exclude<NormalizeKind, 'none'>;

/** A fitted normaliser: plain data, so that a model is a value every format can hold. */
export interface Normalizer {
  kind: FittedKind;
  offset: Float64Array;
  scale: Float64Array;
}

export interface NormalizerJSON {
  kind: FittedKind;
  offset: number[];
  scale: number[];
}

/** Per-column statistics of x; a constant column maps to 0. */
export function fitNormalizer(kind: FittedKind, x: Matrix): Normalizer {
  const { data, rows, cols } = x;
  const offset = new Float64Array(cols),
    scale = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    if (kind === 'minmax') {
      let min = Infinity,
        max = -Infinity;
      for (let r = 0; r < rows; r++) {
        const v = data[r * cols + c]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      offset[c] = min;
      scale[c] = max > min ? 1 / (max - min) : 0;
    } else {
      let mean = 0;
      for (let r = 0; r < rows; r++) mean += data[r * cols + c]!;
      mean /= rows;
      let variance = 0;
      for (let r = 0; r < rows; r++) {
        const d = data[r * cols + c]! - mean;
        variance += d * d;
      }
      const std = Math.sqrt(variance / rows);
      offset[c] = mean;
      scale[c] = std > 0 ? 1 / std : 0;
    }
  }
  return { kind, offset, scale };
}

export function normalizerFromJSON(value: unknown, cols: number, field: string): Normalizer {
  if (!isPlainObject(value)) throw typeError(field, "{ kind: 'minmax' | 'zscore', offset, scale }", value);
  checkKeys(field, value, ['kind', 'offset', 'scale']);
  if (value.kind !== 'minmax' && value.kind !== 'zscore')
    throw rangeError(`${field}.kind`, "'minmax' or 'zscore'", value.kind);
  const read = (name: 'offset' | 'scale'): Float64Array => {
    const v = value[name];
    if (!Array.isArray(v) || v.length !== cols) throw rangeError(`${field}.${name}`, `an array of ${cols} numbers`, v);
    return Float64Array.from(v, (n: unknown, i) => {
      if (typeof n !== 'number' || !Number.isFinite(n))
        throw rangeError(`${field}.${name}[${i}]`, 'a finite number', n);
      return n;
    });
  };
  return { kind: value.kind, offset: read('offset'), scale: read('scale') };
}

export function normalizerToJSON(n: Normalizer): NormalizerJSON {
  return { kind: n.kind, offset: Array.from(n.offset), scale: Array.from(n.scale) };
}

/** A normalised copy of x (the caller's data is never changed). */
export function normalize(n: Normalizer, x: Matrix): Matrix {
  const { data, cols } = x;
  const out = new FloatArray(data.length);
  for (let i = 0, c = 0; i < data.length; i++, c = c + 1 === cols ? 0 : c + 1) {
    out[i] = (data[i]! - n.offset[c]!) * n.scale[c]!;
    // a loaded normaliser can map finite inputs outside float32; never hand the kernels an infinity
    if (!Number.isFinite(out[i]!)) {
      throw new RangeError(
        `input row ${Math.floor(i / cols)}, column ${c}: ${data[i]} normalises to ${out[i]} (outside float32); the model's normaliser does not fit this input`,
      );
    }
  }
  return { ...x, data: out };
}
