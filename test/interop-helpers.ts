// Shared by the interop tests: the models every exporter is held to, the two other runtimes
// (onnxruntime-web's Wasm build in Node, TensorFlow.js's cpu backend), and the tolerance check.
import { expect } from 'vitest';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs';
import { NN, type TFJSModel } from '../src/interop/index.js';
import { articleData, type ActivationSpec, type NetworkOptions } from '../src/index.js';
import { mulberry32 } from '../src/model/random.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
tf.env().set('IS_TEST', true); // no "install tfjs-node" banner

export interface Case { name: string; options: NetworkOptions; range: [number, number] }

const article: NetworkOptions = { layers: [3, 4, 3], activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 }, bias: false, loss: 'sse', init: 'normal' };

/** The article's network, a ReLU/softmax classifier, tanh/sigmoid, leaky ReLU/linear, the gain with a bias; with and without bias and normaliser. */
export const CASES: Case[] = [
  { name: "the article's network (sigmoid gain 0.04, threshold 0.1, no bias)", options: article, range: [0, 1] },
  { name: "the article's network with a z-score normaliser", options: { ...article, normalize: 'zscore' }, range: [-3, 8] },
  { name: 'ReLU / softmax classifier', options: { layers: [4, 8, 3], activation: 'relu', output: 'softmax' }, range: [-2, 2] },
  { name: 'ReLU / softmax classifier without bias, min-max normaliser', options: { layers: [4, 8, 3], activation: 'relu', output: 'softmax', bias: false, normalize: 'minmax' }, range: [10, 50] },
  { name: 'tanh / sigmoid', options: { layers: [3, 5, 2], activation: 'tanh', output: 'sigmoid', loss: 'binary-cross-entropy' }, range: [-2, 2] },
  { name: 'tanh / sigmoid without bias, z-score normaliser', options: { layers: [3, 5, 2], activation: 'tanh', output: 'sigmoid', bias: false, normalize: 'zscore' }, range: [-100, 300] },
  { name: 'leaky ReLU (slope 0.2) / linear', options: { layers: [5, 6, 4, 2], activation: { name: 'leaky-relu', slope: 0.2 }, output: 'linear', loss: 'mse' }, range: [-3, 3] },
  { name: 'leaky ReLU / linear without bias, min-max normaliser', options: { layers: [5, 6, 2], activation: { name: 'leaky-relu', slope: 0.05 }, output: 'linear', loss: 'mse', bias: false, normalize: 'minmax' }, range: [0, 1000] },
  { name: 'sigmoid gain 2.5, threshold -0.3, with bias and normaliser', options: { layers: [4, 6, 3], activation: { name: 'sigmoid', gain: 2.5, threshold: -0.3 }, output: 'softmax', normalize: 'zscore' }, range: [-5, 5] },
];

/** The case's hidden sigmoid spec (gain, threshold), or null. */
export function sigmoidOf(c: Case): ActivationSpec | null {
  const a = c.options.activation;
  return typeof a === 'object' && !Array.isArray(a) && (a as ActivationSpec).name === 'sigmoid' ? a as ActivationSpec : null;
}

/** Rows of uniform values in [lo, hi), from a seeded generator. */
export function uniformRows(rows: number, cols: number, [lo, hi]: [number, number], seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: rows * cols }, () => lo + (hi - lo) * r());
}

/** A network of the case, trained a few epochs on seeded data (which also fits its normaliser). */
export function trained(c: Case, engine: 'js' | 'wasm', seed = 3): NN {
  const net = NN.createSync({ ...c.options, engine, seed });
  const inputs = net.inputSize, outputs = net.outputSize;
  const data = articleData({ rows: 40, inputs, outputs, seed });
  const isArticle = c.options.layers === article.layers;
  const x = isArticle && c.options.normalize === undefined ? data.inputs : uniformRows(40, inputs, c.range, seed);
  const t = isArticle ? data.targets : uniformRows(40, outputs, [0, 1], seed + 1);
  if (c.options.output === 'softmax') for (let r = 0; r < 40; r++) for (let j = 0; j < outputs; j++) t[r * outputs + j] = j === r % outputs ? 1 : 0;
  net.train(x, t, { epochs: 5, batchSize: 8, learningRate: 0.05 });
  return net;
}

/** ONNX Runtime's outputs for rows of inputs, one thread, its Wasm CPU backend. */
export async function onnxRuntime(bytes: Uint8Array, x: Float32Array, inputs: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ input: new ort.Tensor('float32', x, [x.length / inputs, inputs]) });
    return result.output!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** TensorFlow.js's outputs for a layers model loaded with tf.loadLayersModel from memory. */
export async function tensorflow(files: TFJSModel, x: Float32Array, inputs: number): Promise<Float32Array> {
  const model = await loadTFJS(files);
  try {
    return tf.tidy(() => (model.predict(tf.tensor2d(x, [x.length / inputs, inputs])) as tf.Tensor).dataSync() as Float32Array);
  } finally {
    model.dispose();
  }
}

export function loadTFJS({ modelJSON, weightData }: TFJSModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJSON.modelTopology, weightSpecs: modelJSON.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
  }));
}

/**
 * |a − b| ≤ rel · max(|a|, |b|, m) for every value, m being the largest |value| of its output row:
 * relative per value, and relative to the row where a linear output sums to nearly 0 and float32
 * cancellation leaves only the row's scale to compare with. Returns the worst ratio seen.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string, width: number): number {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let r = 0; r < expected.length; r += width) {
    let m = 0;
    for (let j = r; j < r + width; j++) m = Math.max(m, Math.abs(expected[j]!));
    for (let i = r; i < r + width; i++) {
      const a = actual[i]!, b = expected[i]!;
      const err = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), m, Number.MIN_VALUE);
      if (!(err <= rel)) expect.fail(`${what}: value ${i} is ${a}, expected ${b} (error ${err.toExponential(2)} > ${rel} relative)`);
      worst = Math.max(worst, err);
    }
  }
  return worst;
}

/**
 * A round trip's network against the original on rows of the case: bit for bit, or (where the
 * format folds parameters into float32 tensors) within `rel`; and the same loss, bias and normaliser.
 */
export function expectRoundTrip(net: NN, back: NN, c: Case, rel: number | 'exact', what: string): void {
  const x = uniformRows(32, net.inputSize, c.range, 7);
  const a = net.predict(x), b = back.predict(x);
  if (rel === 'exact') expect(Array.from(new Uint32Array(b.buffer)), `${what}: prediction bits`).toEqual(Array.from(new Uint32Array(a.buffer)));
  else expectClose(b, a, rel, `${what}: predictions`, net.outputSize);
  // what the formats cannot say comes back through the exporters' hints
  const before = net.toJSON({ training: false }), after = back.toJSON({ training: false });
  expect([after.loss, after.bias, after.normalizer], `${what}: loss, bias, normaliser`).toEqual([before.loss, before.bias, before.normalizer]);
}

export { tf, ort };
