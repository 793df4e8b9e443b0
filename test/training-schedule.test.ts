// Learning-rate schedules: 'step' multiplies the rate by factor every `every` epochs, 'exponential'
// every epoch, counted over the network's life (epoch index e = 0, 1, … since creation), so a
// second train() call continues the schedule. Checked on the rate onEpoch reports (closed form
// lr·factor^k) and on the weights (float64 SGD with the same per-epoch rates). Both engines.
import { describe, expect, it } from 'vitest';
import { NN, type TrainOptions } from '../src/index.js';
import { randomF32, randomWeights, rng } from './helpers/random-data.js';
import { toRef, type ActivationRef } from './helpers/float64-network.js';
import { Optimizer, trainRef } from './helpers/float64-training.js';
import { weightDiff, weightScale } from './helpers/tolerance.js';
import { sameWeights } from './helpers/bits.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

const LAYERS = [3, 5, 2];
const ACTS: ActivationRef[] = [{ name: 'tanh' }, { name: 'linear' }];
const ROWS = 12;
const random = rng(3);
const X = randomF32(ROWS * 3, random),
  T = randomF32(ROWS * 2, random);
/** float32 trajectory vs float64 over ≤ 24 steps: measured ≤ 2e-7·max(1,|w|); see training-optimizers */
const TOL = 3e-6;

const LR = 0.4;
const SCHEDULES: [string, TrainOptions['schedule'], (e: number) => number][] = [
  ['step every 2 epochs by 0.5', { type: 'step', every: 2, factor: 0.5 }, (e) => LR * 0.5 ** Math.floor(e / 2)],
  ['step every 3 epochs by 0.1', { type: 'step', every: 3, factor: 0.1 }, (e) => LR * 0.1 ** Math.floor(e / 3)],
  ['exponential by 0.7', { type: 'exponential', factor: 0.7 }, (e) => LR * 0.7 ** e],
];

async function network(engine: 'js' | 'wasm'): Promise<NN> {
  const net = await NN.create(
    classic({ layers: LAYERS, activation: 'tanh', output: 'linear', loss: 'mse', engine, seed: 5 }),
  );
  net.setWeights(randomWeights(LAYERS, 20));
  return net;
}

const closeTo = (actual: number[], expected: number[]): void => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) =>
    expect(Math.abs(a - expected[i]!), `epoch index ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(
      1e-12 * expected[i]!,
    ),
  );
};

describe.each(ENGINES)('learning-rate schedules on %s', (engine) => {
  for (const [label, schedule, rate] of SCHEDULES) {
    it(`${label}: onEpoch reports lr·factor^k and the weights follow float64 SGD at those rates`, async () => {
      const net = await network(engine);
      const rates: number[] = [],
        epochs: number[] = [];
      const report = net.train(
        X,
        T,
        classicTrain({
          epochs: 7,
          batchSize: 4,
          shuffle: false,
          learningRate: LR,
          schedule,
          onEpoch: (info) => {
            rates.push(info.learningRate);
            epochs.push(info.epoch);
          },
        }),
      );
      const expected = Array.from({ length: 7 }, (_, e) => rate(e));
      closeTo(rates, expected);
      expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(Math.abs(report.learningRate - expected[6]!)).toBeLessThanOrEqual(1e-12 * expected[6]!);

      const ref = toRef(randomWeights(LAYERS, 20), LAYERS, ACTS);
      trainRef(ref, 'mse', X, T, ROWS, new Optimizer({ optimizer: 'sgd' }), 7, 4, rate);
      expect(weightDiff(net.getWeights(), ref)).toBeLessThanOrEqual(TOL * Math.max(1, weightScale(ref)));
      // the test can tell: a constant rate ends elsewhere
      const flat = toRef(randomWeights(LAYERS, 20), LAYERS, ACTS);
      trainRef(flat, 'mse', X, T, ROWS, new Optimizer({ optimizer: 'sgd' }), 7, 4, () => LR);
      expect(weightDiff(net.getWeights(), flat)).toBeGreaterThan(100 * TOL);
      net.dispose();
    });

    it(`${label}: a second train() call continues the schedule over the network's life (3 + 4 epochs = 7)`, async () => {
      const net = await network(engine);
      const rates: number[] = [],
        epochs: number[] = [];
      const opts: TrainOptions = {
        batchSize: 4,
        shuffle: false,
        learningRate: LR,
        schedule,
        onEpoch: (info) => {
          rates.push(info.learningRate);
          epochs.push(info.epoch);
        },
      };
      net.train(X, T, classicTrain({ ...opts, epochs: 3 }));
      expect(net.epochs).toBe(3);
      net.train(X, T, classicTrain({ ...opts, epochs: 4 }));
      expect(net.epochs).toBe(7);
      expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7]);
      closeTo(
        rates,
        Array.from({ length: 7 }, (_, e) => rate(e)),
      );

      const ref = toRef(randomWeights(LAYERS, 20), LAYERS, ACTS);
      trainRef(ref, 'mse', X, T, ROWS, new Optimizer({ optimizer: 'sgd' }), 7, 4, rate);
      expect(weightDiff(net.getWeights(), ref)).toBeLessThanOrEqual(TOL * Math.max(1, weightScale(ref)));
      // restarting the schedule at the second call would be a different trajectory
      const restarted = toRef(randomWeights(LAYERS, 20), LAYERS, ACTS);
      trainRef(restarted, 'mse', X, T, ROWS, new Optimizer({ optimizer: 'sgd' }), 3, 4, rate);
      trainRef(restarted, 'mse', X, T, ROWS, new Optimizer({ optimizer: 'sgd' }), 4, 4, rate);
      expect(weightDiff(net.getWeights(), restarted)).toBeGreaterThan(100 * TOL);
      net.dispose();
    });
  }

  it('3 + 4 epochs in two calls are bit-identical to 7 in one call (sgd, step schedule, per-batch path too)', async () => {
    const schedule = { type: 'step', every: 2, factor: 0.5 } as const;
    const a = await network(engine),
      b = await network(engine);
    a.train(X, T, classicTrain({ epochs: 7, batchSize: 4, shuffle: false, learningRate: LR, schedule }));
    b.train(X, T, classicTrain({ epochs: 3, batchSize: 4, shuffle: false, learningRate: LR, schedule }));
    b.train(
      X,
      T,
      classicTrain({ epochs: 4, batchSize: 4, shuffle: false, learningRate: LR, schedule, onBatch: () => undefined }),
    );
    expect(sameWeights(a.getWeights(), b.getWeights())).toBe(true);
    a.dispose();
    b.dispose();
  });
});
