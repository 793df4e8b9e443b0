// toFunction(): standalone JavaScript inference. For every activation (sigmoid with gain and
// threshold, tanh, ReLU, leaky ReLU, linear, softmax) and both normalisers, the generated function
// (1) equals a float64 forward pass of the model's weights and saved normaliser, (2) matches
// predict() to float32 rounding, and (3) runs from its source alone in a fresh vm context that has
// no simdnet, no require, no process. Both engines.
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { NN, toFunction, type Activation, type NetworkOptions, type ModelJSON } from '../src/index.js';
import { randomF32, randomWeights, rng } from './helpers/random-data.js';
import { forwardRef, toRef, type ActivationRef } from './helpers/float64-network.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

interface Model {
  label: string;
  net: NetworkOptions;
  acts: ActivationRef[];
}
const MODELS: Model[] = [
  {
    label: 'sigmoid (gain 0.7, threshold 0.2) → softmax, minmax',
    net: {
      layers: [5, 7, 3],
      activation: { name: 'sigmoid', gain: 0.7, threshold: 0.2 },
      output: 'softmax',
      normalize: 'minmax',
    },
    acts: [{ name: 'sigmoid', gain: 0.7, threshold: 0.2 }, { name: 'softmax' }],
  },
  {
    label: 'tanh → sigmoid (gain 1.3, threshold −0.1), zscore',
    net: {
      layers: [5, 7, 3],
      activation: 'tanh',
      output: { name: 'sigmoid', gain: 1.3, threshold: -0.1 },
      loss: 'mse',
      normalize: 'zscore',
    },
    acts: [{ name: 'tanh' }, { name: 'sigmoid', gain: 1.3, threshold: -0.1 }],
  },
  {
    label: 'relu → leaky-relu (slope 0.1) → linear, no normaliser',
    net: {
      layers: [5, 7, 6, 3],
      activation: ['relu', { name: 'leaky-relu', slope: 0.1 }, 'linear'] as Activation[],
      loss: 'mse',
    },
    acts: [{ name: 'relu' }, { name: 'leaky-relu', slope: 0.1 }, { name: 'linear' }],
  },
  {
    label: 'linear → tanh, zscore, no bias',
    net: { layers: [5, 4, 3], activation: 'linear', output: 'tanh', loss: 'mse', normalize: 'zscore', bias: false },
    acts: [{ name: 'linear' }, { name: 'tanh' }],
  },
  {
    label: 'leaky-relu → relu, minmax',
    net: { layers: [5, 8, 3], activation: 'leaky-relu', output: 'relu', loss: 'mse', normalize: 'minmax' },
    acts: [{ name: 'leaky-relu', slope: 0.01 }, { name: 'relu' }],
  },
];

/** Columns on different scales (one constant), so the normaliser matters. */
function data(rows: number, seed: number): { x: Float32Array; t: Float32Array } {
  const random = rng(seed);
  const x = new Float32Array(rows * 5);
  for (let r = 0; r < rows; r++) {
    x[r * 5] = 100 * random();
    x[r * 5 + 1] = -3 + random();
    x[r * 5 + 2] = 0.001 * random();
    x[r * 5 + 3] = 42;
    x[r * 5 + 4] = random() - 0.5;
  }
  const t = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) t[r * 3 + (r % 3)] = 1;
  return { x, t };
}

/*
 * Tolerances. The generated function computes in float64 from the float32 weights, the float64
 * reference's arithmetic up to summation order. predict() computes in
 * float32 (inputs normalised then rounded to float32, sums of ≤ 8 products, activations in
 * float32): measured ≤ 1e-7·(1 + |y|) with a normaliser and ≤ 1e-6·(1 + |y|) for the model fed raw
 * columns of ~100 (its sums cancel more). We allow 5e-6·(1 + |y|). The function's float64 result
 * is checked exactly against the reference: 0 measured, 1e-12 allowed for summation order.
 */
const REF_TOL = 1e-12,
  F32_TOL = 5e-6;

describe.each(ENGINES)('toFunction on %s', (engine) => {
  for (const model of MODELS) {
    it(`${model.label}: equals float64, matches predict(), runs standalone`, async () => {
      const net = await NN.create(classic({ ...model.net, engine, seed: 4 }));
      const layers = model.net.layers as number[];
      const init = randomWeights(layers, 60);
      net.setWeights(model.net.bias === false ? { weights: init.weights, biases: init.biases.map(() => null) } : init);
      const { x, t } = data(30, 61);
      net.train(x, t, classicTrain({ epochs: 3, batchSize: 8, learningRate: 0.05, clipNorm: 1 })); // clipped: the unnormalised column of 100s

      const fn = toFunction(net);
      const source = fn.toString();
      expect(source).not.toMatch(/\b(require|import|process|globalThis|simdnet\.|eval)\b/);

      // a fresh realm: only the ECMAScript built-ins
      const standalone = vm.runInNewContext(`(${source})`, Object.create(null) as object) as (
        row: ArrayLike<number>,
      ) => Float64Array;

      const json = net.toJSON() as ModelJSON;
      const w = net.getWeights();
      const ref = toRef(w, layers, model.acts);
      const probe = new Float32Array([...x.subarray(0, 10 * 5), ...data(10, 62).x]); // training rows and new rows
      const rows = probe.length / 5;
      const predicted = net.predict(probe);
      const out = layers[layers.length - 1]!;
      let worstRef = 0,
        worstF32 = 0;
      for (let r = 0; r < rows; r++) {
        const row = probe.subarray(r * 5, (r + 1) * 5);
        const y = fn(row),
          y2 = standalone(Array.from(row));
        expect(Array.from(y2)).toEqual(Array.from(y));
        const xin = new Float64Array(5);
        for (let i = 0; i < 5; i++)
          xin[i] = json.normalizer ? (row[i]! - json.normalizer.offset[i]!) * json.normalizer.scale[i]! : row[i]!;
        const yr = forwardRef(ref, xin, 1)[layers.length - 1]!;
        for (let j = 0; j < out; j++) {
          worstRef = Math.max(worstRef, Math.abs(y[j]! - yr[j]!));
          worstF32 = Math.max(worstF32, Math.abs(y[j]! - predicted[r * out + j]!) / (1 + Math.abs(y[j]!)));
        }
      }
      expect(worstRef).toBeLessThanOrEqual(REF_TOL);
      expect(worstF32).toBeLessThanOrEqual(F32_TOL);
      // the outputs are not trivially equal to something constant
      expect(new Set(Array.from(predicted).map((v) => v.toFixed(4))).size).toBeGreaterThan(out);

      // the standalone function checks its input like predict does
      expect(() => standalone([1, 2, 3])).toThrow(/5 values/);
      net.dispose();
    });
  }

  it('a reloaded model generates the same function (normaliser included)', async () => {
    const net = await NN.create(classic({ ...MODELS[1]!.net, engine, seed: 4 }));
    const { x, t } = data(30, 63);
    net.train(x, t, classicTrain({ epochs: 2 }));
    const copy = await NN.fromJSON(JSON.stringify(net.toJSON()), { engine });
    expect(toFunction(copy).toString()).toBe(toFunction(net).toString());
    const row = randomF32(5, rng(64));
    expect(Array.from(toFunction(copy)(row))).toEqual(Array.from(toFunction(net)(row)));
    net.dispose();
    copy.dispose();
  });
});
