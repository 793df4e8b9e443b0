// bench/lean.ts, the hand-written baseline that the small-network benchmarks divide by, computes
// what it claims: one step of gradient descent on E = Σ (y − t)², against the float64
// backpropagation of test/helpers/float64-training.ts, per row (batch 1) and per mini-batch of 4.
import { describe, expect, it } from 'vitest';
import { randomF32, randomWeights, rng } from './helpers/random-data.js';
import { toRef, type ActivationRef } from './helpers/float64-network.js';
import { gradientRef } from './helpers/float64-training.js';

interface LeanSpec {
  layers: number[];
  activation: 'sigmoid' | 'tanh';
  gain: number;
  threshold: number;
  bias: boolean;
}
interface LeanMLP {
  readonly w: Float32Array[];
  readonly b: (Float32Array | null)[];
  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void;
  forward(x: Float32Array, off: number): Float32Array;
}
// bench/ has its own tsconfig, so its module comes in untyped (as the soak test loads bench/soak.mjs)
const { LeanMLP } = (await import(/* @vite-ignore */ new URL('../bench/lean.ts', import.meta.url).href)) as {
  LeanMLP: new (spec: LeanSpec, weights: Float32Array[], biases: (Float32Array | null)[]) => LeanMLP;
};

const SPECS: LeanSpec[] = [
  { layers: [3, 4, 3], activation: 'sigmoid', gain: 0.04, threshold: 0.1, bias: false },
  { layers: [2, 3, 1], activation: 'tanh', gain: 1, threshold: 0, bias: true },
  { layers: [10, 20, 5], activation: 'sigmoid', gain: 1.5, threshold: -0.2, bias: true },
  { layers: [4, 6, 5, 2], activation: 'tanh', gain: 1, threshold: 0, bias: true },
];

describe('the lean baseline', () => {
  for (const spec of SPECS) {
    it.each([1, 4])(
      `${spec.layers.join('-')} ${spec.activation}, bias ${spec.bias}: one step of batch %i as float64 backpropagation`,
      (batch) => {
        const random = rng(spec.layers.length * 10 + batch);
        const nin = spec.layers[0]!,
          nout = spec.layers[spec.layers.length - 1]!;
        const x = randomF32(batch * nin, random, -1, 1),
          t = randomF32(batch * nout, random, 0, 1);
        const start = randomWeights(spec.layers, batch, 0.8);
        if (!spec.bias) start.biases = start.biases.map(() => null);
        const act: ActivationRef =
          spec.activation === 'sigmoid'
            ? { name: 'sigmoid', gain: spec.gain, threshold: spec.threshold }
            : { name: 'tanh' };
        const ref = toRef(
          start,
          spec.layers,
          spec.layers.slice(1).map(() => act),
        );
        const lr = 1;
        const g = gradientRef(ref, 'sse', x, t, batch);
        const lean = new LeanMLP(spec, start.weights, start.biases);
        lean.trainEpoch(x, t, batch, batch, lr);
        for (let l = 0; l < spec.layers.length - 1; l++) {
          const fanIn = spec.layers[l]!,
            fanOut = spec.layers[l + 1]!;
          // float32 storage and sums of ≤ 20 float32 products: 1e-6 of the weight's size and its step
          for (let i = 0; i < fanIn; i++) {
            for (let j = 0; j < fanOut; j++) {
              const expected = ref.weights[l]![i * fanOut + j]! - lr * g.weights[l]![i * fanOut + j]!;
              const tolerance =
                1e-6 * (Math.abs(ref.weights[l]![i * fanOut + j]!) + lr * Math.abs(g.weights[l]![i * fanOut + j]!)) +
                1e-9;
              expect(Math.abs(lean.w[l]![j * fanIn + i]! - expected), `w[${l}][${i}][${j}]`).toBeLessThanOrEqual(
                tolerance,
              );
            }
          }
          if (spec.bias) {
            for (let j = 0; j < fanOut; j++) {
              const expected = ref.biases[l]![j]! - lr * g.biases[l]![j]!;
              expect(Math.abs(lean.b[l]![j]! - expected), `b[${l}][${j}]`).toBeLessThanOrEqual(
                1e-6 * (Math.abs(expected) + lr * Math.abs(g.biases[l]![j]!)) + 1e-9,
              );
            }
          }
          // the step is not negligible next to the tolerance
          expect(Math.max(...g.weights[l]!.map(Math.abs)) * lr).toBeGreaterThan(1e-5);
        }
      },
    );
  }
});
