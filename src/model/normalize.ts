// Input normalisers kept with the model: x' = (x − offset) · scale per input column, fitted on the
// first training data (min-max to [0, 1], or z-score to mean 0 and standard deviation 1). And the
// regression targets' standardizer: the network learns t' = (t − mean) / scale and answers
// y · scale + mean, so that predictions come back in the user's units.
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

/** The regression targets' standardizer: per output, the mean and the scale (standard deviation). */
export interface TargetStandardizer {
  mean: Float64Array;
  scale: Float64Array;
}

export interface TargetStandardizerJSON {
  mean: number[];
  scale: number[];
}

/** Per-column mean and standard deviation of t; a constant column keeps scale 1 (its values are only shifted). */
export function fitTargetStandardizer(t: Matrix): TargetStandardizer {
  const z = fitNormalizer('zscore', t);
  return { mean: z.offset, scale: z.scale.map((s) => (s > 0 ? 1 / s : 1)) };
}

/** (t − mean) / scale: what the network learns, as a new matrix. */
export function standardizeTargets(s: TargetStandardizer, t: Matrix): Matrix {
  return normalize({ kind: 'zscore', offset: s.mean, scale: s.scale.map((v) => 1 / v) }, t);
}

/** Turns the network's outputs (rows of `cols`) into the user's units in place: y · scale + mean. */
export function unstandardize(s: TargetStandardizer, out: FloatArray): void {
  const cols = s.mean.length;
  for (let i = 0, c = 0; i < out.length; i++, c = c + 1 === cols ? 0 : c + 1)
    out[i] = out[i]! * s.scale[c]! + s.mean[c]!;
}

export function targetStandardizerFromJSON(value: unknown, cols: number, field: string): TargetStandardizer {
  if (!isPlainObject(value)) throw typeError(field, '{ mean, scale }', value);
  checkKeys(field, value, ['mean', 'scale']);
  const read = (name: 'mean' | 'scale'): Float64Array => {
    const v = value[name];
    if (!Array.isArray(v) || v.length !== cols) throw rangeError(`${field}.${name}`, `an array of ${cols} numbers`, v);
    return Float64Array.from(v, (n: unknown, i) => {
      if (typeof n !== 'number' || !Number.isFinite(n) || (name === 'scale' && !(n > 0)))
        throw rangeError(`${field}.${name}[${i}]`, name === 'scale' ? 'a finite number > 0' : 'a finite number', n);
      return n;
    });
  };
  return { mean: read('mean'), scale: read('scale') };
}

export function targetStandardizerToJSON(s: TargetStandardizer): TargetStandardizerJSON {
  return { mean: Array.from(s.mean), scale: Array.from(s.scale) };
}
