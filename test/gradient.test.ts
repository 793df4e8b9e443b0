// Finite-difference gradient check: the gradient simdnet applies in one SGD step, read back as
// (W_before − W_after)/η, against central differences of a float64 re-implementation of the loss
// as defined, for every hidden activation × every loss / output activation, every layer's weights
// and biases, on both engines.
import { describe, expect, it } from 'vitest';
import { NN, type Activation, type LossName } from '../src/index.js';
import { rng, randomF32 } from './helpers/random-data.js';
import { finiteDifferenceGradient, f64, type ActivationRef, type NetRef } from './helpers/float64-network.js';
import { maxAbs } from './helpers/tolerance.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

const LAYERS = [4, 5, 3, 3];
const ROWS = 7;

const f = Math.fround;
const HIDDEN: [string, ActivationRef][] = [
  ['sigmoid (gain 0.7, threshold 0.2)', { name: 'sigmoid', gain: f(0.7), threshold: f(0.2) }],
  ['tanh', { name: 'tanh' }],
  ['relu', { name: 'relu' }],
  ['leaky-relu (slope 0.1)', { name: 'leaky-relu', slope: f(0.1) }],
  ['linear', { name: 'linear' }],
];

type Targets = 'real' | 'binary' | 'one-hot' | 'soft';
const OUTPUTS: [string, LossName, ActivationRef, Targets][] = [
  [
    'sse, sigmoid output (gain 1.3, threshold −0.1)',
    'sse',
    { name: 'sigmoid', gain: f(1.3), threshold: f(-0.1) },
    'real',
  ],
  ['mse, tanh output', 'mse', { name: 'tanh' }, 'real'],
  ['mse, linear output', 'mse', { name: 'linear' }, 'real'],
  ['binary-cross-entropy, sigmoid output', 'binary-cross-entropy', { name: 'sigmoid' }, 'binary'],
  [
    'binary-cross-entropy, sigmoid output (gain 1.5)',
    'binary-cross-entropy',
    { name: 'sigmoid', gain: f(1.5) },
    'binary',
  ],
  ['cross-entropy, softmax output', 'cross-entropy', { name: 'softmax' }, 'one-hot'],
  ['cross-entropy, softmax output, soft targets not summing to 1', 'cross-entropy', { name: 'softmax' }, 'soft'],
  ['sse, softmax output', 'sse', { name: 'softmax' }, 'real'],
  ['mse, softmax output', 'mse', { name: 'softmax' }, 'real'],
];

function targets(kind: Targets, random: () => number): Float32Array {
  const cols = LAYERS[LAYERS.length - 1]!,
    t = new Float32Array(ROWS * cols);
  for (let r = 0; r < ROWS; r++) {
    const hot = Math.floor(random() * cols);
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      if (kind === 'real') t[i] = random();
      else if (kind === 'binary') t[i] = i % 4 === 0 ? random() : random() < 0.5 ? 0 : 1;
      else if (kind === 'one-hot') t[i] = j === hot ? 1 : 0;
      else t[i] = j === hot ? 0.7 : 0.2; // Σt = 1.1
    }
  }
  return t;
}

const toSpec = (a: ActivationRef): Activation => ({ ...a }) as Activation;

/*
 * Choice of η and tolerances. One SGD step is exactly linear in η: W_after = W − η·∇E(W), the
 * gradient taken at W whatever η is, so η need not be small. What float32 does to the read-back
 * is round W_after: |error of (W − W_after)/η| ≤ 2^-24·(|W|/η + |g|). A tiny η would drown g in the
 * rounding of W (|W|·2^-24/η), so we take η = 1024 (a power of two: η·g and /η are exact), which
 * leaves an error ≤ 2^-24·(|W|/1024 + |g|), far below the kernels' own float32 error.
 * The float64 central differences with h = 1e-6 are accurate to ~1e-9 relative (truncation h²·E‴,
 * cancellation 1e-16·E/h). What remains is the float32 forward and backward pass (a few dozen
 * roundings over sums of ≤ 7 rows × 5 units): relative error ~1e-7 to 1e-6 of the largest terms
 * (measured: ≤ 1e-7·max|g|). We allow 2e-5·|g| + 2e-6·max|g| (max over every parameter of the
 * network), 20× the worst observed, while a wrong factor (2, 1/rows, the gain), a wrong sign or a
 * missing derivative on any one element is many orders of magnitude outside it.
 */
const ETA = 1024,
  RTOL = 2e-5,
  ATOL = 2e-6;

describe.each(ENGINES)('gradient on %s', (engine) => {
  for (const [hiddenLabel, hidden] of HIDDEN) {
    for (const [outLabel, loss, output, kind] of OUTPUTS) {
      it(`hidden ${hiddenLabel} × ${outLabel}`, async () => {
        const random = rng(hiddenLabel.length * 131 + outLabel.length * 7 + loss.length);
        const net = await NN.create(
          classic({
            layers: LAYERS,
            activation: toSpec(hidden),
            output: toSpec(output),
            loss,
            bias: true,
            engine,
            seed: 1,
          }),
        );
        // random weights and biases (biases start at 0 otherwise, which would hide their effect)
        const weights = LAYERS.slice(1).map((n, l) => randomF32(LAYERS[l]! * n, random, -1, 1));
        const biases = LAYERS.slice(1).map((n) => randomF32(n, random, -0.5, 0.5));
        net.setWeights({ weights, biases });
        const x = randomF32(ROWS * LAYERS[0]!, random, -1, 1);
        const t = targets(kind, random);

        net.train(
          x,
          t,
          classicTrain({ epochs: 1, batchSize: 'full', shuffle: false, learningRate: ETA, optimizer: 'sgd' }),
        );
        const after = net.getWeights();
        net.dispose();

        const ref: NetRef = {
          layers: LAYERS,
          activations: [hidden, hidden, output],
          weights: weights.map(f64),
          biases: biases.map(f64),
        };
        const fd = finiteDifferenceGradient(ref, loss, x, t, ROWS);
        const scale = maxAbs(...fd.weights, ...(fd.biases as Float64Array[]));
        expect(scale, 'the loss has a gradient').toBeGreaterThan(1e-3);
        const check = (label: string, before: Float32Array, afterStep: Float32Array, expected: Float64Array): void => {
          for (let i = 0; i < expected.length; i++) {
            const applied = (before[i]! - afterStep[i]!) / ETA;
            const tol = RTOL * Math.abs(expected[i]!) + ATOL * scale;
            expect(
              Math.abs(applied - expected[i]!),
              `${label}[${i}]: applied ${applied}, finite difference ${expected[i]}`,
            ).toBeLessThanOrEqual(tol);
          }
        };
        for (let l = 0; l < LAYERS.length - 1; l++) {
          check(`weights[${l}]`, weights[l]!, after.weights[l]!, fd.weights[l]!);
          check(`biases[${l}]`, biases[l]!, after.biases[l]!, fd.biases[l]!);
        }
      });
    }
  }
});
