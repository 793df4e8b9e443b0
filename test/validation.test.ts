// Validation: every public entry point refuses bad and hostile arguments with a TypeError or
// RangeError naming the field (exactly the class named: one must not pass for the other), before
// anything runs (the engine's whole linear memory is byte-for-byte unchanged), and the network
// afterwards is exactly the network it was: it trains and predicts bit-identically to a twin that
// never saw the error. Model files are refused in formats-refused.test.ts, sizes beyond the
// engine's 2 GiB in memory-limits.test.ts. Predict's inputs are checked on two paths, each case
// runs on both: TypeScript's check before anything runs, and the kernels' scan of the copy staged
// in the network's per-batch buffers (the only bytes that path writes before refusing).
import { beforeAll, describe, expect, it } from 'vitest';
import { NN, type Rows, type Targets, type Weights } from '../src/index.js';
import { asRows, randomRows } from './helpers/random-data.js';
import { expectSameWeights } from './helpers/bits.js';
import { expectSameState, allFinite, stateOf } from './helpers/network-state.js';
import { ENGINES, type EngineKind, engineOf, expectSameBytes, memoryImage } from './helpers/engines.js';
import { expectClearError, rejected, thrown } from './helpers/clear-errors.js';
import { CHECK_PATHS as PATHS, onPath } from './helpers/check-paths.js';
import { descriptorView } from '../src/abi/descriptor.js';
import { classic, classicTrain } from './helpers/classic.js';

type Kind = typeof TypeError | typeof RangeError | 'either';
interface Data {
  x: Float32Array;
  t: Float32Array;
}
interface Case {
  name: string;
  call: (net: NN, d: Data) => unknown;
  error: Kind;
  field: RegExp | string;
  async?: boolean;
  /** on the scan path: inputs may be staged in the network's per-batch buffers before the refusal */
  staged?: boolean;
}

/** The bytes [from, to) of a network's per-batch buffers (activations, error terms, input and target stages). */
function scratchOf(net: NN, engine: EngineKind): [number, number] {
  const ptr = (net as unknown as { resident: { net: { descriptorPtr: number } } }).resident.net.descriptorPtr;
  const d = descriptorView(engineOf(engine).heap, ptr);
  const outputs = d.layer(d.layers - 1).fanOut;
  return [d.layer(0).y, d.targetStage + d.capacity * outputs * 4];
}

/** The same image with a range zeroed (bytes that may change). */
const without = (image: Uint8Array, [from, to]: [number, number]): Uint8Array => {
  const copy = image.slice();
  copy.fill(0, from, to);
  return copy;
};

const X = randomRows(12, 3, 1),
  T = randomRows(12, 2, 2, 0, 1);
const XR = asRows(X, 3),
  TR = asRows(T, 2);
const D: Data = { x: X, t: T };
const F32_MAX = 3.4028234663852886e38;
const bad = (v: unknown): never => v as never;
const sparse = <T>(a: T[], hole: number): T[] => {
  const b = a.slice();
  delete b[hole];
  return b;
};

// ---- train and trainAsync: options and data ----------------------------------------------

