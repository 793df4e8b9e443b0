// The two engines held together: on the same seed, 'js' and 'wasm' train to the same weights
// (mini-batches, shuffled, several activation/loss/optimizer combinations) and predict the same.
import { describe, expect, it } from 'vitest';
import { NN, type NetworkOptions, type TrainOptions } from '../src/index.js';
import { randomF32, rng, classTask } from './helpers/random-data.js';
import { forwardRef, toRef, type ActivationRef } from './helpers/float64-network.js';
import { maxAbs, maxAbsDiff } from './helpers/tolerance.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

interface Combo {
  label: string;
  net: Omit<NetworkOptions, 'engine' | 'seed'>;
  refActivations: ActivationRef[];
  train: TrainOptions;
}

const COMBOS: Combo[] = [
  {
    label: 'relu → softmax, cross-entropy, adam',
    net: { layers: [5, 8, 3], activation: 'relu', output: 'softmax', loss: 'cross-entropy' },
    refActivations: [{ name: 'relu' }, { name: 'softmax' }],
    train: { batchSize: 16, optimizer: 'adam', learningRate: 0.01 },
  },
  {
    label: 'tanh → sigmoid, sse, momentum',
    net: { layers: [4, 7, 2], activation: 'tanh', output: 'sigmoid', loss: 'sse' },
    refActivations: [{ name: 'tanh' }, { name: 'sigmoid' }],
    train: { batchSize: 10, optimizer: 'momentum', momentum: 0.9, learningRate: 0.01 },
  },
  {
    label: 'sigmoid (gain 1.5, threshold 0.1) ×2 → linear, mse, nesterov with weight decay and clipping',
    net: {
      layers: [6, 5, 4, 3],
      activation: { name: 'sigmoid', gain: 1.5, threshold: 0.1 },
      output: 'linear',
      loss: 'mse',
    },
    refActivations: [
      { name: 'sigmoid', gain: 1.5, threshold: 0.1 },
      { name: 'sigmoid', gain: 1.5, threshold: 0.1 },
      { name: 'linear' },
    ],
    train: { batchSize: 7, optimizer: 'nesterov', learningRate: 0.05, weightDecay: 1e-3, clipNorm: 1 },
  },
  {
    label: 'leaky-relu → sigmoid, binary-cross-entropy, sgd',
    net: { layers: [3, 6, 2], activation: 'leaky-relu', output: 'sigmoid', loss: 'binary-cross-entropy' },
    refActivations: [{ name: 'leaky-relu' }, { name: 'sigmoid' }],
    train: { batchSize: 5, optimizer: 'sgd', learningRate: 0.1 },
  },
];

/*
 * Tolerance. Both engines start from the same weights (same seed) and shuffle the same way (the
 * generator is in TypeScript); they differ only in float32 rounding order inside the kernels, ~1e-7
 * relative per operation. Over 100 epochs of 200 rows (≈ 2000–4000 updates) on a problem the
 * training drives toward a minimum, those differences stay small instead of compounding: measured
 * ≤ 5e-7·max|w|. We allow 1e-4·max|w|, 200× that, still far below what any real disagreement
 * (a different shuffle, a skipped batch, a wrong formula) produces.
 */
const WEIGHT_TOL = 1e-4;

