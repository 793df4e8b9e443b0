// The debug build (build/debug.wasm: the same kernels, assertions on, no optimisation) checks what
// the release builds trust: that TypeScript never hands a pass more rows than the descriptor's
// buffers hold, and that an optimizer's slots exist before it steps. Training through the trainer
// and the Network on it must give the release SIMD build's bits exactly: every assertion holds on
// the way, and neither the assertions nor the optimiser change any arithmetic.
import { describe, expect, it } from 'vitest';
import debugBytes from '../build/debug.wasm';
import simdBytes from '../build/simd.wasm';
import { createWasmEngine, type Engine } from '../src/runtime/engine.js';
import { HEADER_BYTES, LAYER_BYTES, descriptorView } from '../src/abi/descriptor.js';
import { OPT } from '../src/abi/kinds.js';
import { Network } from '../src/runtime/network.js';
import { resolveNetworkOptions, type NetworkOptions } from '../src/options.js';
import { resolveTrainOptions, type TrainOptions } from '../src/train-options.js';
import { initialWeights } from '../src/model/weights.js';
import { Random } from '../src/model/random.js';
import type { Matrix } from '../src/model/data.js';
import { openSession, closeSession, run } from '../src/training-loop.js';
import { randomF32, rng } from './helpers/random-data.js';

/** An AssemblyScript string (UTF-16, its byte length in the word before it) in an instance's memory. */
function ascString(memory: WebAssembly.Memory, ptr: number): string {
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0]!;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/** A fresh debug engine whose failed assertions throw an Error naming the assertion and its place. */
function debugEngine(): Engine {
  let memory: WebAssembly.Memory | undefined;
  const abort = (messagePtr: number, filePtr: number, line: number, column: number): never => {
    throw new Error(
      `assertion failed: ${ascString(memory!, messagePtr)} (${ascString(memory!, filePtr)}:${line}:${column})`,
    );
  };
  const engine = createWasmEngine(debugBytes, 'simd', { abort });
  memory = engine.heap.memory as WebAssembly.Memory;
  return engine;
}

const releaseEngine = (): Engine => createWasmEngine(simdBytes, 'simd');

const matrix = (data: Float32Array, cols: number): Matrix => ({ data, rows: data.length / cols, cols, form: 'flat' });

interface Trained {
  params: Float32Array[];
  m: Float32Array[] | null;
  v: Float32Array[] | null;
  step: number;
  outputs: Float32Array;
  error: number;
}

/** Trains one network on `engine` through the trainer (perBatch: one kernel call per batch, else one per epoch). */
function train(engine: Engine, options: NetworkOptions, opts: TrainOptions, rows: number, perBatch: boolean): Trained {
  const { config } = resolveNetworkOptions(options);
  const random = rng(config.seed);
  const inputs = config.layers[0]!,
    outputs = config.layers[config.layers.length - 1]!;
  const x = matrix(randomF32(rows * inputs, random), inputs);
  const t = matrix(randomF32(rows * outputs, random, 0, 1), outputs);
  if (config.activations.at(-1)!.name === 'softmax') {
    for (let r = 0; r < rows; r++) {
      // one-hot rows for cross-entropy
      const hot = r % outputs;
      for (let c = 0; c < outputs; c++) t.data[r * outputs + c] = c === hot ? 1 : 0;
    }
  }
  const net = new Network(engine, config);
  const state = { epochs: 0, random: new Random(config.seed) };
  net.write('params', initialWeights(config, state.random));
  const session = openSession(net, x, t, null, null, resolveTrainOptions(opts));
  try {
    const steps = run(net, state, session, perBatch);
    let step = steps.next();
    while (!step.done) step = steps.next();
    const flat = (w: ReturnType<Network['read']>): Float32Array[] | null =>
      w && [...w.weights, ...w.biases.filter((b): b is Float32Array => b !== null)];
    return {
      params: flat(net.read('params'))!,
      m: flat(net.read('m')),
      v: flat(net.read('v')),
      step: net.step,
      outputs: net.outputs(x),
      error: step.value.error,
    };
  } finally {
    closeSession(session);
    net.release();
  }
}

function expectSameBits(
  label: string,
  a: Float32Array[] | Float32Array | null,
  b: Float32Array[] | Float32Array | null,
): void {
  const list = (v: Float32Array[] | Float32Array | null): Float32Array[] =>
    v === null ? [] : Array.isArray(v) ? v : [v];
  const as = list(a),
    bs = list(b);
  expect(as.length, `${label}: arrays`).toBe(bs.length);
  as.forEach((x, i) => {
    const y = bs[i]!;
    expect(x.length, `${label}[${i}] length`).toBe(y.length);
    const xb = new Uint32Array(x.buffer, x.byteOffset, x.length),
      yb = new Uint32Array(y.buffer, y.byteOffset, y.length);
    const first = xb.findIndex((bits, j) => bits !== yb[j]);
    expect(first, `${label}[${i}]: first element that differs (${x[first]} vs ${y[first]})`).toBe(-1);
  });
}