const TRAIN_OPTIONS: [string, unknown, Kind, RegExp | string][] = [
  ['options null', null, TypeError, /train options/],
  ['options a string', 'fast', TypeError, /train options/],
  [
    'options a class instance',
    new (class {
      epochs = 1;
    })(),
    TypeError,
    /train options/,
  ],
  ['unknown key (typo)', { epoch: 3 }, TypeError, /"epoch"/],
  ['unknown key __proto__', JSON.parse('{"epochs":1,"__proto__":{"polluted":1}}'), TypeError, /__proto__/],
  ['unknown key constructor', { epochs: 1, constructor: 1 }, TypeError, /constructor/],
  ['epochs 0', { epochs: 0 }, RangeError, /epochs/],
  ['epochs negative', { epochs: -1 }, RangeError, /epochs/],
  ['epochs 1.5', { epochs: 1.5 }, RangeError, /epochs/],
  ['epochs NaN', { epochs: NaN }, RangeError, /epochs/],
  ['epochs Infinity', { epochs: Infinity }, RangeError, /epochs/],
  ['epochs a string', { epochs: '3' }, TypeError, /epochs/],
  ['batchSize 0', { batchSize: 0 }, RangeError, /batchSize/],
  ['batchSize 2.5', { batchSize: 2.5 }, RangeError, /batchSize/],
  ["batchSize 'half'", { batchSize: 'half' }, RangeError, /batchSize/],
  ['batchSize negative', { batchSize: -3 }, RangeError, /batchSize/],
  ['batchSize null', { batchSize: null }, TypeError, /batchSize/],
  ['batchSize a boolean', { batchSize: true }, TypeError, /batchSize/],
  ['learningRate 0', { learningRate: 0 }, RangeError, /learningRate/],
  ['learningRate negative', { learningRate: -0.1 }, RangeError, /learningRate/],
  ['learningRate NaN', { learningRate: NaN }, RangeError, /learningRate/],
  ['learningRate Infinity', { learningRate: Infinity }, RangeError, /learningRate/],
  ['learningRate a string', { learningRate: '0.1' }, TypeError, /learningRate/],
  ['optimizer unknown', { optimizer: 'adamw' }, RangeError, /optimizer/],
  ['optimizer a number', { optimizer: 1 }, TypeError, /optimizer/],
  ['momentum negative', { momentum: -0.1 }, RangeError, /momentum/],
  ['momentum 1.5', { momentum: 1.5 }, RangeError, /momentum/],
  ['beta1 1', { optimizer: 'adam', beta1: 1 }, RangeError, /beta1/],
  // Adam's settings are checked whatever the optimizer
  ['beta1 negative, default optimizer', { beta1: -0.1 }, RangeError, /beta1/],
  ['beta2 negative', { optimizer: 'adam', beta2: -0.1 }, RangeError, /beta2/],
  ['beta2 1, default optimizer', { beta2: 1 }, RangeError, /beta2/],
  ['epsilon 0', { optimizer: 'adam', epsilon: 0 }, RangeError, /epsilon/],
  ['epsilon 0, default optimizer', { epsilon: 0 }, RangeError, /epsilon/],
  ['epsilon above 1', { epsilon: 2 }, RangeError, /epsilon/],
  ['weightDecay negative', { weightDecay: -1 }, RangeError, /weightDecay/],
  ['clipNorm negative', { clipNorm: -1 }, RangeError, /clipNorm/],
  ['clipNorm NaN', { clipNorm: NaN }, RangeError, /clipNorm/],
  ['shuffle a string', { shuffle: 'yes' }, TypeError, /shuffle/],
  ['errorThreshold negative', { errorThreshold: -1 }, RangeError, /errorThreshold/],
  ['errorThreshold NaN', { errorThreshold: NaN }, RangeError, /errorThreshold/],
  ['validationSplit 1', { validationSplit: 1 }, RangeError, /validationSplit/],
  ['validationSplit holding out no row', { validationSplit: 0.01 }, RangeError, /validationSplit/],
  [
    'validationSplit and validationData',
    { validationSplit: 0.5, validationData: { inputs: X, targets: T } },
    TypeError,
    /validationSplit/,
  ],
  ['validationData a string', { validationData: 'x' }, TypeError, /validationData/],
  ['validationData without targets', { validationData: { inputs: X } }, TypeError, /validationData\.targets/],
  ['validationData unknown key', { validationData: { inputs: X, targets: T, weights: 1 } }, TypeError, /"weights"/],
  [
    'validationData of the wrong width',
    { validationData: { inputs: [[1, 2]], targets: [[1, 0]] } },
    RangeError,
    /validationData\.inputs/,
  ],
  [
    'validationData rows disagree',
    { validationData: { inputs: X, targets: [[1, 0]] } },
    RangeError,
    /validationData\.targets/,
  ],
  [
    'validationData NaN',
    { validationData: { inputs: [[1, 2, NaN]], targets: [[1, 0]] } },
    RangeError,
    /validationData\.inputs\[0\]\[2\]/,
  ],
  ['schedule a string', { schedule: 'step' }, TypeError, /schedule/],
  ['schedule type unknown', { schedule: { type: 'cosine', factor: 0.5 } }, RangeError, /schedule\.type/],
  ['schedule step without every', { schedule: { type: 'step', factor: 0.5 } }, TypeError, /schedule\.every/],
  ['schedule step every 0', { schedule: { type: 'step', every: 0, factor: 0.5 } }, RangeError, /schedule\.every/],
  ['schedule factor 0', { schedule: { type: 'exponential', factor: 0 } }, RangeError, /schedule\.factor/],
  [
    'schedule exponential extra key',
    { schedule: { type: 'exponential', factor: 0.9, every: 2 } },
    TypeError,
    /"every"/,
  ],
  ['earlyStopping true', { earlyStopping: true }, TypeError, /earlyStopping/],
  ['earlyStopping without patience', { earlyStopping: {} }, TypeError, /earlyStopping\.patience/],
  ['earlyStopping patience 0', { earlyStopping: { patience: 0 } }, RangeError, /earlyStopping\.patience/],
  [
    'earlyStopping restoreBest 1',
    { earlyStopping: { patience: 2, restoreBest: 1 } },
    TypeError,
    /earlyStopping\.restoreBest/,
  ],
  ['earlyStopping unknown key', { earlyStopping: { patience: 2, delta: 1 } }, TypeError, /"delta"/],
  ['timeLimitMs 0', { timeLimitMs: 0 }, RangeError, /timeLimitMs/],
  ['signal a plain object', { signal: {} }, TypeError, /signal/],
  ['signal null', { signal: null }, TypeError, /signal/],
  ['onDivergence unknown', { onDivergence: 'ignore' }, RangeError, /onDivergence/],
  ['onEpoch not a function', { onEpoch: 1 }, TypeError, /onEpoch/],
  ['onBatch not a function', { onBatch: {} }, TypeError, /onBatch/],
];