describe('js and wasm agree', () => {
  for (const combo of COMBOS) {
    it(`after 100 epochs of shuffled mini-batches: ${combo.label}`, async () => {
      const layers = combo.net.layers;
      const nin = layers[0]!,
        nout = layers[layers.length - 1]!;
      const { x, t } = classTask(200, nin, nout, 5);
      const nets = await Promise.all(ENGINES.map((engine) => NN.create(classic({ ...combo.net, engine, seed: 99 }))));
      const initial = nets.map((n) => n.getWeights());
      for (let l = 0; l < layers.length - 1; l++) expect(initial[0]!.weights[l]).toEqual(initial[1]!.weights[l]);
      const errors: number[][] = [[], []];
      const reports = nets.map((n, i) =>
        n.train(
          x,
          t,
          classicTrain({
            ...combo.train,
            epochs: 100,
            shuffle: true,
            onEpoch: ({ error }) => {
              errors[i]!.push(error);
            },
          }),
        ),
      );
      expect(reports.map((r) => r.epochs)).toEqual([100, 100]);
      // training did something: the error fell
      expect(errors[0]![99]!).toBeLessThan(errors[0]![0]!);

      const w = nets.map((n) => n.getWeights());
      const scale = maxAbs(...w[0]!.weights);
      for (let l = 0; l < layers.length - 1; l++) {
        expect(maxAbsDiff(w[0]!.weights[l]!, w[1]!.weights[l]!), `weights[${l}]`).toBeLessThanOrEqual(
          WEIGHT_TOL * scale,
        );
        expect(maxAbsDiff(w[0]!.biases[l]!, w[1]!.biases[l]!), `biases[${l}]`).toBeLessThanOrEqual(WEIGHT_TOL * scale);
        // and the weights moved far more than that, so the comparison is not vacuous
        expect(maxAbsDiff(w[0]!.weights[l]!, initial[0]!.weights[l]!)).toBeGreaterThan(100 * WEIGHT_TOL * scale);
      }
      for (let e = 0; e < 100; e++)
        expect(Math.abs(errors[0]![e]! - errors[1]![e]!)).toBeLessThanOrEqual(1e-4 * errors[0]![e]! + 1e-9);

      // predict: each engine's outputs match the float64 forward pass of its own weights (float32
      // rounding of a few small products: 1e-5 absolute on outputs of size ~1), and each other
      const xs = randomF32(37 * nin, rng(6));
      const p = nets.map((n) => n.predict(xs));
      for (let i = 0; i < 2; i++) {
        const ref = forwardRef(toRef(w[i]!, [...layers], combo.refActivations), xs, 37);
        expect(maxAbsDiff(p[i]!, ref[layers.length - 1]!)).toBeLessThanOrEqual(
          1e-5 * Math.max(1, maxAbs(ref[layers.length - 1]!)),
        );
      }
      expect(maxAbsDiff(p[0]!, p[1]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs(p[0]!)));
      for (const n of nets) n.dispose();
    });
  }

  it('predict agrees on identical weights, one row and many, flat and as rows', async () => {
    const layers = [7, 13, 5, 4];
    const random = rng(8);
    const weights = layers.slice(1).map((n, l) => randomF32(layers[l]! * n, random));
    const biases = layers.slice(1).map((n) => randomF32(n, random));
    const nets = await Promise.all(
      ENGINES.map(async (engine) => {
        const n = await NN.create(classic({ layers, activation: 'tanh', output: 'softmax', engine, seed: 1 }));
        n.setWeights({ weights, biases });
        return n;
      }),
    );
    const rows = 300; // more than one predict chunk of 256 rows
    const x = randomF32(rows * 7, random, -2, 2);
    const ref = forwardRef(
      toRef({ weights, biases }, layers, [{ name: 'tanh' }, { name: 'tanh' }, { name: 'softmax' }]),
      x,
      rows,
    )[3]!;
    for (const n of nets) {
      const flat = n.predict(x);
      expect(flat).toBeInstanceOf(Float32Array);
      expect(flat).toHaveLength(rows * 4);
      // float32 sums of ≤ 13 products of size ≤ 2 and an exp: 1e-6 absolute on probabilities
      expect(maxAbsDiff(flat, ref)).toBeLessThanOrEqual(1e-6);
      const asRows = n.predict(Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * 7, (r + 1) * 7))));
      expect(asRows).toHaveLength(rows);
      expect(
        maxAbsDiff(
          asRows.flatMap((r) => Array.from(r)),
          flat,
        ),
      ).toBe(0);
      const one = n.predict(x.subarray(7 * 11, 7 * 12));
      expect(one).toHaveLength(4);
      expect(maxAbsDiff(one, ref.subarray(4 * 11, 4 * 12))).toBeLessThanOrEqual(1e-6);
    }
    expect(maxAbsDiff(nets[0]!.predict(x), nets[1]!.predict(x))).toBeLessThanOrEqual(2e-6);
    for (const n of nets) n.dispose();
  });
});
