// quantizeModel (src/model/quantize.ts): a float Model made into a quantized one, checked against
// float64 re-derivations: int8 weights per output neuron, refusals naming the layer, the input
// normaliser's offset folded into the first layer's biases (when it is small against each column's
// spread), the normaliser in float32 steps, and calibrated ranges.
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { modelOf } from '../src/nn.js';
import type { Model } from '../src/model/model.js';
import type { Normalizer } from '../src/model/normalize.js';
import { FOLD_LIMIT, foldsOffset, quantizeModel, quantizedInputs } from '../src/model/quantize.js';
import { forwardRef, toRef, type ActivationRef } from './helpers/float64-network.js';
import { expectClearError, thrown } from './helpers/clear-errors.js';
import { randomRows, randomWeights, rng } from './helpers/random-data.js';

const f32 = Math.fround;

/** A float Model of `layers` (ReLU, softmax output) with seeded random weights, and `normalizer`. */
function floatModel(layers: number[], seed: number, normalizer: Normalizer | null = null, bias = true): Model {
  const net = NN.createSync({
    layers,
    activation: 'relu',
    output: 'softmax',
    bias,
    engine: 'js',
    seed,
    normalize: normalizer ? normalizer.kind : 'none',
  });
  const w = randomWeights(layers, seed);
  net.setWeights(bias ? w : { weights: w.weights, biases: w.biases.map(() => null) });
  const model = modelOf(net) as Model;
  net.dispose();
  return { ...model, normalizer };
}

const acts = (layers: number[]): ActivationRef[] =>
  layers.slice(1).map((_, l) => ({ name: l === layers.length - 2 ? 'softmax' : 'relu' }));

/** A z-score normaliser of k columns whose offsets are `spread` of each column's units from zero. */
function zscore(k: number, seed: number, spread: number): Normalizer {
  const random = rng(seed);
  const scale = Float64Array.from({ length: k }, () => 0.5 + random() * 4);
  const offset = scale.map((s) => ((random() * 2 - 1) * spread) / s);
  return { kind: 'zscore', offset, scale };
}

describe('quantizeModel: the weights', () => {
  it('quantizes each layer per output neuron (±127 at the column maximum) and leaves the float model as it was', () => {
    const model = floatModel([13, 9, 5], 7);
    const before = model.params.weights.map((w) => w.slice());
    const q = quantizeModel(model);
    expect(q.layers).toHaveLength(2);
    for (let l = 0; l < 2; l++) {
      const w = model.params.weights[l]!,
        k = model.config.layers[l]!,
        n = model.config.layers[l + 1]!;
      const { weights, scales, bias, range } = q.layers[l]!;
      expect(range).toBe(0);
      expect(Array.from(bias!)).toEqual(Array.from(model.params.biases[l]!));
      for (let j = 0; j < n; j++) {
        let m = 0,
          top = 0;
        for (let i = 0; i < k; i++) {
          m = Math.max(m, Math.abs(w[i * n + j]!));
          top = Math.max(top, Math.abs(weights[i * n + j]!));
        }
        expect(scales[j]).toBe(f32(m / 127));
        expect(top).toBe(127);
        // each int8 weight is the float one to within half a step (the scale is rounded to float32)
        for (let i = 0; i < k; i++)
          expect(Math.abs(weights[i * n + j]! * (m / 127) - w[i * n + j]!)).toBeLessThanOrEqual(
            (m / 127) * 0.5 + 1e-12,
          );
      }
      expect(w).toEqual(before[l]);
    }
  });

  it('refuses a layer whose weights or biases are not finite, naming the layer and the value', () => {
    for (const [l, where, bad] of [
      [1, 'weights', Number.NaN],
      [0, 'weights', Number.POSITIVE_INFINITY],
      [1, 'biases', Number.NEGATIVE_INFINITY],
    ] as const) {
      const model = floatModel([6, 5, 3], 3);
      if (where === 'weights') model.params.weights[l]![7] = bad;
      else model.params.biases[l]![2] = bad;
      const err = thrown(() => quantizeModel(model));
      expectClearError(
        err,
        new RegExp(`layer ${l} cannot be quantized: ${where}\\[${l}\\]`),
        `${where}[${l}]`,
        RangeError,
      );
      expect(String(err)).toMatch(/not finite/);
    }
  });
});

