// Optimizers over several steps against a float64 re-implementation of their published formulas
// (test/helpers/float64-training.ts): SGD, momentum (0 allowed, and then exactly SGD), Nesterov,
// Adam with bias correction by division (and the ConvNetJS multiply shown to fail), L2 weight
// decay, and gradient clipping by the global norm over every layer's weights and biases. Both
// engines.
import { describe, expect, it } from 'vitest';
import { NN, type NetworkOptions, type TrainOptions } from '../src/index.js';
import { classTask, randomF32, randomWeights, rng } from './helpers/random-data.js';
import { toRef, type ActivationRef, type LossRef } from './helpers/float64-network.js';
import { Optimizer, trainRef, gradientRef, gradList, type OptimizerRef } from './helpers/float64-training.js';
import { weightDiff, weightScale } from './helpers/tolerance.js';
import { sameWeights } from './helpers/bits.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

const ROWS = 16;

interface Setup {
  label: string;
  net: NetworkOptions;
  acts: ActivationRef[];
  loss: LossRef;
  x: Float32Array;
  t: Float32Array;
}

const SOFTMAX: Setup = (() => {
  const { x, t } = classTask(ROWS, 4, 3, 1);
  return {
    label: '4-6-3 tanh → softmax, cross-entropy',
    net: { layers: [4, 6, 3], activation: 'tanh', output: 'softmax', loss: 'cross-entropy' },
    acts: [{ name: 'tanh' }, { name: 'softmax' }],
    loss: 'cross-entropy',
    x,
    t,
  };
})();
const REGRESSION: Setup = (() => {
  const random = rng(2);
  return {
    label: '3-5-2 sigmoid → linear, mse',
    net: { layers: [3, 5, 2], activation: 'sigmoid', output: 'linear', loss: 'mse' },
    acts: [{ name: 'sigmoid' }, { name: 'linear' }],
    loss: 'mse',
    x: randomF32(ROWS * 3, random),
    t: randomF32(ROWS * 2, random),
  };
})();

/*
 * Tolerance. simdnet runs in float32, the reference in float64, from the same float32 weights.
 * Each step rounds every weight (≤ 2^-24·|w|) and computes the gradient with float32 sums of ≤ 16
 * rows (relative error ~1e-7 of the largest terms); over 8 steps that stays well below 1e-6·max|w|
 * (measured ≤ 2.3e-7·max(1, max|w|) over every case here, both engines). We allow
 * 3e-6·max(1, max|w|): 13× what rounding does, and far below what a wrong formula does (each
 * wrong variant checked below — ConvNetJS's Adam, a per-layer clip, no clip, no decay — is
 * more than 10× the tolerance away).
 */
const TOL = 3e-6;
const EPOCHS = 8;

async function trainBoth(
  setup: Setup,
  engine: 'js' | 'wasm',
  opts: TrainOptions,
  ref: OptimizerRef,
  epochs = EPOCHS,
  batchSize = ROWS,
) {
  const net = await NN.create(classic({ ...setup.net, engine, seed: 1 }));
  const w0 = randomWeights(setup.net.layers as number[], 10);
  net.setWeights(w0);
  const report = net.train(
    setup.x,
    setup.t,
    classicTrain({
      epochs,
      batchSize: batchSize === ROWS ? 'full' : batchSize,
      shuffle: false,
      ...opts,
    }),
  );
  const refNet = toRef(w0, setup.net.layers as number[], setup.acts);
  const lr = opts.learningRate!;
  const refRun = trainRef(refNet, setup.loss, setup.x, setup.t, ROWS, new Optimizer(ref), epochs, batchSize, () => lr);
  const w = net.getWeights();
  net.dispose();
  return { w, refNet, refRun, report, diff: weightDiff(w, refNet), tol: TOL * Math.max(1, weightScale(refNet)) };
}

const CASES: [string, TrainOptions, OptimizerRef][] = [
  ['sgd', { optimizer: 'sgd', learningRate: 0.5 }, { optimizer: 'sgd' }],
  [
    'momentum 0.9',
    { optimizer: 'momentum', momentum: 0.9, learningRate: 0.2 },
    { optimizer: 'momentum', momentum: 0.9 },
  ],
  [
    'momentum 0.5 with weight decay 0.01',
    { optimizer: 'momentum', momentum: 0.5, learningRate: 0.2, weightDecay: 0.01 },
    { optimizer: 'momentum', momentum: 0.5, weightDecay: 0.01 },
  ],
  [
    'nesterov 0.9',
    { optimizer: 'nesterov', momentum: 0.9, learningRate: 0.2 },
    { optimizer: 'nesterov', momentum: 0.9 },
  ],
  ['adam (defaults β1 0.9, β2 0.999, ε 1e-8)', { optimizer: 'adam', learningRate: 0.02 }, { optimizer: 'adam' }],
  [
    'adam β1 0.8, β2 0.99, ε 1e-4, weight decay 0.05',
    { optimizer: 'adam', learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-4, weightDecay: 0.05 },
    { optimizer: 'adam', beta1: 0.8, beta2: 0.99, epsilon: 1e-4, weightDecay: 0.05 },
  ],
  [
    'sgd with L2 weight decay 0.1',
    { optimizer: 'sgd', learningRate: 0.5, weightDecay: 0.1 },
    { optimizer: 'sgd', weightDecay: 0.1 },
  ],
];