const TRAIN_DATA: [string, unknown, unknown, Kind, RegExp | string][] = [
  ['inputs missing', undefined, T, TypeError, /inputs/],
  ['inputs a string', 'abc', T, TypeError, /inputs/],
  ['inputs an array-like object', { length: 3, 0: 1, 1: 2, 2: 3 }, [[1, 0]], TypeError, /inputs/],
  ['inputs a DataView', new DataView(new ArrayBuffer(12)), [[1, 0]], TypeError, /inputs/],
  ['inputs a BigInt64Array', new BigInt64Array(3), [[1, 0]], TypeError, /inputs/],
  ['inputs empty', [], T, RangeError, /inputs/],
  ['inputs an empty Float32Array', new Float32Array(0), T, RangeError, /inputs/],
  ['flat inputs not a multiple of the width', new Float32Array(7), T, RangeError, /inputs\.length/],
  ['flat targets not a multiple of the width', X, new Float32Array(23), RangeError, /targets\.length/],
  ['a row too short', [[1, 2]], [[1, 0]], RangeError, /inputs\[0\]\.length/],
  ['the last of 12 rows too short', [...XR.slice(0, 11), [1, 2]], TR, RangeError, /inputs\[11\]\.length/],
  ['a target row too long', XR, [...TR.slice(0, 4), [1, 0, 1], ...TR.slice(5)], RangeError, /targets\[4\]\.length/],
  ['NaN in a row', [[1, 2, NaN]], [[1, 0]], RangeError, /inputs\[0\]\[2\]/],
  ['Infinity in a flat Float32Array', Float32Array.of(1, 2, Infinity), [[1, 0]], RangeError, /inputs\[2\]/],
  ['a string in a row', [[1, 2, '3']], [[1, 0]], TypeError, /inputs\[0\]\[2\]/],
  ['null in a flat array', [1, 2, null], [[1, 0]], TypeError, /inputs\[2\]/],
  ['a hole in a flat array', sparse([1, 2, 3], 1), [[1, 0]], TypeError, /inputs\[1\]/],
  [
    'a hole in an array of rows',
    sparse(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      1,
    ),
    [
      [1, 0],
      [0, 1],
    ],
    TypeError,
    /inputs\[1\]/,
  ],
  [
    'a number among rows',
    [[1, 2, 3], 4],
    [
      [1, 0],
      [0, 1],
    ],
    TypeError,
    /inputs\[1\]/,
  ],
  // finite as a double, infinite as the float32 the kernels would get
  ['an input beyond float32 (number[])', [[1, 2, 1e39]], [[1, 0]], RangeError, /inputs\[0\]\[2\]/],
  ['an input beyond float32 (Float64Array)', Float64Array.of(1, 2, -1e39), [[1, 0]], RangeError, /inputs\[2\]/],
  ['targets missing', X, undefined, TypeError, /targets/],
  ['targets one row short', X, T.subarray(0, 22), RangeError, /targets/],
  ['targets of the wrong width', X, randomRows(12, 3, 5), RangeError, /targets/],
  ['NaN target', [[1, 2, 3]], [[NaN, 0]], RangeError, /targets\[0\]\[0\]/],
  ['-Infinity target', XR, [[0, -Infinity], ...TR.slice(1)], RangeError, /targets\[0\]\[1\]/],
  [
    'NaN in flat Float64Array targets',
    X,
    Float64Array.from({ length: 24 }, (_, i) => (i === 13 ? NaN : 0)),
    RangeError,
    /targets\[13\]/,
  ],
  ['a target beyond float32', [[1, 2, 3]], [[0, 1e39]], RangeError, /targets\[0\]\[1\]/],
];

const trainCases = (method: 'train' | 'trainAsync'): Case[] => [
  ...TRAIN_OPTIONS.map(
    ([name, opts, error, field]): Case => ({
      name: `${method} ${name}`,
      error,
      field,
      async: method === 'trainAsync',
      call: (net, d) => net[method](d.x, d.t, bad(opts)),
    }),
  ),
  ...TRAIN_DATA.map(
    ([name, x, t, error, field]): Case => ({
      name: `${method} ${name}`,
      error,
      field,
      async: method === 'trainAsync',
      call: (net) => net[method](x as Rows, t as Targets, { epochs: 1 }),
    }),
  ),
];

// ---- predict, evaluate, accuracy, confusionMatrix ----------------------------------------

const PREDICT: [string, unknown, Kind, RegExp | string][] = [
  ['undefined', undefined, TypeError, /input/],
  ['null', null, TypeError, /input/],
  ['a string', '1,2,3', TypeError, /input/],
  ['a number', 3, TypeError, /input/],
  ['an object', { 0: 1, 1: 2, 2: 3, length: 3 }, TypeError, /input/],
  ['an empty array', [], RangeError, /input/],
  ['a short row', [1, 2], RangeError, /input\.length/],
  ['a short Float32Array row', new Float32Array(2), RangeError, /input\.length/],
  ['flat input not a multiple of the width', [1, 2, 3, 4], RangeError, /input\.length/],
  [
    'rows of different lengths',
    [
      [1, 2, 3],
      [1, 2],
    ],
    RangeError,
    /input\[1\]\.length/,
  ],
  ['NaN', [1, 2, NaN], RangeError, /input\[2\]/],
  ['Infinity in a row', [[1, 2, Infinity]], RangeError, /input\[0\]\[2\]/],
  ['-Infinity in a Float32Array', Float32Array.of(1, 2, -Infinity), RangeError, /input\[2\]/],
  ['a numeric string', [1, 2, '3'], TypeError, /input\[2\]/],
  ['a boolean', [1, true, 3], TypeError, /input\[1\]/],
  ['a value beyond float32', [F32_MAX * 2, 0, 0], RangeError, /input\[0\]/],
  ['a BigInt64Array', new BigInt64Array(3), TypeError, /input/],
  ['a DataView', new DataView(new ArrayBuffer(12)), TypeError, /input/],
  ['a row that is a number', [[1, 2, 3], 4], TypeError, /input\[1\]/],
];

