// What a new network's first train() decides from its data, and what it leaves alone: the output
// layer and loss from the targets (one-hot rows or labels: softmax and cross-entropy; one 0/1
// column: sigmoid and binary cross-entropy; anything else: linear and MSE), z-scored inputs and
// standardized regression targets fitted on the training rows and saved with the model (each
// held to a float64 re-derivation and to the same training spelled out by hand, bit for bit),
// while explicit options, set weights, loaded models and normalize: 'none' keep what they have.
// And the epoch rules: up to 200 with the plateau stop by default, exactly `epochs` when given.
import { describe, expect, it } from 'vitest';
import { NN, type NetworkOptions } from '../src/index.js';
import { asRows, randomRows } from './helpers/random-data.js';
import { ENGINES } from './helpers/engines.js';

const head = (net: NN): [string, string] => {
  const json = net.toJSON();
  return [json.activations.at(-1)!.name, json.loss];
};

/** Column means and population standard deviations in float64. */
function columnStats(rows: number[][]): { mean: number[]; std: number[] } {
  const n = rows.length,
    cols = rows[0]!.length;
  const mean = Array.from({ length: cols }, (_, c) => rows.reduce((s, r) => s + r[c]!, 0) / n);
  const std = mean.map((m, c) => Math.sqrt(rows.reduce((s, r) => s + (r[c]! - m) ** 2, 0) / n));
  return { mean, std };
}

const X = asRows(randomRows(48, 3, 21, -4, 9), 3);

describe('the output layer and loss come from the first targets', () => {
  const cases: [string, (number[] | number)[], [string, string]][] = [
    ['one-hot rows', X.map((_, i) => [0, 0, 0, 1].map((_, j) => (j === i % 4 ? 1 : 0))), ['softmax', 'cross-entropy']],
    ['one column of 0/1', X.map((_, i) => [i % 3 === 0 ? 1 : 0]), ['sigmoid', 'binary-cross-entropy']],
    ['one column of other values', X.map((_, i) => [i * 0.5 - 3]), ['linear', 'mse']],
    ['rows that are not one-hot', X.map((_, i) => [1, i % 2, 0, 0]), ['linear', 'mse']],
  ];
  it.each(cases)('%s', async (_, t, expected) => {
    const k = Array.isArray(t[0]) ? t[0].length : 1;
    const net = await NN.create({ layers: [3, 5, k], seed: 1 });
    expect(net.classes).toBeNull();
    net.train(X, t as number[][], { epochs: 1 });
    expect(head(net)).toEqual(expected);
    net.dispose();
  });

  it('an explicit output or loss is kept, and the other follows it', async () => {
    const onehot = X.map((_, i) => [0, 0, 1].map((_, j) => (j === i % 3 ? 1 : 0)));
    const given: [NetworkOptions, [string, string]][] = [
      [{ layers: [3, 4, 3], output: 'sigmoid', loss: 'mse' }, ['sigmoid', 'mse']],
      [{ layers: [3, 4, 3], output: 'tanh' }, ['tanh', 'mse']],
      [{ layers: [3, 4, 3], loss: 'sse' }, ['linear', 'sse']],
      [{ layers: [3, 4, 3], activation: ['relu', 'sigmoid'] }, ['sigmoid', 'binary-cross-entropy']],
    ];
    for (const [options, expected] of given) {
      const net = await NN.create({ ...options, seed: 2 });
      net.train(X, onehot, { epochs: 1 });
      expect(head(net), JSON.stringify(options)).toEqual(expected);
      net.dispose();
    }
  });
});

