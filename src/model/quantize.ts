// A float model made into a quantized one for inference (docs/quantization.md): int8 weights with
// one scale per output neuron, float biases, and the input normaliser in float32 steps. Optional
// calibration rows fit one static range per layer input. Engine-independent: the runtime packs
// these layers into engine memory (src/runtime/quantized.ts).
import { FloatArray } from '../float.js';
import type { NetworkConfig, ResolvedActivation } from '../vocabulary.js';
import { firstNonFiniteColumn, quantizeWeights } from '../js/quant-pack.js';
import type { Matrix } from './data.js';
import type { Model, ModelMetadata } from './model.js';
import type { Normalizer, TargetStandardizer } from './normalize.js';

export interface QuantizedLayer {
  /** int8 weights, fanIn × fanOut, row-major (as the float weights) */
  weights: Int8Array;
  /** one float32 scale per output neuron: W ≈ weights · scales[j] */
  scales: Float32Array;
  /** float32 biases, or null (the first layer has them whenever the normaliser's offset is folded in) */
  bias: Float32Array | null;
  /** the calibrated range of the layer's input (float32), or 0: each row quantized by its own */
  range: number;
}

export interface QuantizedModel {
  /** what tells a quantized model from a float one (Model) wherever either may come */
  precision: 'int8';
  /** the float model's architecture */
  config: NetworkConfig;
  layers: QuantizedLayer[];
  /**
   * x' = f32(f32(x − offset) · scale) per column, both float32 values, or null; the offset is 0
   * where quantizeModel folded it into the first layer's biases (foldsOffset)
   */
  normalizer: Normalizer | null;
  /** the float model's target standardizer (outputs answer in the targets' units), or null */
  targetStandardizer: TargetStandardizer | null;
  metadata: ModelMetadata;
}

/** Whether a model read from a file or another runtime is a quantized one. */
export const isQuantized = (model: Model | QuantizedModel): model is QuantizedModel => 'precision' in model;

/**
 * The normaliser's offset moves into the first layer's biases when no column's offset is more than
 * FOLD_LIMIT of its normalised units (|offset · scale|): then raw inputs reach the quantizer (pixels,
 * counts and other non-negative data can take the relaxed build's int8 dot product, which needs
 * non-negative inputs), while a row's quantization range grows by at most that much. A feature far
 * from zero against its spread (a year, a temperature in kelvin) keeps its offset: folded, its
 * information would sit below the quantization step.
 */
export const FOLD_LIMIT = 2;

/** Whether quantizeModel folds this normaliser's offset into the first layer's biases. */
export function foldsOffset(n: Normalizer): boolean {
  for (let c = 0; c < n.offset.length; c++) if (!(Math.abs(n.offset[c]! * n.scale[c]!) <= FOLD_LIMIT)) return false;
  return true;
}

/**
 * The quantized model of `model` (a copy: the float model is not changed). `calibration`: raw input
 * rows (before the normaliser) whose largest magnitude at each layer's input, through the float
 * network, becomes that layer's static range; without it every row is quantized by its own range.
 * Throws a RangeError naming the first layer whose weights or biases are not finite.
 */
export function quantizeModel(model: Model, calibration: Matrix | null = null): QuantizedModel {
  const { config, params } = model;
  if (config.normalize !== 'none' && !model.normalizer)
    throw new Error(
      `simdnet: quantize: normalize '${config.normalize}' is fitted by the first train() call; train the network before quantizing it`,
    );
  const L = config.layers.length - 1;
  for (let l = 0; l < L; l++) {
    const k = config.layers[l]!,
      n = config.layers[l + 1]!;
    const column = firstNonFiniteColumn(params.weights[l]!, k, n);
    const b = params.biases[l];
    const biasAt = b ? b.findIndex((v) => !Number.isFinite(v)) : -1;
    if (column >= 0 || biasAt >= 0) {
      const where = column >= 0 ? `weights[${l}] (column ${column})` : `biases[${l}][${biasAt}]`;
      throw new RangeError(
        `simdnet: layer ${l} cannot be quantized: ${where} holds a value that is not finite (NaN or ±Infinity)`,
      );
    }
  }
  const { normalizer, firstBias } = inputTransform(model);
  const layers: QuantizedLayer[] = [];
  for (let l = 0; l < L; l++) {
    const { q, scales } = quantizeWeights(params.weights[l]!, config.layers[l]!, config.layers[l + 1]!);
    const bias = l === 0 && firstBias ? firstBias : params.biases[l];
    layers.push({ weights: q, scales, bias: bias ? Float32Array.from(bias) : null, range: 0 });
  }
  if (calibration) {
    const ranges = calibratedRanges(config, model.params.weights, layers, quantizedInputs(normalizer, calibration));
    for (let l = 0; l < L; l++) layers[l]!.range = ranges[l]!;
  }
  return {
    precision: 'int8',
    config,
    layers,
    normalizer,
    targetStandardizer: model.targetStandardizer,
    metadata: model.metadata,
  };
}