const metricCases = (method: 'evaluate' | 'accuracy' | 'confusionMatrix'): Case[] => [
  {
    name: `${method} targets missing`,
    error: TypeError,
    field: /targets/,
    call: (net, d) => net[method](d.x, undefined as unknown as Targets),
  },
  {
    name: `${method} inputs missing`,
    error: TypeError,
    field: /inputs/,
    call: (net, d) => net[method](undefined as unknown as Rows, d.t),
  },
  {
    name: `${method} rows disagree`,
    error: RangeError,
    field: /targets/,
    call: (net, d) => net[method](d.x, d.t.subarray(0, 4)),
  },
  {
    name: `${method} targets of the wrong width`,
    error: RangeError,
    field: /targets/,
    call: (net, d) => net[method](d.x, randomRows(12, 3, 9)),
  },
  {
    name: `${method} NaN target`,
    error: RangeError,
    field: /targets\[0\]\[1\]/,
    call: (net) => net[method]([[1, 2, 3]], [[1, NaN]]),
  },
  {
    name: `${method} infinite input`,
    error: RangeError,
    field: /inputs\[0\]\[0\]/,
    call: (net) => net[method]([[-Infinity, 2, 3]], [[1, 0]]),
  },
];

// ---- setWeights ---------------------------------------------------------------------------

const withWeights =
  (edit: (w: { weights: unknown[]; biases: unknown[] }) => unknown) =>
  (net: NN): unknown => {
    const w = net.getWeights();
    const copy = {
      weights: w.weights.map((a) => Array.from(a)) as unknown[],
      biases: w.biases.map((b) => (b ? Array.from(b) : null)) as unknown[],
    };
    return net.setWeights(bad(edit(copy) ?? copy));
  };

/** The network's own weights (Float32Arrays), edited. */
const withF32Weights =
  (edit: (w: Weights) => unknown) =>
  (net: NN): unknown => {
    const w = net.getWeights();
    return net.setWeights(bad(edit(w) ?? w));
  };

const SET_WEIGHTS: Case[] = [
  { name: 'setWeights undefined', error: TypeError, field: /weights/, call: (net) => net.setWeights(bad(undefined)) },
  // typeof null is 'object'
  { name: 'setWeights null', error: TypeError, field: /weights/, call: (net) => net.setWeights(bad(null)) },
  { name: 'setWeights an array', error: TypeError, field: /weights/, call: (net) => net.setWeights(bad([])) },
  {
    name: 'setWeights too few layers',
    error: RangeError,
    field: /weights\.weights/,
    call: withWeights((w) => {
      w.weights.pop();
    }),
  },
  {
    name: 'setWeights biases missing',
    error: RangeError,
    field: /weights\.biases/,
    call: withWeights((w) => ({ weights: w.weights })),
  },
  {
    name: 'setWeights weights missing',
    error: RangeError,
    field: /weights\.weights/,
    call: withWeights((w) => ({ biases: w.biases })),
  },
  {
    name: 'setWeights a matrix that is a string',
    error: TypeError,
    field: /weights\.weights\[0\]/,
    call: withWeights((w) => {
      w.weights[0] = 'abc';
    }),
  },
  {
    name: 'setWeights a matrix as rows, one of them short',
    error: RangeError,
    field: /weights\.weights\[0\]\[2\]/,
    call: withWeights((w) => {
      w.weights[0] = [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1],
      ];
    }),
  },
  {
    name: 'setWeights a Float32Array matrix of the wrong length',
    error: RangeError,
    field: /weights\.weights\[0\]/,
    call: withF32Weights((w) => ({ ...w, weights: [new Float32Array(11), w.weights[1]] })),
  },
  {
    name: 'setWeights NaN in a Float32Array matrix',
    error: RangeError,
    field: /weights\.weights\[0\]/,
    call: withF32Weights((w) => {
      w.weights[0]![5] = NaN;
    }),
  },
  {
    name: 'setWeights a Float32Array bias vector too long',
    error: RangeError,
    field: /weights\.biases\[1\]/,
    call: withF32Weights((w) => ({ ...w, biases: [w.biases[0], new Float32Array(3)] })),
  },
  {
    name: 'setWeights Infinity in a Float32Array bias',
    error: RangeError,
    field: /weights\.biases\[0\]/,
    call: withF32Weights((w) => {
      w.biases[0]![1] = Infinity;
    }),
  },
  {
    name: 'setWeights a matrix too short',
    error: RangeError,
    field: /weights\.weights\[1\]/,
    call: withWeights((w) => {
      (w.weights[1] as number[]).pop();
    }),
  },
  {
    name: 'setWeights NaN in the last layer',
    error: RangeError,
    field: /weights\.weights\[1\]\[3\]/,
    call: withWeights((w) => {
      (w.weights[1] as number[])[3] = NaN;
    }),
  },
  {
    name: 'setWeights a string weight',
    error: TypeError,
    field: /weights\.weights\[0\]\[0\]/,
    call: withWeights((w) => {
      (w.weights[0] as unknown[])[0] = '0.5';
    }),
  },
  {
    name: 'setWeights a weight beyond float32',
    error: RangeError,
    field: /weights\.weights\[0\]\[5\]/,
    call: withWeights((w) => {
      (w.weights[0] as number[])[5] = -1e39;
    }),
  },
  {
    name: 'setWeights a bias vector too long',
    error: RangeError,
    field: /weights\.biases\[0\]/,
    call: withWeights((w) => {
      (w.biases[0] as number[]).push(0);
    }),
  },
  {
    name: 'setWeights an infinite bias',
    error: RangeError,
    field: /weights\.biases\[1\]\[0\]/,
    call: withWeights((w) => {
      (w.biases[1] as number[])[0] = Infinity;
    }),
  },
  {
    name: 'setWeights null bias vectors on a biased network',
    error: 'either',
    field: /weights\.biases/,
    call: withWeights((w) => {
      w.biases = [null, null];
    }),
  },
  {
    name: 'setWeights a hole in the layer list',
    error: TypeError,
    field: /weights\.weights\[0\]/,
    call: withWeights((w) => {
      delete w.weights[0];
    }),
  },
  {
    name: 'setWeights an unknown key',
    error: TypeError,
    field: /"scale"/,
    call: withWeights((w) => ({ ...w, scale: 2 })),
  },
];