const CASES: [string, NetworkOptions, TrainOptions, number][] = [
  [
    "the article's 3-4-3, sse, full batch",
    {
      layers: [3, 4, 3],
      activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 },
      bias: false,
      loss: 'sse',
      init: 'normal',
      seed: 1,
    },
    { epochs: 5, batchSize: 'full', learningRate: 0.01, shuffle: false },
    40,
  ],
  [
    'relu → softmax, cross-entropy, adam, shuffled',
    { layers: [7, 12, 4], activation: 'relu', output: 'softmax', seed: 2 },
    { epochs: 3, batchSize: 8, optimizer: 'adam', learningRate: 0.01 },
    50,
  ],
  [
    'tanh, leaky-relu → linear, mse, nesterov with decay and clipping',
    { layers: [6, 9, 5, 3], activation: ['tanh', 'leaky-relu', 'linear'], loss: 'mse', seed: 3 },
    { epochs: 3, batchSize: 5, optimizer: 'nesterov', learningRate: 0.05, weightDecay: 1e-3, clipNorm: 0.5 },
    33,
  ],
  [
    'sigmoid → sigmoid, binary cross-entropy, momentum',
    { layers: [4, 6, 2], activation: 'sigmoid', loss: 'binary-cross-entropy', seed: 4 },
    { epochs: 3, batchSize: 1, optimizer: 'momentum', learningRate: 0.1 },
    20,
  ],
  // shapes past the packing thresholds (rows ≥ 16, columns ≥ 8) and a fanIn that is not a multiple of 8
  [
    'packed products: 40-33-17, relu → softmax, adam',
    { layers: [40, 33, 17], activation: 'relu', output: 'softmax', seed: 5 },
    { epochs: 2, batchSize: 32, optimizer: 'adam', learningRate: 0.003 },
    96,
  ],
];

describe('the debug build', () => {
  it.each(
    CASES.flatMap(([label, net, opts, rows]) =>
      [true, false].map((perBatch) => [label, perBatch, net, opts, rows] as const),
    ),
  )(
    "%s (one call per batch: %s): every assertion holds, and the bits equal the release SIMD build's",
    (_label, perBatch, net, opts, rows) => {
      const debug = train(debugEngine(), net, opts, rows, perBatch);
      const release = train(releaseEngine(), net, opts, rows, perBatch);
      expectSameBits('parameters', debug.params, release.params);
      expectSameBits('optimizer slot m', debug.m, release.m);
      expectSameBits('optimizer slot v', debug.v, release.v);
      expect(debug.step).toBe(release.step);
      expectSameBits('outputs', debug.outputs, release.outputs);
      expect(Object.is(debug.error, release.error), `error ${debug.error} vs ${release.error}`).toBe(true);
      expect(Number.isFinite(debug.error)).toBe(true);
    },
  );

  /** A descriptor of one weight layer with room for `capacity` rows, written by hand (nothing past the header is read before the checks). */
  function descriptor(engine: Engine, capacity: number): number {
    const ptr = engine.heap.alloc(HEADER_BYTES + LAYER_BYTES);
    const d = descriptorView(engine.heap, ptr);
    d.layers = 1;
    d.capacity = capacity;
    return ptr;
  }

  it('stops a pass handed more rows than the per-batch buffers hold, or none', () => {
    const engine = debugEngine();
    const d = descriptor(engine, 4);
    expect(() => engine.kernels.forward(d, 0, 5)).toThrow(
      /assertion failed: the rows fit the per-batch buffers \(assembly\/network\.ts:\d+:\d+\)/,
    );
    expect(() => engine.kernels.backward(d, 0, 0)).toThrow(/the rows fit the per-batch buffers/);
    expect(() => engine.kernels.trainEpoch(d, 0, 0, 0, 100, 5)).toThrow(/the rows fit the per-batch buffers/);
    descriptorView(engine.heap, d).layers = 0;
    expect(() => engine.kernels.forward(d, 0, 1)).toThrow(/assertion failed: a network has a weight layer/);
  });

  it('stops an optimizer step whose slots were never allocated', () => {
    const engine = debugEngine();
    const d = descriptor(engine, 4);
    const view = descriptorView(engine.heap, d);
    view.optimizer = OPT.momentum;
    expect(() => engine.kernels.update(d)).toThrow(/assertion failed: momentum and Adam have their slot m/);
    view.optimizer = OPT.adam;
    view.m = engine.heap.alloc(16);
    expect(() => engine.kernels.update(d)).toThrow(/assertion failed: Adam has its slot v/);
  });
});
