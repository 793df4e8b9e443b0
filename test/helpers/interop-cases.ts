// The models every exporter and importer is held to (the article's network, ReLU/softmax, tanh/
// sigmoid, leaky ReLU/linear, a sigmoid with gain and threshold; with and without bias and
// normaliser), trained a little on seeded data, and the check that a round trip gives them back.
import { expect } from 'vitest';
import { NN, articleData, type ActivationSpec, type NetworkOptions } from '../../src/index.js';
import { randomRows } from './random-data.js';
import { expectClose } from './tolerance.js';

export interface Case {
  name: string;
  options: NetworkOptions;
  range: [number, number];
}

// the preset, spelled out where the cases read it (the sigmoid's parameters, the bias)
const article: NetworkOptions = {
  layers: [3, 4, 3],
  preset: 'article',
  activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 },
  bias: false,
};

export const CASES: Case[] = [
  { name: "the article's network (sigmoid gain 0.04, threshold 0.1, no bias)", options: article, range: [0, 1] },
  {
    name: "the article's network with a z-score normaliser",
    options: { ...article, normalize: 'zscore' },
    range: [-3, 8],
  },
  {
    name: 'ReLU / softmax classifier',
    options: { layers: [4, 8, 3], activation: 'relu', output: 'softmax', normalize: 'none' },
    range: [-2, 2],
  },
  {
    name: 'ReLU / softmax classifier without bias, min-max normaliser',
    options: { layers: [4, 8, 3], activation: 'relu', output: 'softmax', bias: false, normalize: 'minmax' },
    range: [10, 50],
  },
  {
    name: 'tanh / sigmoid',
    options: {
      layers: [3, 5, 2],
      activation: 'tanh',
      output: 'sigmoid',
      loss: 'binary-cross-entropy',
      normalize: 'none',
    },
    range: [-2, 2],
  },
  {
    name: 'tanh / sigmoid without bias, z-score normaliser',
    options: {
      layers: [3, 5, 2],
      activation: 'tanh',
      output: 'sigmoid',
      loss: 'sse',
      bias: false,
      normalize: 'zscore',
    },
    range: [-100, 300],
  },
  {
    name: 'leaky ReLU (slope 0.2) / linear',
    options: {
      layers: [5, 6, 4, 2],
      activation: { name: 'leaky-relu', slope: 0.2 },
      output: 'linear',
      loss: 'mse',
      normalize: 'none',
    },
    range: [-3, 3],
  },
  {
    name: 'leaky ReLU / linear without bias, min-max normaliser',
    options: {
      layers: [5, 6, 2],
      activation: { name: 'leaky-relu', slope: 0.05 },
      output: 'linear',
      loss: 'mse',
      bias: false,
      normalize: 'minmax',
    },
    range: [0, 1000],
  },
  {
    name: 'sigmoid gain 2.5, threshold -0.3, with bias and normaliser',
    options: {
      layers: [4, 6, 3],
      activation: { name: 'sigmoid', gain: 2.5, threshold: -0.3 },
      output: 'softmax',
      normalize: 'zscore',
    },
    range: [-5, 5],
  },
];

/** The case's hidden sigmoid spec (gain, threshold), or null. */
export function sigmoidOf(c: Case): ActivationSpec | null {
  const a = c.options.activation;
  return typeof a === 'object' && !Array.isArray(a) && (a as ActivationSpec).name === 'sigmoid'
    ? (a as ActivationSpec)
    : null;
}

/** A network of the case, trained a few epochs on seeded data (which also fits its normaliser). */
export function trained(c: Case, engine: 'js' | 'wasm', seed = 3): NN {
  const net = NN.createSync({ ...c.options, engine, seed });
  const inputs = net.layers[0]!,
    outputs = net.layers.at(-1)!;
  const data = articleData({ rows: 40, inputs, outputs, seed });
  const isArticle = c.options.layers === article.layers;
  const x = isArticle && c.options.normalize === undefined ? data.inputs : randomRows(40, inputs, seed, ...c.range);
  const t = isArticle ? data.targets : randomRows(40, outputs, seed + 1, 0, 1);
  if (c.options.output === 'softmax')
    for (let r = 0; r < 40; r++) for (let j = 0; j < outputs; j++) t[r * outputs + j] = j === r % outputs ? 1 : 0;
  // the training these cases were written with: plain SGD, no weight decay
  net.train(x, t, { epochs: 5, batchSize: 8, learningRate: 0.05, optimizer: 'sgd', weightDecay: 0 });
  return net;
}

/**
 * A round trip's network against the original on rows of the case: bit for bit, or (where the
 * format folds parameters into float32 tensors) within `rel`; and the same loss, bias and normaliser.
 */
export function expectRoundTrip(net: NN, back: NN, c: Case, rel: number | 'exact', what: string): void {
  const x = randomRows(32, net.layers[0]!, 7, ...c.range);
  const a = net.predict(x),
    b = back.predict(x);
  if (rel === 'exact')
    expect(Array.from(new Uint32Array(b.buffer)), `${what}: prediction bits`).toEqual(
      Array.from(new Uint32Array(a.buffer)),
    );
  else expectClose(b, a, rel, `${what}: predictions`, net.layers.at(-1)!);
  // what the formats cannot say comes back through the exporters' hints
  const before = net.toJSON({ training: false }),
    after = back.toJSON({ training: false });
  expect([after.loss, after.bias, after.normalizer, after.preset], `${what}: loss, bias, normaliser, preset`).toEqual([
    before.loss,
    before.bias,
    before.normalizer,
    before.preset,
  ]);
}