// ---- toJSON / toBinary options, fromJSON / fromBinary options ------------------------------

const PERSISTENCE: Case[] = [
  {
    name: 'toJSON training not a boolean',
    error: TypeError,
    field: /training/,
    call: (net) => net.toJSON(bad({ training: 'no' })),
  },
  {
    name: 'toJSON unknown key',
    error: TypeError,
    field: /"trainig"/,
    call: (net) => net.toJSON(bad({ trainig: false })),
  },
  { name: 'toJSON null', error: TypeError, field: /toJSON|options/, call: (net) => net.toJSON(bad(null)) },
  { name: 'toJSON a number', error: TypeError, field: /toJSON|options/, call: (net) => net.toJSON(bad(1)) },
  {
    name: 'toBinary training not a boolean',
    error: TypeError,
    field: /training/,
    call: (net) => net.toBinary(bad({ training: 0 })),
  },
  {
    name: 'toBinary unknown key',
    error: TypeError,
    field: /"compress"/,
    call: (net) => net.toBinary(bad({ compress: true })),
  },
  {
    name: 'fromJSON options unknown key',
    error: TypeError,
    field: /"engin"/,
    async: true,
    call: (net) => NN.fromJSON(net.toJSON(), bad({ engin: 'js' })),
  },
  {
    name: 'fromJSON options engine unknown',
    error: RangeError,
    field: /engine/,
    async: true,
    call: (net) => NN.fromJSON(net.toJSON(), bad({ engine: 'gpu' })),
  },
  {
    name: 'fromJSON options a string',
    error: TypeError,
    field: /options/,
    async: true,
    call: (net) => NN.fromJSON(net.toJSON(), bad('js')),
  },
  {
    name: 'fromJSON undefined',
    error: TypeError,
    field: /model/,
    async: true,
    call: () => NN.fromJSON(bad(undefined)),
  },
  {
    name: 'fromJSON invalid JSON text',
    error: TypeError,
    field: /JSON/,
    async: true,
    call: () => NN.fromJSON('{"format":'),
  },
  {
    name: 'fromBinary options unknown key',
    error: TypeError,
    field: /"engin"/,
    async: true,
    call: (net) => NN.fromBinary(net.toBinary(), bad({ engin: 'js' })),
  },
  {
    name: 'fromBinary a string',
    error: TypeError,
    field: /model bytes/,
    async: true,
    call: () => NN.fromBinary(bad('simdnet')),
  },
  {
    name: 'fromBinary an ArrayBuffer',
    error: TypeError,
    field: /model bytes/,
    async: true,
    call: (net) => NN.fromBinary(bad(net.toBinary().buffer)),
  },
  {
    name: 'fromBinary three bytes',
    error: RangeError,
    field: /model bytes/,
    async: true,
    call: () => NN.fromBinary(new Uint8Array(3)),
  },
  { name: 'load undefined', error: TypeError, field: /model/, call: (net) => net.load(bad(undefined)) },
  { name: 'load invalid JSON text', error: TypeError, field: /JSON/, call: (net) => net.load('{"format"') },
  {
    name: 'load a corrupted binary',
    error: RangeError,
    field: /model bytes/,
    call: (net) => {
      const b = net.toBinary();
      b[30]! ^= 4;
      net.load(b);
    },
  },
  {
    name: 'load a model of another architecture',
    error: RangeError,
    field: /architecture/,
    call: (net) => net.load(otherArchitecture),
  },
  {
    name: 'load a model with a NaN weight',
    error: RangeError,
    field: /model\.weights\[1\]\[0\]/,
    call: (net) => {
      const json = net.toJSON();
      json.weights[1]![0] = NaN;
      net.load(json);
    },
  },
];