describe.each(ENGINES)('optimizers on %s, 8 full-batch steps, against float64', (engine) => {
  for (const setup of [SOFTMAX, REGRESSION]) {
    for (const [label, opts, ref] of CASES) {
      it(`${label}: ${setup.label}`, async () => {
        const r = await trainBoth(setup, engine, opts, ref);
        expect(r.report.epochs).toBe(EPOCHS);
        expect(r.diff).toBeLessThanOrEqual(r.tol);
        // the comparison means something: the weights moved far more than the tolerance
        expect(weightDiff(randomWeights(setup.net.layers as number[], 10), r.refNet)).toBeGreaterThan(100 * r.tol);
        if (ref.weightDecay) {
          // and the decay is really there: the reference without it ends elsewhere
          const plain = toRef(
            randomWeights(setup.net.layers as number[], 10),
            setup.net.layers as number[],
            setup.acts,
          );
          trainRef(
            plain,
            setup.loss,
            setup.x,
            setup.t,
            ROWS,
            new Optimizer({ ...ref, weightDecay: 0 }),
            EPOCHS,
            ROWS,
            () => opts.learningRate!,
          );
          expect(weightDiff(r.w, plain)).toBeGreaterThan(10 * r.tol);
        }
      });
    }
  }

  it('momentum and nesterov with mini-batches of 5 (4 steps per epoch, the last of 1 row), 3 epochs', async () => {
    for (const [opts, ref] of [
      [
        { optimizer: 'momentum', momentum: 0.8, learningRate: 0.1 },
        { optimizer: 'momentum', momentum: 0.8 },
      ],
      [
        { optimizer: 'nesterov', momentum: 0.8, learningRate: 0.1 },
        { optimizer: 'nesterov', momentum: 0.8 },
      ],
    ] as [TrainOptions, OptimizerRef][]) {
      const r = await trainBoth(REGRESSION, engine, opts, ref, 3, 5);
      expect(r.diff).toBeLessThanOrEqual(r.tol);
    }
  });

  it('momentum: 0 is accepted (brain.js refuses it) and is exactly SGD, bit for bit; momentum 0.9 is not', async () => {
    const run = async (opts: TrainOptions) => {
      const net = await NN.create(classic({ ...REGRESSION.net, engine, seed: 1 }));
      net.setWeights(randomWeights([3, 5, 2], 10));
      net.train(
        REGRESSION.x,
        REGRESSION.t,
        classicTrain({ epochs: 6, batchSize: 4, shuffle: false, learningRate: 0.3, ...opts }),
      );
      const w = net.getWeights();
      net.dispose();
      return w;
    };
    const sgd = await run({ optimizer: 'sgd' });
    for (const optimizer of ['momentum', 'nesterov'] as const) {
      expect(sameWeights(await run({ optimizer, momentum: 0 }), sgd), `${optimizer} 0`).toBe(true);
      expect(sameWeights(await run({ optimizer, momentum: 0.9 }), sgd), `${optimizer} 0.9`).toBe(false);
    }
  });

  it('learning rates ≥ 1 are accepted (brain.js refuses them) and follow the reference', async () => {
    const r = await trainBoth(REGRESSION, engine, { optimizer: 'sgd', learningRate: 2 }, { optimizer: 'sgd' }, 5);
    expect(r.diff).toBeLessThanOrEqual(r.tol);
  });

  it('adam divides by the bias corrections 1 − β^t; the ConvNetJS multiply is far outside the tolerance', async () => {
    const opts: TrainOptions = { optimizer: 'adam', learningRate: 0.01 };
    const r = await trainBoth(SOFTMAX, engine, opts, { optimizer: 'adam' });
    expect(r.diff).toBeLessThanOrEqual(r.tol);
    const wrong = toRef(randomWeights([4, 6, 3], 10), [4, 6, 3], SOFTMAX.acts);
    trainRef(
      wrong,
      'cross-entropy',
      SOFTMAX.x,
      SOFTMAX.t,
      ROWS,
      new Optimizer({ optimizer: 'adam-convnetjs' }),
      EPOCHS,
      ROWS,
      () => 0.01,
    );
    // at t = 1 the multiply takes steps of lr·(1−β1)/√(1−β2) ≈ 3.2·lr instead of lr
    expect(weightDiff(r.w, wrong)).toBeGreaterThan(100 * r.tol);
  });

  it("adam's step count t continues across train() calls: 4 + 4 epochs follow one 8-step reference", async () => {
    const net = await NN.create(classic({ ...SOFTMAX.net, engine, seed: 1 }));
    const w0 = randomWeights([4, 6, 3], 11);
    net.setWeights(w0);
    const opts: TrainOptions = { optimizer: 'adam', learningRate: 0.02, batchSize: 'full', shuffle: false, epochs: 4 };
    net.train(SOFTMAX.x, SOFTMAX.t, classicTrain(opts));
    net.train(SOFTMAX.x, SOFTMAX.t, classicTrain(opts));
    const refNet = toRef(w0, [4, 6, 3], SOFTMAX.acts);
    trainRef(
      refNet,
      'cross-entropy',
      SOFTMAX.x,
      SOFTMAX.t,
      ROWS,
      new Optimizer({ optimizer: 'adam' }),
      8,
      ROWS,
      () => 0.02,
    );
    expect(weightDiff(net.getWeights(), refNet)).toBeLessThanOrEqual(TOL * Math.max(1, weightScale(refNet)));
    // restarting t at 1 for the second call would be a different trajectory
    const restarted = toRef(w0, [4, 6, 3], SOFTMAX.acts);
    trainRef(
      restarted,
      'cross-entropy',
      SOFTMAX.x,
      SOFTMAX.t,
      ROWS,
      new Optimizer({ optimizer: 'adam' }),
      4,
      ROWS,
      () => 0.02,
    );
    trainRef(
      restarted,
      'cross-entropy',
      SOFTMAX.x,
      SOFTMAX.t,
      ROWS,
      new Optimizer({ optimizer: 'adam' }),
      4,
      ROWS,
      () => 0.02,
    );
    expect(weightDiff(net.getWeights(), restarted)).toBeGreaterThan(10 * TOL);
    net.dispose();
  });

  describe('clipNorm rescales the gradient to the global norm over all layers’ weights and biases', () => {
    it('clipping active at every step (clipNorm far below the gradient norm) follows the reference', async () => {
      // the gradient norm of this setup at the start, from the float64 reference
      const g = gradientRef(
        toRef(randomWeights([3, 5, 2], 10), [3, 5, 2], REGRESSION.acts),
        'mse',
        REGRESSION.x,
        REGRESSION.t,
        ROWS,
      );
      const norm = Math.sqrt(gradList(g).reduce((s, a) => s + a.reduce((q, v) => q + v * v, 0), 0));
      const clipNorm = norm / 4;
      for (const [opts, ref] of [
        [
          { optimizer: 'sgd', learningRate: 1, clipNorm },
          { optimizer: 'sgd', clipNorm },
        ],
        [
          { optimizer: 'momentum', learningRate: 0.5, momentum: 0.9, clipNorm },
          { optimizer: 'momentum', momentum: 0.9, clipNorm },
        ],
      ] as [TrainOptions, OptimizerRef][]) {
        const r = await trainBoth(REGRESSION, engine, opts, ref);
        expect(r.diff, opts.optimizer).toBeLessThanOrEqual(r.tol);
        // the test can tell: clipping per layer, or not at all, ends elsewhere
        const perLayer = toRef(randomWeights([3, 5, 2], 10), [3, 5, 2], REGRESSION.acts);
        trainRef(
          perLayer,
          'mse',
          REGRESSION.x,
          REGRESSION.t,
          ROWS,
          new Optimizer({ ...ref, clipPerLayer: true }),
          EPOCHS,
          ROWS,
          () => opts.learningRate!,
        );
        expect(weightDiff(r.w, perLayer)).toBeGreaterThan(10 * r.tol);
        const unclipped = toRef(randomWeights([3, 5, 2], 10), [3, 5, 2], REGRESSION.acts);
        trainRef(
          unclipped,
          'mse',
          REGRESSION.x,
          REGRESSION.t,
          ROWS,
          new Optimizer({ ...ref, clipNorm: 0 }),
          EPOCHS,
          ROWS,
          () => opts.learningRate!,
        );
        expect(weightDiff(r.w, unclipped)).toBeGreaterThan(10 * r.tol);
      }
    });

    it('a clipNorm above the gradient norm changes nothing, bit for bit', async () => {
      const run = async (clipNorm: number) => {
        const net = await NN.create(classic({ ...REGRESSION.net, engine, seed: 1 }));
        net.setWeights(randomWeights([3, 5, 2], 10));
        net.train(
          REGRESSION.x,
          REGRESSION.t,
          classicTrain({
            epochs: 5,
            batchSize: 'full',
            shuffle: false,
            learningRate: 0.1,
            clipNorm,
          }),
        );
        const w = net.getWeights();
        net.dispose();
        return w;
      };
      expect(sameWeights(await run(1e6), await run(0))).toBe(true);
    });
  });
});
