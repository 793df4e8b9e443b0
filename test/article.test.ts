// The article's network, trained by simdnet on both engines, against a float64 port of the
// article's Python (test/helpers/article-port.ts) started from the same initial weights.
import { describe, expect, it } from 'vitest';
import { NN, articleData } from '../src/index.js';
import { f64 } from './helpers/float64-network.js';
import { ArticleNN } from './helpers/article-port.js';
import { maxAbs, maxAbsDiff } from './helpers/tolerance.js';
import { ENGINES } from './helpers/engines.js';

interface Run {
  weights: Float64Array[];
  errors: number[];
  epochs: number[];
  reportError: number;
}

async function trainSimdnet(
  engine: 'js' | 'wasm',
  layers: number[],
  gain: number,
  threshold: number,
  learningRate: number,
  batchSize: number | 'full',
  epochs: number,
  data: { inputs: Float32Array; targets: Float32Array },
  seed: number,
): Promise<{ initial: Float64Array[]; run: Run }> {
  // the article preset (sigmoid, 'sse', no bias, randn weights, raw inputs; plain SGD without
  // shuffling), with the gain and threshold of the case
  const net = await NN.create({
    layers,
    preset: 'article',
    activation: { name: 'sigmoid', gain, threshold },
    engine,
    seed,
  });
  const initial = net.getWeights().weights.map(f64);
  const errors: number[] = [],
    epochNumbers: number[] = [];
  const report = net.train(data.inputs, data.targets, {
    epochs,
    batchSize,
    learningRate,
    onEpoch: ({ epoch, error }) => {
      epochNumbers.push(epoch);
      errors.push(error);
    },
  });
  const weights = net.getWeights().weights.map(f64);
  net.dispose();
  return { initial, run: { weights, errors, epochs: epochNumbers, reportError: report.error } };
}

/**
 * Weights within 1e-4·max|w|: float32 storage rounds each weight by ≤ 2^-24 relative per update,
 * and each full-batch gradient is a float32 sum of 1000 row terms (relative error ≲ 1000·2^-24 ≈ 6e-5 of
 * the update, itself ≲ 1% of |w| here), so 30 updates drift by ≲ 30·(6e-8 + 6e-7)·max|w| ≈ 2e-5·max|w|.
 * Errors: the float32 forward pass gives each output to ~1e-6 relative, so the summed error is within
 * 1e-5 relative (and the weights' drift moves it by less).
 */
function expectMatchesReference(
  run: Run,
  refWeights: Float64Array[],
  refErrors: number[],
  epochs: number,
  weightTol = 1e-4,
  errorTol = 1e-5,
): void {
  expect(run.epochs).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  const scale = maxAbs(...refWeights);
  for (let l = 0; l < refWeights.length; l++) {
    expect(maxAbsDiff(run.weights[l]!, refWeights[l]!)).toBeLessThanOrEqual(weightTol * scale);
  }
  expect(run.errors).toHaveLength(refErrors.length);
  for (let e = 0; e < refErrors.length; e++) {
    expect(Math.abs(run.errors[e]! - refErrors[e]!)).toBeLessThanOrEqual(errorTol * refErrors[e]!);
  }
  expect(Math.abs(run.reportError - refErrors[refErrors.length - 1]!)).toBeLessThanOrEqual(
    errorTol * refErrors[refErrors.length - 1]!,
  );
}