/**
 * The quantized model's normaliser in float32 values, and the first layer's biases when its offset
 * is folded in: b'[j] = b[j] − Σ_i offset[i]·scale[i]·W[i][j] (in float64, rounded once), so that
 * Σ_i f32(x[i]·scale[i])·W[i][j] + b'[j] is the float network's Σ_i (x[i] − offset[i])·scale[i]·W[i][j] + b[j].
 */
function inputTransform(model: Model): { normalizer: Normalizer | null; firstBias: Float32Array | null } {
  const n = model.normalizer;
  if (!n || model.config.normalize === 'none') return { normalizer: null, firstBias: null };
  const scale = Float64Array.from(n.scale, Math.fround);
  const offset = Float64Array.from(n.offset, Math.fround);
  if (!foldsOffset(n)) return { normalizer: { kind: n.kind, offset, scale }, firstBias: null };
  const k = model.config.layers[0]!,
    m = model.config.layers[1]!;
  const w = model.params.weights[0]!,
    b = model.params.biases[0];
  const bias = new Float32Array(m);
  for (let j = 0; j < m; j++) {
    let sum = b ? b[j]! : 0;
    for (let i = 0; i < k; i++) sum -= n.offset[i]! * scale[i]! * w[i * m + j]!;
    bias[j] = sum;
  }
  // a fold that overflows float32 (weights near its limit) is not made: the offset stays
  if (bias.some((v) => !Number.isFinite(v))) return { normalizer: { kind: n.kind, offset, scale }, firstBias: null };
  return { normalizer: { kind: n.kind, offset: new Float64Array(k), scale }, firstBias: bias };
}

/**
 * Input rows through a quantized model's normaliser, each step a float32 operation (a copy; x
 * itself when there is none). Throws where a finite input maps outside float32, as the float
 * network's normaliser does.
 */
export function quantizedInputs(n: Normalizer | null, x: Matrix): Matrix {
  if (!n) return x;
  const { data, cols } = x,
    f32 = Math.fround;
  const out = new FloatArray(data.length);
  for (let i = 0, c = 0; i < data.length; i++, c = c + 1 === cols ? 0 : c + 1) {
    out[i] = f32(f32(data[i]! - n.offset[c]!) * n.scale[c]!);
    if (!Number.isFinite(out[i]!)) {
      throw new RangeError(
        `input row ${Math.floor(i / cols)}, column ${c}: ${data[i]} normalises to ${out[i]} (outside float32); the model's normaliser does not fit this input`,
      );
    }
  }
  return { ...x, data: out };
}

/**
 * The largest |value| at each layer's input over the rows of x (already through the quantized
 * model's normaliser), through the float network in float64 (the first layer with the quantized
 * model's biases, which hold the folded offset), as float32 values; 2^−100 where a layer only ever
 * saw zeros (0 would mean per-row quantization).
 */
function calibratedRanges(config: NetworkConfig, weights: FloatArray[], layers: QuantizedLayer[], x: Matrix): number[] {
  const L = layers.length,
    ranges = new Array<number>(L).fill(0);
  let a = Float64Array.from(x.data);
  for (let l = 0; l < L; l++) {
    const k = config.layers[l]!,
      n = config.layers[l + 1]!;
    for (let i = 0; i < a.length; i++) ranges[l] = Math.max(ranges[l]!, Math.abs(a[i]!));
    const w = weights[l]!,
      b = layers[l]!.bias;
    const s = new Float64Array(x.rows * n);
    for (let r = 0; r < x.rows; r++) {
      const out = r * n;
      if (b) for (let j = 0; j < n; j++) s[out + j] = b[j]!;
      for (let i = 0; i < k; i++) {
        const v = a[r * k + i]!;
        if (v !== 0) for (let j = 0; j < n; j++) s[out + j]! += v * w[i * n + j]!;
      }
      activateRow(config.activations[l]!, s, out, n);
    }
    a = s;
  }
  return ranges.map((r) => Math.max(Math.fround(r), 2 ** -100));
}

/** The activation of one row of s (from `at`, n values) in place, in float64. */
function activateRow(act: ResolvedActivation, s: Float64Array, at: number, n: number): void {
  const end = at + n;
  switch (act.name) {
    case 'relu':
      for (let i = at; i < end; i++) s[i] = Math.max(s[i]!, 0);
      return;
    case 'leaky-relu':
      for (let i = at; i < end; i++) if (s[i]! < 0) s[i]! *= act.slope;
      return;
    case 'sigmoid':
      for (let i = at; i < end; i++) s[i] = 1 / (1 + Math.exp(-act.gain * (s[i]! - act.threshold)));
      return;
    case 'tanh':
      for (let i = at; i < end; i++) s[i] = Math.tanh(s[i]!);
      return;
    case 'softmax': {
      let max = -Infinity,
        sum = 0;
      for (let i = at; i < end; i++) max = Math.max(max, s[i]!);
      for (let i = at; i < end; i++) sum += s[i] = Math.exp(s[i]! - max);
      for (let i = at; i < end; i++) s[i]! /= sum;
      return;
    }
    default:
  }
}