describe.each(ENGINES)('inputs and targets fitted at the first train, on %s', (engine) => {
  it("z-scored inputs: the normaliser is the first rows' mean and deviation, and training is the explicit 'zscore' network's, bit for bit", async () => {
    const t = X.map((_, i) => [0, 1].map((j) => (j === i % 2 ? 1 : 0)));
    const auto = await NN.create({ layers: [3, 6, 2], engine, seed: 5 });
    const spelled = await NN.create({ layers: [3, 6, 2], output: 'softmax', normalize: 'zscore', engine, seed: 5 });
    auto.train(X, t, { epochs: 4 });
    spelled.train(X, t, { epochs: 4 });
    expect(auto.getWeights()).toEqual(spelled.getWeights());
    const { mean, std } = columnStats(X);
    const n = auto.toJSON().normalizer!;
    expect(n.kind).toBe('zscore');
    n.offset.forEach((v, c) => expect(Math.abs(v - mean[c]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(mean[c]!))));
    n.scale.forEach((v, c) => expect(Math.abs(v * std[c]! - 1)).toBeLessThan(1e-9));
    expect(auto.toJSON().targetStandardizer).toBeNull();
    // fitted once: a second train keeps it
    auto.train(
      X.map((r) => r.map((v) => v * 10)),
      t,
      { epochs: 1 },
    );
    expect(auto.toJSON().normalizer).toEqual(n);
    auto.dispose();
    spelled.dispose();
  });

  it("standardized regression targets: the model learns (t − mean) / std and predict answers in the targets' units", async () => {
    const t = X.map(([a, b, c]) => [1000 + 80 * a! - 30 * b! + c! * c!, -0.002 * a!]);
    const auto = await NN.create({ layers: [3, 8, 2], engine, seed: 6 });
    auto.train(X, t, { epochs: 6 });
    // the model reads its targets as float32
    const { mean, std } = columnStats(t.map((row) => row.map(Math.fround)));
    const s = auto.toJSON().targetStandardizer!;
    s.mean.forEach((v, c) => expect(Math.abs(v - mean[c]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(mean[c]!))));
    s.scale.forEach((v, c) => expect(Math.abs(v / std[c]! - 1)).toBeLessThan(1e-9));
    // by hand: the same network on targets standardized here, its outputs mapped back here
    const byHand = await NN.create({
      layers: [3, 8, 2],
      output: 'linear',
      loss: 'mse',
      normalize: 'zscore',
      engine,
      seed: 6,
    });
    byHand.train(
      X,
      t.map((row) => row.map((v, c) => Math.fround((Math.fround(v) - s.mean[c]!) / s.scale[c]!))),
      { epochs: 6 },
    );
    expect(auto.getWeights()).toEqual(byHand.getWeights());
    const mine = auto.predict(X),
      raw = byHand.predict(X);
    mine.forEach((row, r) =>
      row.forEach((v, c) => {
        const expected = raw[r]![c]! * s.scale[c]! + s.mean[c]!;
        expect(Math.abs(v - expected)).toBeLessThanOrEqual(2 ** -23 * Math.abs(expected) + 1e-30);
      }),
    );
    // evaluate: rmse and mae in the targets' units (read as float32), from predict, in float64
    const flat = mine.flatMap((r) => Array.from(r)),
      truth = t.flat().map(Math.fround);
    const rmse = Math.sqrt(flat.reduce((a, v, i) => a + (v - truth[i]!) ** 2, 0) / flat.length);
    const mae = flat.reduce((a, v, i) => a + Math.abs(v - truth[i]!), 0) / flat.length;
    const m = auto.evaluate(X, t);
    const close = (a: number | undefined, b: number): void =>
      expect(Math.abs(a! - b)).toBeLessThanOrEqual(1e-12 * Math.abs(b));
    close(m.rmse, rmse);
    close(m.mae, mae);
    // r2: per output 1 − SSres/SStot, averaged
    const r2 = [0, 1].reduce((acc, c) => {
      const res = t.reduce((a, row, r) => a + (mine[r]![c]! - Math.fround(row[c]!)) ** 2, 0);
      const tot = t.reduce((a, row) => a + (Math.fround(row[c]!) - mean[c]!) ** 2, 0);
      return acc + (1 - res / tot) / 2;
    }, 0);
    close(m.r2, r2);
    // the loss as trained: on the standardized targets (which float32 holds to its rounding)
    const standardized = t.map((row) => row.map((v, c) => (Math.fround(v) - s.mean[c]!) / s.scale[c]!));
    const lossByHand = byHand.evaluate(X, standardized).loss;
    expect(Math.abs(m.loss - lossByHand)).toBeLessThanOrEqual(1e-6 * lossByHand);
    auto.dispose();
    byHand.dispose();
  });
});

describe('what the first train leaves alone', () => {
  const t = X.map(([a]) => [a! * 100 + 7]);
  it("normalize: 'none', set weights and loaded models keep their inputs and outputs as they are", async () => {
    const none = await NN.create({ layers: [3, 4, 1], normalize: 'none', seed: 3 });
    none.train(X, t, { epochs: 1 });
    const set = await NN.create({ layers: [3, 4, 1], seed: 3 });
    set.setWeights(set.getWeights());
    set.train(X, t, { epochs: 1 });
    const saved = await NN.create({ layers: [3, 4, 1], seed: 3 });
    const loaded = await NN.fromJSON(saved.toJSON());
    loaded.train(X, t, { epochs: 1 });
    for (const [what, net] of [
      ['none', none],
      ['set', set],
      ['loaded', loaded],
    ] as const) {
      expect(net.toJSON().normalizer, what).toBeNull();
      expect(net.toJSON().targetStandardizer, what).toBeNull();
      expect(net.toJSON().normalize, what).toBe('none');
    }
    // set weights still leave the output to the targets; a loaded model keeps its own
    expect(head(set)).toEqual(['linear', 'mse']);
    expect(head(none)).toEqual(['linear', 'mse']);
    for (const net of [none, set, saved, loaded]) net.dispose();
  });

  it('predict before the first train takes the inputs as they are (nothing is fitted yet)', async () => {
    const net = await NN.create({ layers: [3, 4, 2], seed: 8 });
    const w = net.getWeights();
    const row = [0.5, -1, 2];
    const hidden = Array.from({ length: 4 }, (_, j) =>
      Math.max(
        0,
        row.reduce((s, v, i) => s + v * w.weights[0]![i * 4 + j]!, 0),
      ),
    );
    const out = Array.from({ length: 2 }, (_, j) => hidden.reduce((s, v, i) => s + v * w.weights[1]![i * 2 + j]!, 0));
    const y = net.predict(row);
    out.forEach((v, j) => expect(Math.abs(y[j]! - v)).toBeLessThan(1e-5));
    net.dispose();
  });
});