// a model of layers [3, 5, 2], made once before the cases run (making it writes engine memory)
let otherArchitecture = '';

const NET_CASES: Case[] = [
  ...trainCases('train'),
  ...trainCases('trainAsync'),
  ...PATHS.flatMap(([path, threshold]) =>
    PREDICT.map(
      ([name, input, error, field]): Case => ({
        name: `predict ${name} (${path})`,
        error,
        field,
        call: (net) => onPath(threshold, () => net.predict(bad(input))),
        staged: threshold === 0,
      }),
    ),
  ),
  ...metricCases('evaluate'),
  ...metricCases('accuracy'),
  ...metricCases('confusionMatrix'),
  ...SET_WEIGHTS,
  ...PERSISTENCE,
];

// ---- NN.create / NN.createSync ------------------------------------------------------------

const CREATE: [string, unknown, Kind, RegExp | string][] = [
  ['no options', undefined, TypeError, /options/],
  ['options a string', 'big', TypeError, /options/],
  ['options an array', [3, 2], TypeError, /options/],
  ['options with a prototype', Object.create({ layers: [3, 2] }), TypeError, /options/],
  ['layers missing', {}, TypeError, /layers/],
  ['layers not an array', { layers: 3 }, TypeError, /layers/],
  ['layers empty', { layers: [] }, RangeError, /layers/],
  ['one layer', { layers: [3] }, RangeError, /layers/],
  ['size 0', { layers: [3, 0] }, RangeError, /layers\[1\]/],
  ['negative size', { layers: [3, -2] }, RangeError, /layers\[1\]/],
  ['fractional size', { layers: [3, 2.5] }, RangeError, /layers\[1\]/],
  ['NaN size', { layers: [3, NaN] }, RangeError, /layers\[1\]/],
  ['infinite size', { layers: [3, Infinity] }, RangeError, /layers\[1\]/],
  ['size above 2^24', { layers: [3, 2 ** 24 + 1] }, RangeError, /layers\[1\]/],
  ['string size', { layers: [3, '2'] }, TypeError, /layers\[1\]/],
  ['a hole in layers', { layers: sparse([3, 4, 2], 1) }, TypeError, /layers\[1\]/],
  ['activation unknown', { layers: [3, 2], activation: 'gelu' }, RangeError, /activation\.name/],
  ['activation a number', { layers: [3, 2], activation: 42 }, TypeError, /activation/],
  ['activation spec without a name', { layers: [3, 2], activation: { gain: 2 } }, TypeError, /activation\.name/],
  ['activation array too short', { layers: [3, 4, 2], activation: ['relu'] }, RangeError, /activation/],
  ['activation array too long', { layers: [3, 4, 2], activation: ['relu', 'relu', 'relu'] }, RangeError, /activation/],
  [
    'an unknown name in the activation array',
    { layers: [3, 4, 2], activation: ['relu', 'bogus'] },
    RangeError,
    /activation\[1\]\.name/,
  ],
  [
    'a hole in the activation array',
    { layers: [3, 4, 2], activation: sparse(['relu', 'sigmoid'], 0) },
    TypeError,
    /activation\[0\]/,
  ],
  ['activation unknown key', { layers: [3, 2], activation: { name: 'sigmoid', alpha: 2 } }, TypeError, /"alpha"/],
  [
    'activation __proto__ key',
    { layers: [3, 2], activation: JSON.parse('{"name":"sigmoid","__proto__":null}') },
    TypeError,
    /__proto__/,
  ],
  ['sigmoid gain 0', { layers: [3, 2], activation: { name: 'sigmoid', gain: 0 } }, RangeError, /activation\.gain/],
  [
    'sigmoid gain negative',
    { layers: [3, 2], activation: { name: 'sigmoid', gain: -1 } },
    RangeError,
    /activation\.gain/,
  ],
  ['sigmoid gain NaN', { layers: [3, 2], activation: { name: 'sigmoid', gain: NaN } }, RangeError, /activation\.gain/],
  [
    'sigmoid gain a string',
    { layers: [3, 2], activation: { name: 'sigmoid', gain: '1' } },
    TypeError,
    /activation\.gain/,
  ],
  [
    'sigmoid threshold infinite',
    { layers: [3, 2], activation: { name: 'sigmoid', threshold: Infinity } },
    RangeError,
    /activation\.threshold/,
  ],
  ['gain on relu', { layers: [3, 2], activation: { name: 'relu', gain: 2 } }, TypeError, /activation/],
  ['slope on tanh', { layers: [3, 2], activation: { name: 'tanh', slope: 0.1 } }, TypeError, /activation/],
  [
    'leaky-relu slope above 1',
    { layers: [3, 2], activation: { name: 'leaky-relu', slope: 2 } },
    RangeError,
    /activation\.slope/,
  ],
  // the message names both the field and the reason
  [
    'softmax hidden',
    { layers: [3, 4, 2], activation: ['softmax', 'sigmoid'] },
    RangeError,
    /^(?=.*activation\[0\])(?=.*softmax)/,
  ],
  [
    'softmax hidden, one activation for all',
    { layers: [3, 4, 2], activation: 'softmax', output: 'sigmoid' },
    RangeError,
    /activation\[0\]/,
  ],
  ['softmax on one output', { layers: [3, 1], output: 'softmax' }, RangeError, /^(?=.*output)(?=.*softmax)/],
  ['output unknown', { layers: [3, 2], output: 'bogus' }, RangeError, /output\.name/],
  ['loss unknown', { layers: [3, 2], loss: 'hinge' }, RangeError, /loss/],
  ['loss a number', { layers: [3, 2], loss: 3 }, TypeError, /loss/],
  ['bias a string', { layers: [3, 2], bias: 'yes' }, TypeError, /bias/],
  ['bias a number', { layers: [3, 2], bias: 1 }, TypeError, /bias/],
  ['init unknown', { layers: [3, 2], init: 'zeros' }, RangeError, /init/],
  ['initScale with the default init', { layers: [3, 2], initScale: 0.1 }, TypeError, /initScale/],
  ['initScale with xavier', { layers: [3, 2], init: 'xavier', initScale: 0.1 }, TypeError, /initScale/],
  ['initScale 0', { layers: [3, 2], init: 'normal', initScale: 0 }, RangeError, /initScale/],
  ['initScale NaN', { layers: [3, 2], init: 'uniform', initScale: NaN }, RangeError, /initScale/],
  ['initScale a string', { layers: [3, 2], init: 'uniform', initScale: '1' }, TypeError, /initScale/],
  ['seed 2^32', { layers: [3, 2], seed: 2 ** 32 }, RangeError, /seed/],
  ['seed negative', { layers: [3, 2], seed: -1 }, RangeError, /seed/],
  ['seed fractional', { layers: [3, 2], seed: 1.5 }, RangeError, /seed/],
  ['seed NaN', { layers: [3, 2], seed: NaN }, RangeError, /seed/],
  ['seed a string', { layers: [3, 2], seed: '1' }, TypeError, /seed/],
  ['normalize unknown', { layers: [3, 2], normalize: 'l2' }, RangeError, /normalize/],
  ['engine unknown', { layers: [3, 2], engine: 'gpu' }, RangeError, /engine/],
  ['engine a number', { layers: [3, 2], engine: 1 }, TypeError, /engine/],
  ['unknown key', { layers: [3, 2], learningRate: 0.1 }, TypeError, /"learningRate"/],
  ['unknown key __proto__', JSON.parse('{"layers":[3,2],"__proto__":{"polluted":1}}'), TypeError, /__proto__/],
];

