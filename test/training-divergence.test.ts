// Divergence: a NaN or infinite loss or weight stops training with a DivergenceError that
// names the epoch and the layer; the network keeps the weights (and optimizer state) it had before
// that epoch and stays usable. With onDivergence: 'halve' the epoch is retried at half the
// learning rate, and training completes with finite weights and the smaller rate reported.
import { describe, expect, it } from 'vitest';
import { NN, type Weights } from '../src/index.js';
import { DivergenceError } from '../src/errors.js';
import { expectSameWeights } from './helpers/bits.js';
import { allFinite } from './helpers/network-state.js';
import { ENGINES, type EngineKind } from './helpers/engines.js';
import { rejected, thrown } from './helpers/clear-errors.js';
import { classic, classicTrain } from './helpers/classic.js';

// unnormalised regression data: inputs in [0, 1000), targets their weighted sum (hundreds to thousands)
const ROWS = 48;
const X = new Float32Array(ROWS * 3).map((_, i) => (i * 7919) % 1000);
const T = new Float32Array(ROWS).map((_, r) => 0.5 * X[3 * r]! + 0.25 * X[3 * r + 1]! - X[3 * r + 2]!);
// the same shape, scaled to [0, 10): diverges at learning rate 1 but not below ~0.03
const XS = X.map((v) => v / 100),
  TS = T.map((v) => v / 100);

const regression = (engine: EngineKind, optimizer = false): NN =>
  NN.createSync(
    classic({
      layers: [3, 8, 1],
      activation: optimizer ? 'relu' : 'tanh',
      output: 'linear',
      loss: 'mse',
      engine,
      seed: 21,
    }),
  );

/** The first weight layer holding a NaN or an infinity, or null when all are finite. */
function firstNonFinite(w: Weights): number | null {
  for (let l = 0; l < w.weights.length; l++) {
    if (!w.weights[l]!.every(Number.isFinite) || !(w.biases[l] ?? []).every(Number.isFinite)) return l;
  }
  return null;
}

/** The training state that divergence must roll back: toJSON without the generator (shuffles may advance it). */
function rollbackState(net: NN): unknown {
  const json = net.toJSON();
  delete (json.training as { random?: unknown }).random;
  return json;
}

function expectDivergence(err: unknown, epoch: number, layer: number): DivergenceError {
  expect(err, `expected a DivergenceError, got ${String(err)}`).toBeInstanceOf(DivergenceError);
  const e = err as DivergenceError;
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('DivergenceError');
  expect(e instanceof WebAssembly.RuntimeError).toBe(false);
  expect(e.epoch, 'the epoch named').toBe(epoch);
  expect(e.layer, 'the layer named').toBe(layer);
  expect(e.message).toContain(`epoch ${epoch}`);
  expect(e.message).toContain(`layer ${layer}`);
  return e;
}