describe('epochs and the report', () => {
  const x = asRows(randomRows(64, 2, 8), 2),
    t = x.map((r) => [r[0]! + r[1]! > 0 ? 1 : 0]);

  it('by default: up to 200 epochs, stopping on a plateau of the loss with the best weights restored', async () => {
    const net = await NN.create({ layers: [2, 4, 1], seed: 12 });
    const report = net.train(x, t);
    expect(report.epochs).toBeLessThanOrEqual(200);
    expect(report.history).toHaveLength(report.epochs);
    expect(report.history.map((h) => h.epoch)).toEqual(Array.from({ length: report.epochs }, (_, i) => i + 1));
    for (const h of report.history) {
      expect(h.loss).toBeTypeOf('number');
      expect(h.accuracy).toBeTypeOf('number');
      expect(h.validationLoss).toBeNull();
      expect(h.learningRate).toBe(0.001);
      expect(h.ms).toBeGreaterThanOrEqual(0);
    }
    const losses = report.history.map((h) => h.loss!);
    if (report.stoppedBy === 'earlyStopping') {
      // ten epochs without an improvement by 1e-4 after the best, whose weights the network ends with
      const best = report.bestEpoch;
      expect(report.epochs - best).toBe(10);
      const bestLoss = losses[best - 1]!;
      expect(Math.min(...losses.slice(best))).toBeGreaterThan(bestLoss - 1e-4);
      expect(net.evaluate(x, t).loss).toBe(bestLoss);
      expect(report.loss).toBe(bestLoss);
    } else {
      expect(report.stoppedBy).toBe('epochs');
      expect(report.epochs).toBe(200);
      expect(report.bestEpoch).toBe(200);
    }
    net.dispose();
  });

  it('an explicit epoch count without a stop rule trains exactly that many; earlyStopping: false turns the plateau stop off', async () => {
    const exact = await NN.create({ layers: [2, 4, 1], seed: 12 });
    // a learning rate this small plateaus at once, which the default stop would end after 10 epochs
    expect(exact.train(x, t, { epochs: 40, learningRate: 1e-9 }).epochs).toBe(40);
    const stops = await NN.create({ layers: [2, 4, 1], seed: 12 });
    expect(stops.train(x, t, { learningRate: 1e-9 }).stoppedBy).toBe('earlyStopping');
    const off = await NN.create({ layers: [2, 4, 1], seed: 12 });
    const r = off.train(x, t, { learningRate: 1e-9, earlyStopping: false, evaluate: false });
    expect(r.epochs).toBe(200);
    // evaluate: false measures nothing it does not need
    expect(r.history.every((h) => h.loss === null)).toBe(true);
    for (const n of [exact, stops, off]) n.dispose();
  });

  it("the article preset: the seed's network and its training defaults, kept through a saved model", async () => {
    const net = await NN.create({ layers: [3, 4, 3], preset: 'article', seed: 11 });
    const json = net.toJSON();
    expect(json.activations).toEqual([
      { name: 'sigmoid', gain: 0.04, threshold: 0.1, slope: 0.01 },
      { name: 'sigmoid', gain: 0.04, threshold: 0.1, slope: 0.01 },
    ]);
    expect([json.loss, json.bias, json.init, json.normalize, json.preset]).toEqual([
      'sse',
      false,
      'normal',
      'none',
      'article',
    ]);
    const data = { x: randomRows(20, 3, 2, 0, 1), t: randomRows(20, 3, 3, 0, 1) };
    const report = net.train(data.x, data.t, { epochs: 3 });
    // plain SGD over all rows at μ = 0.01: no optimizer slots, one step per epoch
    expect(report.learningRate).toBe(0.01);
    expect(net.toJSON().training!.state).toBeNull();
    expect(net.toJSON().training!.step).toBe(3);
    const copy = await NN.fromJSON(JSON.stringify(net.toJSON()));
    copy.train(data.x, data.t, { epochs: 1 });
    expect(copy.toJSON().training!.state).toBeNull();
    net.dispose();
    copy.dispose();
  });
});
