// Reproducibility and initialisation. The same seed gives bit-identical weights run to run on the
// same engine, shuffling included; other seeds give other weights (initialisation) and, from the
// same weights, other shuffles. The initialisers' statistics on large layers match their
// definitions within sampling tolerance: uniform ±r and Xavier ±√(6/(fanIn+fanOut)) (bounds,
// variance r²/3), He N(0, 2/fanIn) and normal N(0, scale²) (mean, standard deviation, and the
// normal's 68.27 % within one σ, which a uniform law of the same variance would miss).
import { describe, expect, it } from 'vitest';
import { NN, type NetworkOptions, type TrainOptions } from '../src/index.js';
import { classTask, randomWeights } from './helpers/random-data.js';
import { sameWeights } from './helpers/bits.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

describe.each(ENGINES)('reproducibility on %s', (engine) => {
  const { x, t } = classTask(120, 5, 3, 6);
  const NET: NetworkOptions = { layers: [5, 12, 3], activation: 'relu', loss: 'cross-entropy', engine };
  const TRAIN: TrainOptions = { epochs: 6, batchSize: 16, optimizer: 'adam', learningRate: 0.01, shuffle: true };

  async function trained(seed: number, weightsFrom?: number) {
    const net = await NN.create(classic({ ...NET, seed }));
    if (weightsFrom !== undefined) net.setWeights(randomWeights([5, 12, 3], weightsFrom));
    const report = net.train(x, t, classicTrain(TRAIN));
    const w = net.getWeights();
    net.dispose();
    return { w, error: report.error };
  }

  it('the same seed: bit-identical weights after shuffled mini-batch training, run after run', async () => {
    const a = await trained(1234),
      b = await trained(1234),
      c = await trained(1234);
    expect(sameWeights(a.w, b.w)).toBe(true);
    expect(sameWeights(a.w, c.w)).toBe(true);
    expect(Object.is(a.error, b.error)).toBe(true);
  });

  it('another seed: other initial weights, and other trained weights', async () => {
    const a = await NN.create(classic({ ...NET, seed: 1 })),
      b = await NN.create(classic({ ...NET, seed: 2 }));
    expect(sameWeights(a.getWeights(), b.getWeights())).toBe(false);
    a.dispose();
    b.dispose();
    expect(sameWeights((await trained(1)).w, (await trained(2)).w)).toBe(false);
  });

  it('the seed drives the shuffle: same initial weights, other seeds → other weights; shuffle: false → seed-independent', async () => {
    expect(sameWeights((await trained(1, 77)).w, (await trained(2, 77)).w)).toBe(false);
    const unshuffled = async (seed: number) => {
      const net = await NN.create(classic({ ...NET, seed }));
      net.setWeights(randomWeights([5, 12, 3], 77));
      net.train(x, t, classicTrain({ ...TRAIN, shuffle: false }));
      const w = net.getWeights();
      net.dispose();
      return w;
    };
    expect(sameWeights(await unshuffled(1), await unshuffled(2))).toBe(true);
  });

  it('no seed: one is drawn, kept in the model (toJSON().seed), and recreating with it reproduces the initial weights', async () => {
    const a = await NN.create(classic({ layers: [4, 6, 2], engine }));
    const { seed } = a.toJSON();
    expect(Number.isInteger(seed)).toBe(true);
    const b = await NN.create(classic({ layers: [4, 6, 2], engine, seed }));
    expect(sameWeights(a.getWeights(), b.getWeights())).toBe(true);
    a.dispose();
    b.dispose();
  });
});