describe.each(ENGINES)('divergence on %s', (engine: EngineKind) => {
  const RUNS = [
    { how: 'train, whole epochs in one kernel call', batchSize: 8 as number | 'full', async: false },
    { how: "train, batchSize 'full'", batchSize: 'full' as const, async: false },
    { how: 'train, batchSize 1', batchSize: 1, async: false },
    { how: 'trainAsync, batch by batch', batchSize: 8, async: true },
  ];

  it.each(RUNS)(
    'learningRate 1e6 on unnormalised data ($how): DivergenceError, the weights from before the epoch kept',
    async ({ batchSize, async }) => {
      // oracle: a twin records its weights after every completed epoch (onEpoch runs the same kernels)
      const twin = regression(engine);
      const snapshots: Weights[] = [twin.getWeights()];
      const options = { epochs: 8, batchSize, learningRate: 1e6 };
      const twinErr = thrown(() =>
        twin.train(
          X,
          T,
          classicTrain({
            ...options,
            onEpoch: () => {
              snapshots.push(twin.getWeights());
            },
          }),
        ),
      );
      expect(twinErr).toBeInstanceOf(DivergenceError);
      twin.dispose();

      const net = regression(engine);
      const err = async
        ? await rejected(() => net.trainAsync(X, T, classicTrain(options)))
        : thrown(() => net.train(X, T, classicTrain(options)));
      expect(err).toBeInstanceOf(DivergenceError);
      const e = err as DivergenceError;
      expect(e.epoch, 'the epoch named').toBe(snapshots.length);
      expect(
        Number.isInteger(e.layer) && e.layer >= 0 && e.layer <= 2,
        `layer ${e.layer} is a weight layer (0, 1) or 2 for the loss`,
      ).toBe(true);
      expect(e.message).toContain(`epoch ${e.epoch}`);
      expect(e.message).toContain(`layer ${e.layer}`);
      expectSameWeights(snapshots[snapshots.length - 1]!, net.getWeights(), 'weights after the divergence');
      expect(net.epochs).toBe(snapshots.length - 1);
      // still usable (the kept weights may be huge after full-batch steps at 1e6: start again from the first ones)
      expect(net.predict(X.subarray(0, 3))).toHaveLength(1);
      net.setWeights(snapshots[0]!);
      const report = net.train(XS, TS, classicTrain({ epochs: 20, batchSize: 8, learningRate: 1e-3 }));
      expect(report.epochs).toBe(20);
      expect(allFinite(net.getWeights())).toBe(true);
      net.dispose();
    },
  );

  it.each([
    {
      how: 'a learning rate growing 30-fold per epoch',
      x: X,
      t: T,
      options: { learningRate: 1e-9, schedule: { type: 'exponential' as const, factor: 30 } },
    },
    { how: 'learning rate 1 on data in [0, 10)', x: XS, t: TS, options: { learningRate: 1 } },
  ])(
    'a later epoch diverging ($how): the error names that epoch and the layer, the weights are those after the epoch before',
    ({ x, t, options }) => {
      const net = regression(engine);
      const initial = net.getWeights();
      const afterEpoch: Weights[] = [];
      let lastBatch: Weights | null = null;
      const err = thrown(() =>
        net.train(
          x,
          t,
          classicTrain({
            epochs: 12,
            batchSize: 8,
            shuffle: false,
            ...options,
            onBatch: () => {
              lastBatch = net.getWeights();
            },
            onEpoch: () => {
              afterEpoch.push(net.getWeights());
            },
          }),
        ),
      );
      expect(afterEpoch.length, 'at least one epoch completed before the divergence').toBeGreaterThanOrEqual(1);
      expect(err).toBeInstanceOf(DivergenceError);
      const e = err as DivergenceError;
      // independent oracle of the layer: the first non-finite layer of the weights the epoch ended with;
      // when every weight is finite, the loss is what diverged (layer 2 = the number of weight layers)
      const badLayer = firstNonFinite(lastBatch!);
      expectDivergence(err, afterEpoch.length + 1, badLayer ?? 2);
      if (badLayer === null)
        expect(e.message, 'the loss it names is a non-finite one').toMatch(/loss became (NaN|-?Infinity)/);
      expectSameWeights(afterEpoch[afterEpoch.length - 1]!, net.getWeights(), 'weights kept');
      expect(net.epochs).toBe(afterEpoch.length);
      expect(firstNonFinite(net.getWeights())).toBeNull();
      expect(afterEpoch[0]).not.toEqual(initial);
      net.dispose();
    },
  );

  it('adam: the optimizer state and step are rolled back with the weights', async () => {
    const net = regression(engine, true);
    net.train(XS, TS, classicTrain({ epochs: 2, batchSize: 8, optimizer: 'adam', learningRate: 1e-3 }));
    const before = net.getWeights(),
      state = rollbackState(net),
      epochs = net.epochs;
    const err = await rejected(() =>
      net.trainAsync(
        X,
        T,
        classicTrain({ epochs: 3, batchSize: 8, optimizer: 'adam', learningRate: 1e6, beta2: 0, epsilon: 1e-30 }),
      ),
    );
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as DivergenceError).epoch).toBe(epochs + 1);
    expectSameWeights(before, net.getWeights(), 'weights');
    expect(rollbackState(net), 'Adam moments and step').toEqual(state);
    expect(net.epochs).toBe(epochs);
    net.dispose();
  });

  it("onDivergence 'halve': the epoch is retried at half the rate until finite; training completes with the smaller rate", () => {
    const plain = regression(engine);
    // the same run without 'halve' diverges, so this test depends on the option doing its work
    expect(
      thrown(() => plain.train(XS, TS, classicTrain({ epochs: 30, batchSize: 1, learningRate: 16 }))),
    ).toBeInstanceOf(DivergenceError);
    plain.dispose();

    const net = regression(engine);
    const rates: number[] = [];
    const report = net.train(
      XS,
      TS,
      classicTrain({
        epochs: 30,
        batchSize: 1,
        learningRate: 16,
        onDivergence: 'halve',
        onEpoch: ({ learningRate }) => {
          rates.push(learningRate);
        },
      }),
    );
    expect(report.epochs).toBe(30);
    expect(net.epochs).toBe(30);
    expect(allFinite(net.getWeights())).toBe(true);
    expect(Number.isFinite(report.error)).toBe(true);
    expect(report.learningRate).toBeLessThan(16);
    const halvings = Math.log2(16 / report.learningRate);
    expect(Number.isInteger(halvings) && halvings >= 1 && halvings <= 10, `learning rate 1/2^${halvings}`).toBe(true);
    expect(rates).toHaveLength(30);
    expect(rates[rates.length - 1]).toBe(report.learningRate);
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeLessThanOrEqual(rates[i - 1]!);
    net.dispose();
  });

  it("onDivergence 'halve' gives up with a DivergenceError (not an endless loop) when halving cannot help, weights kept", async () => {
    const net = regression(engine);
    const before = net.getWeights();
    const err = await rejected(() =>
      net.trainAsync(X, T, classicTrain({ epochs: 3, batchSize: 8, learningRate: 1e6, onDivergence: 'halve' })),
    );
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as DivergenceError).epoch).toBe(1);
    expectSameWeights(before, net.getWeights(), 'weights');
    net.dispose();
  });
});
