// The small epoch (assembly/small.ts, src/js/small.ts) against the general path it
// replaces, through the public API: train() runs whole epochs in one kernel call (trainEpoch, which
// dispatches small networks to the small epoch); the same training with an onBatch callback runs
// forward/backward/update batch by batch (the general kernels). Shared by the Node and Chromium
// tests, so it imports nothing of Node.
import { NN, type NetworkOptions, type Weights } from '../../src/index.js';
import { Network } from '../../src/runtime/network.js';
import { resolveNetworkOptions } from '../../src/options.js';
import { resolveTrainOptions, type TrainOptions } from '../../src/train-options.js';
import type { Kernels } from '../../src/abi/kernels.js';
import { rng, randomF32 } from './random-data.js';
import { sameBits } from './bits.js';
import { engineOf } from './engines.js';
import { classic, classicTrain } from './classic.js';

export interface SmallCase {
  label: string;
  net: Omit<NetworkOptions, 'layers' | 'engine' | 'seed'>;
  decay: number;
  /** learning rate (small enough that no shape diverges in three epochs) */
  lr?: number;
}

/** Every loss the small epoch accepts, every elementwise activation, softmax, gain and threshold, bias on and off. */
export const CASES: SmallCase[] = [
  {
    label: "the article's sigmoid (gain 0.04, threshold 0.1), no bias, sse",
    decay: 0,
    net: { activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 }, bias: false, loss: 'sse' },
  },
  {
    label: 'tanh → sigmoid (gain 2, threshold −0.3), mse, weight decay',
    decay: 1e-3,
    net: { activation: 'tanh', output: { name: 'sigmoid', gain: 2, threshold: -0.3 }, loss: 'mse' },
  },
  {
    label: 'relu → linear, sse, no bias',
    decay: 0,
    lr: 0.002,
    net: { activation: 'relu', output: 'linear', bias: false, loss: 'sse' },
  },
  {
    label: 'leaky-relu → sigmoid, binary-cross-entropy, weight decay',
    decay: 1e-2,
    net: { activation: { name: 'leaky-relu', slope: 0.1 }, output: 'sigmoid', loss: 'binary-cross-entropy' },
  },
  {
    label: 'tanh → softmax, cross-entropy',
    decay: 0,
    net: { activation: 'tanh', output: 'softmax', loss: 'cross-entropy' },
  },
  { label: 'sigmoid → softmax, sse', decay: 0, net: { activation: 'sigmoid', output: 'softmax', loss: 'sse' } },
];

/** Shapes of both paths of the small epoch: every width at most 4 with one hidden layer (the register path), and the rest (the row path). */
export const SHAPES: number[][] = [
  [3, 4, 3],
  [2, 3, 1],
  [4, 4, 4],
  [4, 2, 4],
  [1, 1],
  [3, 5, 2],
  [5, 7, 6, 2],
  [10, 20, 5],
  [16, 32, 8],
  [9, 13, 17],
  [64, 6, 3],
];

export const BATCHES = [1, 2, 3, 4];

/** Whether the case can be built on these layers (softmax needs two outputs). */
export const fits = (c: SmallCase, layers: number[]): boolean =>
  c.net.output !== 'softmax' || layers[layers.length - 1]! >= 2;

/** 1 when the engine's trainEpoch would take the small epoch for this network, train options and batch. */
export function smallEpochTaken(
  engine: 'js' | 'wasm',
  options: NetworkOptions,
  train: TrainOptions,
  batch: number,
): number {
  const { config } = resolveNetworkOptions(options);
  const net = new Network(engineOf(engine), config);
  try {
    net.configure(resolveTrainOptions(train));
    // the Network keeps its kernels and descriptor private; this test asks the kernel directly
    const inside = net as unknown as { kernels: Kernels; descriptorPtr: number };
    return inside.kernels.testSmallEpoch(inside.descriptorPtr, batch);
  } finally {
    net.release();
  }
}

export interface Comparison {
  /** every weight and bias equal bit for bit, and the reported errors and step counts equal */
  identical: boolean;
  /** the largest change of a weight during training (so that identical is not vacuous) */
  moved: number;
}

/** Trains two copies of one network on shuffled rows (23 rows: a partial last batch), by the small epoch and by the general path. */
export function compareSmallWithGeneral(
  engine: 'js' | 'wasm',
  layers: number[],
  c: SmallCase,
  batchSize: number,
): Comparison {
  const random = rng(layers.length * 100 + batchSize);
  const rows = 23,
    nin = layers[0]!,
    nout = layers[layers.length - 1]!;
  const x = randomF32(rows * nin, random, -1, 1);
  const t = new Float32Array(rows * nout);
  for (let r = 0; r < rows; r++) t[r * nout + Math.floor(random() * nout)] = 1;
  const nets = [0, 1].map(() => NN.createSync(classic({ ...c.net, layers, engine, seed: 11 })));
  const initial = nets[0]!.getWeights();
  const train: TrainOptions = { epochs: 3, batchSize, learningRate: c.lr ?? 0.05, shuffle: true, weightDecay: c.decay };
  const reports = [
    nets[0]!.train(x, t, classicTrain(train)),
    nets[1]!.train(x, t, classicTrain({ ...train, onBatch: () => {} })),
  ];
  const [a, b] = nets.map((n) => n.getWeights()) as [Weights, Weights];
  // the same errors, and the same count of updates (Adam's t, saved with the model)
  let identical =
    reports[0]!.error === reports[1]!.error && nets[0]!.toJSON().training!.step === nets[1]!.toJSON().training!.step;
  let moved = 0;
  for (let l = 0; l < layers.length - 1; l++) {
    identical &&= sameBits(a.weights[l]!, b.weights[l]!) && sameBits(a.biases[l] ?? [], b.biases[l] ?? []);
    for (let i = 0; i < a.weights[l]!.length; i++)
      moved = Math.max(moved, Math.abs(a.weights[l]![i]! - initial.weights[l]![i]!));
  }
  for (const n of nets) n.dispose();
  return { identical, moved };
}