describe('initialisation statistics (200,000 weights per large layer)', () => {
  interface Stats {
    n: number;
    mean: number;
    std: number;
    min: number;
    max: number;
    withinOneStd: number;
  }
  function stats(a: ArrayLike<number>): Stats {
    const n = a.length;
    let sum = 0,
      min = Infinity,
      max = -Infinity;
    for (let i = 0; i < n; i++) {
      sum += a[i]!;
      min = Math.min(min, a[i]!);
      max = Math.max(max, a[i]!);
    }
    const mean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (a[i]! - mean) ** 2;
    const std = Math.sqrt(sq / n);
    let within = 0;
    for (let i = 0; i < n; i++) if (Math.abs(a[i]! - mean) <= std) within++;
    return { n, mean, std, min, max, withinOneStd: within / n };
  }

  /*
   * Sampling tolerances at n = 200,000, each 5 standard errors (a false alarm ~1 in 3·10^6 per check,
   * and the seed is fixed anyway): mean ±5σ/√n; std of a normal law ±5σ/√(2n) (relative 0.8 %);
   * std of a uniform law ±5·√(var X²/n)/(2σ) (the delta method on σ = √E[X²]); the fraction within
   * one σ, binomial: ±5·√(p(1−p)/n) = ±0.0052. A smaller layer scales them by √(n/size).
   */
  const n = 200_000;
  const meanTol = (sigma: number): number => (5 * sigma) / Math.sqrt(n);
  const normalStdTol = (sigma: number): number => (5 * sigma) / Math.sqrt(2 * n);
  // X uniform on ±r: var(X²) = r⁴(1/5 − 1/9) = 4r⁴/45; std ≈ √(mean X²): δstd ≈ δ(X²)/(2σ)
  const uniformStdTol = (r: number): number => (5 * Math.sqrt((4 * r ** 4) / 45 / n)) / (2 * (r / Math.sqrt(3)));
  const P1 = 0.6826894921370859; // P(|Z| ≤ 1) for a standard normal
  const fractionTol = 5 * Math.sqrt((P1 * (1 - P1)) / n);

  function layerWeights(options: NetworkOptions, layer = 0): Float32Array {
    const net = NN.createSync(classic({ engine: 'js', seed: 2024, ...options }));
    const w = net.getWeights();
    net.dispose();
    for (const b of w.biases) expect(b!.every((v) => v === 0)).toBe(true); // biases start at zero
    return w.weights[layer]!;
  }

  it("'uniform' (initScale 0.3): every weight in [−0.3, 0.3), both ends reached, mean 0, variance r²/3", () => {
    const s = stats(layerWeights({ layers: [400, 500], init: 'uniform', initScale: 0.3 }));
    expect(s.min).toBeGreaterThanOrEqual(-0.3);
    expect(s.max).toBeLessThan(0.3);
    expect(s.min).toBeLessThan(-0.3 + 1e-3);
    expect(s.max).toBeGreaterThan(0.3 - 1e-3);
    expect(Math.abs(s.mean)).toBeLessThanOrEqual(meanTol(0.3 / Math.sqrt(3)));
    expect(Math.abs(s.std - 0.3 / Math.sqrt(3))).toBeLessThanOrEqual(uniformStdTol(0.3));
  });

  it("'uniform' without initScale is ±0.5 (the textbook's small random weights)", () => {
    const s = stats(layerWeights({ layers: [400, 500], init: 'uniform' }));
    expect(s.min).toBeGreaterThanOrEqual(-0.5);
    expect(s.max).toBeLessThan(0.5);
    expect(Math.abs(s.std - 0.5 / Math.sqrt(3))).toBeLessThanOrEqual(uniformStdTol(0.5));
  });

  it("'xavier': ±√(6/(fanIn+fanOut)) per layer, uniform (variance 2/(fanIn+fanOut))", () => {
    for (const [layer, fanIn, fanOut] of [
      [0, 400, 500],
      [1, 500, 40],
    ] as const) {
      const r = Math.sqrt(6 / (fanIn + fanOut));
      const s = stats(layerWeights({ layers: [400, 500, 40], init: 'xavier' }, layer));
      expect(s.min).toBeGreaterThanOrEqual(-r * (1 + 2 ** -23));
      expect(s.max).toBeLessThanOrEqual(r * (1 + 2 ** -23));
      expect(s.max).toBeGreaterThan(r * 0.99);
      expect(Math.abs(s.mean)).toBeLessThanOrEqual(meanTol(r / Math.sqrt(3)) * Math.sqrt(n / s.n));
      expect(Math.abs(s.std - r / Math.sqrt(3))).toBeLessThanOrEqual(uniformStdTol(r) * Math.sqrt(n / s.n));
    }
  });

  it("'he': normal with σ = √(2/fanIn): mean, σ, and 68.27 % within one σ", () => {
    const sigma = Math.sqrt(2 / 400);
    const s = stats(layerWeights({ layers: [400, 500], init: 'he', activation: 'relu' }));
    expect(Math.abs(s.mean)).toBeLessThanOrEqual(meanTol(sigma));
    expect(Math.abs(s.std - sigma)).toBeLessThanOrEqual(normalStdTol(sigma));
    expect(Math.abs(s.withinOneStd - P1)).toBeLessThanOrEqual(fractionTol);
    // a uniform law with this σ has 57.7 % within one σ: the check can tell the two apart
    expect(Math.abs(1 / Math.sqrt(3) - P1)).toBeGreaterThan(20 * fractionTol);
  });

  it("'normal' (initScale 0.5; default 1, the article's randn): mean 0, σ = initScale, 68.27 % within one σ", () => {
    for (const [initScale, sigma] of [
      [0.5, 0.5],
      [undefined, 1],
    ] as const) {
      const s = stats(layerWeights({ layers: [400, 500], init: 'normal', ...(initScale ? { initScale } : {}) }));
      expect(Math.abs(s.mean)).toBeLessThanOrEqual(meanTol(sigma));
      expect(Math.abs(s.std - sigma)).toBeLessThanOrEqual(normalStdTol(sigma));
      expect(Math.abs(s.withinOneStd - P1)).toBeLessThanOrEqual(fractionTol);
    }
  });

  it("'auto' is He for ReLU-family layers and Xavier otherwise, layer by layer", () => {
    const opts: NetworkOptions = { layers: [400, 500, 400], activation: ['relu', 'tanh'] };
    const he = stats(layerWeights(opts, 0)),
      xavier = stats(layerWeights(opts, 1));
    expect(Math.abs(he.std - Math.sqrt(2 / 400))).toBeLessThanOrEqual(normalStdTol(Math.sqrt(2 / 400)));
    const r = Math.sqrt(6 / 900);
    expect(xavier.max).toBeLessThanOrEqual(r * (1 + 2 ** -23));
    expect(Math.abs(xavier.std - r / Math.sqrt(3))).toBeLessThanOrEqual(uniformStdTol(r));
  });

  it('both engines draw the same initial weights from the same seed (the generator is shared TypeScript)', () => {
    const a = NN.createSync(classic({ layers: [30, 20, 5], engine: 'js', seed: 3 })),
      b = NN.createSync(classic({ layers: [30, 20, 5], engine: 'wasm', seed: 3 }));
    expect(sameWeights(a.getWeights(), b.getWeights())).toBe(true);
    a.dispose();
    b.dispose();
  });
});