describe('quantizeModel: the input normaliser', () => {
  it(`folds offsets within ${FOLD_LIMIT} units of zero into the first layer's biases: the same float network`, () => {
    const layers = [11, 7, 4];
    for (const bias of [true, false]) {
      const n = zscore(11, 5, FOLD_LIMIT);
      // far from zero in raw units, 1.5 of its own: folded
      n.offset[0] = 150;
      n.scale[0] = 0.01;
      expect(foldsOffset(n)).toBe(true);
      const model = floatModel(layers, 9, n, bias);
      const q = quantizeModel(model);
      expect(Array.from(q.normalizer!.offset)).toEqual(new Array(11).fill(0));
      expect(Array.from(q.normalizer!.scale)).toEqual(Array.from(n.scale, f32));
      // b' = b − Σ offset·scale·W, from the definition in float64
      const w = model.params.weights[0]!,
        b = model.params.biases[0];
      const folded = q.layers[0]!.bias!;
      for (let j = 0; j < 7; j++) {
        let want = b ? b[j]! : 0;
        for (let i = 0; i < 11; i++) want -= n.offset[i]! * f32(n.scale[i]!) * w[i * 7 + j]!;
        expect(Math.abs(folded[j]! - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -23);
      }
      // the float network on the folded input form gives the float network's outputs
      const x = randomRows(20, 11, 4, -3, 3);
      const original = toRef(model.params, layers, acts(layers));
      const normalised = x.map((v, i) => (v - n.offset[i % 11]!) * n.scale[i % 11]!);
      const want = forwardRef(original, normalised, 20)[2]!;
      const foldedNet = toRef(
        { weights: model.params.weights, biases: [folded, model.params.biases[1] ?? null] },
        layers,
        acts(layers),
      );
      const got = forwardRef(
        foldedNet,
        quantizedInputs(q.normalizer, { data: x, rows: 20, cols: 11, form: 'flat' }).data,
        20,
      )[2]!;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    }
  });

  it('keeps the offset, in float32, where a column lies far from zero against its spread (a year, say)', () => {
    const n = zscore(5, 6, 1);
    n.offset[3] = 1990;
    n.scale[3] = 1 / 8;
    expect(foldsOffset(n)).toBe(false);
    const model = floatModel([5, 4, 2], 2, n);
    const q = quantizeModel(model);
    expect(Array.from(q.normalizer!.offset)).toEqual(Array.from(n.offset, f32));
    expect(Array.from(q.layers[0]!.bias!)).toEqual(Array.from(model.params.biases[0]!));
  });

  it('normalises in float32 steps, f32(f32(x − offset)·scale), and refuses an input it maps outside float32', () => {
    const n: Normalizer = {
      kind: 'zscore',
      offset: Float64Array.of(f32(0.1), 0),
      scale: Float64Array.of(f32(0.3), 1e30),
    };
    const x = { data: Float32Array.of(f32(2.7), 3), rows: 1, cols: 2, form: 'flat' as const };
    const y = quantizedInputs(n, x).data;
    expect(y[0]).toBe(f32(f32(f32(2.7) - f32(0.1)) * f32(0.3)));
    expect(y[1]).toBe(f32(3e30));
    expect(() => quantizedInputs(n, { ...x, data: Float32Array.of(0, 1e9) })).toThrow(
      /row 0, column 1: .*outside float32/,
    );
    expect(quantizedInputs(null, x)).toBe(x);
  });

  it('has no normaliser when the model has none', () => {
    expect(quantizeModel(floatModel([3, 2], 1)).normalizer).toBeNull();
  });
});

describe('quantizeModel: calibration', () => {
  it("fits each layer's range: the largest |value| at its input over the rows, through the float network", () => {
    const layers = [10, 8, 6, 3];
    const n = zscore(10, 8, 1);
    const model = floatModel(layers, 12, n);
    const raw = randomRows(50, 10, 13, -2, 5);
    const q = quantizeModel(model, { data: raw, rows: 50, cols: 10, form: 'flat' });
    // independently: the float network on normalised rows, layer by layer
    const normalised = raw.map((v, i) => (v - n.offset[i % 10]!) * n.scale[i % 10]!);
    const outs = forwardRef(toRef(model.params, layers, acts(layers)), normalised, 50);
    for (let l = 0; l < 3; l++) {
      // layer 0 quantizes the rows as the quantized model's normaliser gives them (raw · scale: the offset is folded)
      const seen = l === 0 ? Array.from(raw, (v, i) => v * n.scale[i % 10]!) : Array.from(outs[l]!);
      const want = seen.reduce((m: number, v) => Math.max(m, Math.abs(v)), 0);
      expect(Math.abs(q.layers[l]!.range - want)).toBeLessThanOrEqual(want * 1e-6);
      expect(q.layers[l]!.range).toBe(f32(q.layers[l]!.range));
    }
  });

  it('gives a layer that only ever saw zeros the smallest range, not 0 (which would mean per row)', () => {
    const model = floatModel([4, 3, 2], 1);
    model.params.weights[0]!.fill(-1);
    model.params.biases[0]!.fill(-1); // every ReLU output is 0
    const q = quantizeModel(model, { data: randomRows(5, 4, 2, 0, 1), rows: 5, cols: 4, form: 'flat' });
    expect(q.layers[1]!.range).toBe(2 ** -100);
  });
});