const classOf = (kind: Kind): typeof TypeError | typeof RangeError | undefined =>
  kind === 'either' ? undefined : kind;

describe.each(ENGINES)('validation on %s', (engine: EngineKind) => {
  let saved = '';
  beforeAll(async () => {
    const net = await NN.create(
      classic({
        layers: [3, 4, 2],
        activation: 'tanh',
        output: 'sigmoid',
        loss: 'mse',
        engine,
        seed: 11,
      }),
    );
    net.train(X, T, classicTrain({ epochs: 2, batchSize: 4, optimizer: 'adam', learningRate: 0.01 }));
    saved = JSON.stringify(net.toJSON());
    net.dispose();
    const other = NN.createSync(
      classic({
        layers: [3, 5, 2],
        activation: 'tanh',
        output: 'sigmoid',
        loss: 'mse',
        engine,
        seed: 1,
      }),
    );
    otherArchitecture = JSON.stringify(other.toJSON());
    other.dispose();
  });

  it.each(NET_CASES)('$name: refused, nothing written, the network as before and usable', async (c) => {
    const net = await NN.fromJSON(saved, { engine }),
      twin = await NN.fromJSON(saved, { engine });
    // the scan path stages inputs in the network's per-batch buffers: made once by a valid predict first
    if (c.staged) onPath(0, () => net.predict(X));
    const before = stateOf(net);
    const image = memoryImage(engine);
    let err: unknown;
    if (c.async) {
      let promise: unknown;
      expect(() => {
        promise = c.call(net, D);
      }, `${c.name}: rejects rather than throws`).not.toThrow();
      err = await rejected(() => promise as Promise<unknown>);
    } else {
      err = thrown(() => c.call(net, D));
    }
    expectClearError(err, c.field, c.name, classOf(c.error));
    if (c.staged) {
      const scratch = scratchOf(net, engine);
      expectSameBytes(without(image, scratch), without(memoryImage(engine), scratch), c.name);
    } else expectSameBytes(image, memoryImage(engine), c.name);
    expectSameState(before, net, c.name);
    // usable: trains and predicts exactly like its twin
    const options = { epochs: 2, batchSize: 5, optimizer: 'adam' as const, learningRate: 0.01 };
    const r1 = net.train(X, T, classicTrain(options)),
      r2 = twin.train(X, T, classicTrain(options));
    expect(r1.error).toBe(r2.error);
    expectSameWeights(twin.getWeights(), net.getWeights(), `${c.name}: trained after the error`);
    expect(net.predict(X)).toEqual(twin.predict(X));
    expect(net.epochs).toBe(twin.epochs);
    net.dispose();
    twin.dispose();
  });

  it.each(CREATE)('NN.create %s: refused before any memory is touched', async (name, options, kind, field) => {
    const opts =
      options !== null &&
      typeof options === 'object' &&
      !Array.isArray(options) &&
      Object.getPrototypeOf(options) === Object.prototype &&
      !Object.hasOwn(options, 'engine')
        ? { ...options, engine }
        : options;
    const heap = engineOf(engine).heap;
    const allocated = heap.allocated,
      image = memoryImage(engine);
    const syncErr = thrown(() => NN.createSync(bad(opts)));
    expectClearError(syncErr, field, `createSync ${name}`, classOf(kind));
    let promise: unknown;
    expect(() => {
      promise = NN.create(bad(opts));
    }, 'create rejects rather than throws').not.toThrow();
    const asyncErr = await rejected(() => promise as Promise<unknown>);
    expectClearError(asyncErr, field, `create ${name}`, classOf(kind));
    expect(heap.allocated, `${name}: nothing allocated (nor leaked)`).toBe(allocated);
    expectSameBytes(image, memoryImage(engine), name);
  });

  it('setWeights with biases on a network without bias: refused naming the biases; null biases accepted', () => {
    const net = NN.createSync(classic({ layers: [3, 4, 2], bias: false, engine, seed: 5 }));
    const w = net.getWeights();
    const before = stateOf(net);
    const err = thrown(() =>
      net.setWeights({ weights: w.weights, biases: [new Float32Array(4), new Float32Array(2)] }),
    );
    expectClearError(err, /biases/, 'setWeights', RangeError);
    expectSameState(before, net, 'after the refused biases');
    expect(() => net.setWeights({ weights: w.weights, biases: [null, null] })).not.toThrow();
    net.dispose();
  });

  it('JSON.stringify(net) still calls toJSON with a property key, and stays the full model', async () => {
    const net = await NN.fromJSON(saved, { engine });
    expect(JSON.parse(JSON.stringify(net))).toEqual(JSON.parse(saved));
    expect(JSON.parse(JSON.stringify({ model: net })).model).toEqual(JSON.parse(saved));
    expect(JSON.parse(JSON.stringify([net]))[0]).toEqual(JSON.parse(saved));
    expect(net.toJSON({ training: false }).training).toBeUndefined();
    net.dispose();
  });

  it.each(PATHS)(
    'an array whose elements change between reads cannot smuggle NaN past validation (%s)',
    async (_, threshold) => {
      for (const where of ['setWeights', 'predict', 'train'] as const) {
        const net = await NN.fromJSON(saved, { engine });
        let reads = 0;
        // a getter that is finite the first time (and the second) and NaN ever after
        const hostile = (values: number[]): number[] => {
          Object.defineProperty(values, 0, { get: () => (reads++ < 2 ? 0.25 : NaN), enumerable: true });
          return values;
        };
        const w = net.getWeights();
        let y: Float32Array | null = null;
        const err = thrown(() => {
          if (where === 'setWeights')
            net.setWeights(bad({ weights: [hostile(Array.from(w.weights[0]!)), w.weights[1]!], biases: w.biases }));
          if (where === 'predict') y = onPath(threshold, () => net.predict(hostile([0, 0.5, 0.5])));
          if (where === 'train')
            net.train(hostile(Array.from(X)), T, classicTrain({ epochs: 1, batchSize: 4, shuffle: false }));
        });
        if (err !== undefined) expectClearError(err, null, where);
        if (y)
          expect(Array.from(y as Float32Array).every(Number.isFinite), 'predict answered from a NaN input').toBe(true);
        expect(allFinite(net.getWeights()), `${where}: a NaN reached the network`).toBe(true);
        net.dispose();
      }
    },
  );

  it('an error thrown by onEpoch, onBatch or an abort leaves a network that trains on', async () => {
    const net = await NN.fromJSON(saved, { engine });
    const boom = new Error('user callback failed');
    expect(
      thrown(() =>
        net.train(
          X,
          T,
          classicTrain({
            epochs: 3,
            onEpoch: () => {
              throw boom;
            },
          }),
        ),
      ),
    ).toBe(boom);
    expect(net.epochs).toBe(JSON.parse(saved).training.epochs + 1);
    expect(
      await rejected(() =>
        net.trainAsync(
          X,
          T,
          classicTrain({
            epochs: 3,
            batchSize: 2,
            onBatch: ({ batch }) => {
              if (batch === 2) throw boom;
            },
          }),
        ),
      ),
    ).toBe(boom);
    const controller = new AbortController();
    controller.abort();
    const before = stateOf(net);
    const abort = await rejected(() => net.trainAsync(X, T, classicTrain({ epochs: 3, signal: controller.signal })));
    expect((abort as Error).name).toBe('AbortError');
    expectSameWeights(before.weights, net.getWeights(), 'a pre-aborted signal');
    expect(net.epochs).toBe(before.epochs);
    // not stuck in 'training': every method works
    const report = net.train(X, T, classicTrain({ epochs: 2, batchSize: 4 }));
    expect(report.epochs).toBe(2);
    expect(Number.isFinite(report.error)).toBe(true);
    expect(Array.from(net.predict(X.subarray(0, 3))).every(Number.isFinite)).toBe(true);
    net.dispose();
    expect(net.isDisposed).toBe(true);
  });
});