describe("the article's network", () => {
  // the article's script: layer_sizes (4, 3) on 3 inputs, 1000 rows of random bits, α 0.04, θ 0.1, μ 0.01
  const data = articleData({ rows: 1000, inputs: 3, outputs: 3, seed: 7 });

  it('articleData gives 0/1 inputs and targets of the requested shape', () => {
    expect(data.inputs).toHaveLength(3000);
    expect(data.targets).toHaveLength(3000);
    for (const v of [...data.inputs, ...data.targets]) expect(v === 0 || v === 1).toBe(true);
    // both values occur (random bits, not a constant column)
    expect(data.inputs.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
    expect(data.inputs.reduce((a, b) => a + b, 0)).toBeLessThan(2000);
  });

  for (const engine of ENGINES) {
    it(`full batch (the article's code), 30 epochs, matches the float64 port on '${engine}'`, async () => {
      const { initial, run } = await trainSimdnet(engine, [3, 4, 3], 0.04, 0.1, 0.01, 'full', 30, data, 11);
      // init 'normal' with σ = 1 is the article's randn: a sanity check on the initial weights' spread
      const all = initial.flatMap((w) => [...w]);
      expect(all).toHaveLength(12 + 12);
      expect(maxAbs(all)).toBeLessThan(5);
      const ref = new ArticleNN(
        [3, 4, 3],
        initial.map((w) => w.slice()),
        0.04,
        0.1,
        0.01,
      );
      const refErrors = ref.fit(data.inputs, data.targets, 1000, 30);
      expectMatchesReference(run, ref.w, refErrors, 30);
      // the weights did move: the comparison is not between two copies of the initial weights
      expect(maxAbsDiff(ref.w[0]!, initial[0]!)).toBeGreaterThan(1e-3);
    });

    it(`deeper [3,5,4,3] with gain 1, threshold 0 matches the float64 port on '${engine}'`, async () => {
      const deep = articleData({ rows: 500, inputs: 3, outputs: 3, seed: 3 });
      const { initial, run } = await trainSimdnet(engine, [3, 5, 4, 3], 1, 0, 0.002, 'full', 30, deep, 5);
      const ref = new ArticleNN(
        [3, 5, 4, 3],
        initial.map((w) => w.slice()),
        1,
        0,
        0.002,
      );
      const refErrors = ref.fit(deep.inputs, deep.targets, 500, 30);
      expectMatchesReference(run, ref.w, refErrors, 30);
      expect(refErrors[29]!).toBeLessThan(refErrors[0]!); // it learns something
      expect(maxAbsDiff(ref.w[2]!, initial[2]!)).toBeGreaterThan(1e-2);
    });

    it(`sequential mode (batchSize 1, the article's text) matches the float64 port on '${engine}'`, async () => {
      const seq = articleData({ rows: 200, inputs: 3, outputs: 3, seed: 9 });
      const { initial, run } = await trainSimdnet(engine, [3, 4, 3], 1, 0.1, 0.05, 1, 10, seq, 21);
      const ref = new ArticleNN(
        [3, 4, 3],
        initial.map((w) => w.slice()),
        1,
        0.1,
        0.05,
      );
      const refErrors = ref.fitSequential(seq.inputs, seq.targets, 200, 10);
      // 2000 per-sample updates: rounding of the stored weights adds ≤ 2^-24·|w| per update, a random
      // walk of ≈ √2000·6e-8 ≈ 3e-6 relative (≤ 1.2e-4 in the worst, all-same-sign case)
      expectMatchesReference(run, ref.w, refErrors, 10, 2e-4, 1e-4);
      // the per-sample path differs from the full-batch one: the same data and weights trained with
      // one full-batch step per epoch ends elsewhere
      const batch = new ArticleNN(
        [3, 4, 3],
        initial.map((w) => w.slice()),
        1,
        0.1,
        0.05 / 200,
      );
      batch.fit(seq.inputs, seq.targets, 200, 10);
      expect(maxAbsDiff(batch.w[0]!, ref.w[0]!)).toBeGreaterThan(1e-3);
    });

    it(`sequential mode with the article's own α 0.04, θ 0.1, μ 0.01 matches the float64 port on '${engine}'`, async () => {
      const { initial, run } = await trainSimdnet(engine, [3, 4, 3], 0.04, 0.1, 0.01, 1, 3, data, 11);
      const ref = new ArticleNN(
        [3, 4, 3],
        initial.map((w) => w.slice()),
        0.04,
        0.1,
        0.01,
      );
      const refErrors = ref.fitSequential(data.inputs, data.targets, 1000, 3);
      // 3000 per-sample updates (same reasoning as above)
      expectMatchesReference(run, ref.w, refErrors, 3, 2e-4, 1e-4);
    });

    it(`data too large to keep resident (streamed batch by batch) trains like the float64 port on '${engine}'`, async () => {
      // 200000 rows × 6 floats = 4.8 MB, over the 4 MiB that is copied into engine memory once
      const rows = 200_000,
        batch = 10_000;
      const big = articleData({ rows, inputs: 3, outputs: 3, seed: 13 });
      const { initial, run } = await trainSimdnet(engine, [3, 4, 3], 1, 0.1, 1e-5, batch, 2, big, 17);
      const ref = new ArticleNN(
        [3, 4, 3],
        initial.map((w) => w.slice()),
        1,
        0.1,
        1e-5,
      );
      const refErrors: number[] = [];
      for (let epoch = 0; epoch < 2; epoch++) {
        for (let start = 0; start < rows; start += batch) {
          const xb = big.inputs.subarray(start * 3, (start + batch) * 3),
            tb = big.targets.subarray(start * 3, (start + batch) * 3);
          ref.forward(xb, batch);
          ref.update(ref.backword(tb, batch), xb, batch);
        }
        ref.forward(big.inputs, rows);
        refErrors.push(ref.calculateError(big.targets));
      }
      // each update sums 10000 rows in float32 (typically ~√10000·2^-24 ≈ 1e-5 relative) on a step
      // that is a few % of |w|: the weights stay within 1e-4·max|w|; the errors (float64 sums) 1e-5
      expectMatchesReference(run, ref.w, refErrors, 2);
      expect(maxAbsDiff(ref.w[1]!, initial[1]!)).toBeGreaterThan(1e-2);
    });
  }
});
