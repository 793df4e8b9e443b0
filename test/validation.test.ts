// Every invalid option, shape or non-finite number is refused before any kernel runs, with a
// TypeError or RangeError whose message names the field; the network is unchanged afterwards.
import { describe, expect, it } from 'vitest';
import { NN, type ModelJSON, type NetworkOptions, type TrainOptions, type Weights } from '../src/index.js';
import { jsEngineSync, wasmEngineSync } from '../src/runtime/engine.js';

type ErrorClass = typeof TypeError | typeof RangeError;

function caught(fn: () => unknown): unknown {
  try { fn(); } catch (err) { return err; }
  return undefined;
}

function expectFieldError(err: unknown, type: ErrorClass, field: RegExp, label: string): void {
  expect(err, `${label}: throws`).toBeInstanceOf(type);
  // a TypeError must not pass for a RangeError or the other way round
  expect((err as Error).constructor, `${label}: ${String(err)}`).toBe(type);
  expect((err as Error).message, label).toMatch(field);
}

const bad = (v: unknown): never => v as never;

// ---- NN.create ---------------------------------------------------------------------------

const CREATE: [string, unknown, ErrorClass, RegExp][] = [
  ['no options', undefined, TypeError, /options/],
  ['options not an object', 'big', TypeError, /options/],
  ['layers missing', {}, TypeError, /layers/],
  ['layers not an array', { layers: 3 }, TypeError, /layers/],
  ['layers empty', { layers: [] }, RangeError, /layers/],
  ['one layer', { layers: [3] }, RangeError, /layers/],
  ['non-integer size', { layers: [3, 2.5] }, RangeError, /layers\[1\]/],
  ['zero size', { layers: [3, 0] }, RangeError, /layers\[1\]/],
  ['negative size', { layers: [-1, 2] }, RangeError, /layers\[0\]/],
  ['NaN size', { layers: [3, NaN, 2] }, RangeError, /layers\[1\]/],
  ['infinite size', { layers: [3, Infinity] }, RangeError, /layers\[1\]/],
  ['size over 2^24', { layers: [3, 2 ** 24 + 1] }, RangeError, /layers\[1\]/],
  ['string size', { layers: ['3', 2] }, TypeError, /layers\[0\]/],
  ['huge network (over 2 GiB)', { layers: [2 ** 24, 2 ** 24] }, RangeError, /layers/],
  ['huge network (100000²)', { layers: [100000, 100000] }, RangeError, /layers/],
  ['unknown activation', { layers: [3, 2], activation: 'swish' }, RangeError, /activation\.name/],
  ['activation of the wrong type', { layers: [3, 2], activation: 42 }, TypeError, /activation/],
  ['activation spec without name', { layers: [3, 2], activation: { gain: 2 } }, TypeError, /activation\.name/],
  ['sigmoid gain 0', { layers: [3, 2], activation: { name: 'sigmoid', gain: 0 } }, RangeError, /activation\.gain/],
  ['sigmoid gain negative', { layers: [3, 2], activation: { name: 'sigmoid', gain: -1 } }, RangeError, /activation\.gain/],
  ['sigmoid gain NaN', { layers: [3, 2], activation: { name: 'sigmoid', gain: NaN } }, RangeError, /activation\.gain/],
  ['sigmoid gain a string', { layers: [3, 2], activation: { name: 'sigmoid', gain: '1' } }, TypeError, /activation\.gain/],
  ['sigmoid threshold infinite', { layers: [3, 2], activation: { name: 'sigmoid', threshold: Infinity } }, RangeError, /activation\.threshold/],
  ['gain on relu', { layers: [3, 2], activation: { name: 'relu', gain: 2 } }, TypeError, /activation/],
  ['slope on tanh', { layers: [3, 2], activation: { name: 'tanh', slope: 0.1 } }, TypeError, /activation/],
  ['leaky slope above 1', { layers: [3, 2], activation: { name: 'leaky-relu', slope: 2 } }, RangeError, /activation\.slope/],
  ['unknown key in activation', { layers: [3, 2], activation: { name: 'sigmoid', alpha: 1 } }, TypeError, /"alpha"/],
  ['activation array too short', { layers: [3, 4, 2], activation: ['relu'] }, RangeError, /activation/],
  ['activation array too long', { layers: [3, 4, 2], activation: ['relu', 'relu', 'relu'] }, RangeError, /activation/],
  ['bad entry in activation array', { layers: [3, 4, 2], activation: ['relu', 'bogus'] }, RangeError, /activation\[1\]\.name/],
  ['softmax hidden (one activation for all)', { layers: [3, 4, 2], activation: 'softmax', output: 'sigmoid' }, RangeError, /activation\[0\]/],
  ['softmax hidden (array)', { layers: [3, 4, 2], activation: ['softmax', 'sigmoid'] }, RangeError, /activation\[0\]/],
  ['softmax on one output', { layers: [3, 1], output: 'softmax' }, RangeError, /output/],
  ['unknown output', { layers: [3, 2], output: 'bogus' }, RangeError, /output\.name/],
  ['unknown loss', { layers: [3, 2], loss: 'hinge' }, RangeError, /loss/],
  ['loss not a string', { layers: [3, 2], loss: 3 }, TypeError, /loss/],
  ['bias not boolean', { layers: [3, 2], bias: 'yes' }, TypeError, /bias/],
  ['bias a number', { layers: [3, 2], bias: 1 }, TypeError, /bias/],
  ['unknown init', { layers: [3, 2], init: 'glorot' }, RangeError, /init/],
  ['initScale with xavier', { layers: [3, 2], init: 'xavier', initScale: 0.1 }, TypeError, /initScale/],
  ['initScale without init', { layers: [3, 2], initScale: 0.1 }, TypeError, /initScale/],
  ['initScale zero', { layers: [3, 2], init: 'normal', initScale: 0 }, RangeError, /initScale/],
  ['initScale NaN', { layers: [3, 2], init: 'uniform', initScale: NaN }, RangeError, /initScale/],
  ['initScale a string', { layers: [3, 2], init: 'uniform', initScale: '1' }, TypeError, /initScale/],
  ['unknown engine', { layers: [3, 2], engine: 'gpu' }, RangeError, /engine/],
  ['engine not a string', { layers: [3, 2], engine: 1 }, TypeError, /engine/],
  ['negative seed', { layers: [3, 2], seed: -1 }, RangeError, /seed/],
  ['fractional seed', { layers: [3, 2], seed: 1.5 }, RangeError, /seed/],
  ['seed ≥ 2^32', { layers: [3, 2], seed: 2 ** 32 }, RangeError, /seed/],
  ['NaN seed', { layers: [3, 2], seed: NaN }, RangeError, /seed/],
  ['string seed', { layers: [3, 2], seed: '7' }, TypeError, /seed/],
  ['unknown normalize', { layers: [3, 2], normalize: 'l2' }, RangeError, /normalize/],
  ['unknown option key', { layers: [3, 2], learningRate: 0.1 }, TypeError, /"learningRate"/],
];

describe('NN.create refuses', () => {
  it.each(CREATE)('%s', async (label, options, type, field) => {
    const before = [jsEngineSync().heap.allocated, wasmEngineSync().heap.allocated];
    const err = await NN.create(options as NetworkOptions).then(() => undefined, (e: unknown) => e);
    expectFieldError(err, type, field, `create: ${label}`);
    expectFieldError(caught(() => NN.createSync(options as NetworkOptions)), type, field, `createSync: ${label}`);
    // nothing was allocated on the way to the error
    expect([jsEngineSync().heap.allocated, wasmEngineSync().heap.allocated]).toEqual(before);
  });
});

// ---- train, predict, setWeights on a live network ----------------------------------------

const X = Array.from({ length: 10 }, (_, r) => [r / 10, 1 - r / 10, (r % 3) / 3]);
const T = Array.from({ length: 10 }, (_, r) => [r % 2, 1 - (r % 2)]);

const TRAIN_DATA: [string, unknown, unknown, ErrorClass, RegExp][] = [
  ['inputs missing', undefined, T, TypeError, /inputs/],
  ['inputs a string', 'abc', T, TypeError, /inputs/],
  ['inputs empty', [], T, RangeError, /inputs/],
  ['flat inputs of the wrong length', new Float32Array(7), T, RangeError, /inputs\.length/],
  ['flat targets of the wrong length', X, new Float32Array(21), RangeError, /targets\.length/],
  ['a ragged input row', [...X.slice(0, 9), [1, 2]], T, RangeError, /inputs\[9\]\.length/],
  ['a ragged target row', X, [...T.slice(0, 4), [1, 0, 1], ...T.slice(5)], RangeError, /targets\[4\]\.length/],
  ['an input row that is not an array', [...X.slice(0, 9), 5], T, TypeError, /inputs\[9\]/],
  ['NaN in an input row', [[0, NaN, 1], ...X.slice(1)], T, RangeError, /inputs\[0\]\[1\]/],
  ['Infinity in flat inputs', Float32Array.from({ length: 30 }, (_, i) => (i === 4 ? Infinity : 0)), T, RangeError, /inputs\[4\]/],
  ['−Infinity in targets', X, [[0, -Infinity], ...T.slice(1)], RangeError, /targets\[0\]\[1\]/],
  ['NaN in flat targets', X, Float64Array.from({ length: 20 }, (_, i) => (i === 13 ? NaN : 0)), RangeError, /targets\[13\]/],
  ['a string value', [[0, '1', 1], ...X.slice(1)], T, TypeError, /inputs\[0\]\[1\]/],
  ['row-count mismatch', X, T.slice(0, 9), RangeError, /targets/],
];

const TRAIN_OPTIONS: [string, unknown, ErrorClass, RegExp][] = [
  ['options not an object', 'fast', TypeError, /train options/],
  ['epochs 0', { epochs: 0 }, RangeError, /epochs/],
  ['epochs negative', { epochs: -1 }, RangeError, /epochs/],
  ['epochs fractional', { epochs: 1.5 }, RangeError, /epochs/],
  ['epochs NaN', { epochs: NaN }, RangeError, /epochs/],
  ['epochs infinite', { epochs: Infinity }, RangeError, /epochs/],
  ['epochs a string', { epochs: '10' }, TypeError, /epochs/],
  ['batchSize 0', { batchSize: 0 }, RangeError, /batchSize/],
  ['batchSize fractional', { batchSize: 1.5 }, RangeError, /batchSize/],
  ['batchSize negative', { batchSize: -3 }, RangeError, /batchSize/],
  ['batchSize an unknown string', { batchSize: 'half' }, RangeError, /batchSize/],
  ['batchSize a boolean', { batchSize: true }, TypeError, /batchSize/],
  ['learningRate 0', { learningRate: 0 }, RangeError, /learningRate/],
  ['learningRate negative', { learningRate: -0.1 }, RangeError, /learningRate/],
  ['learningRate NaN', { learningRate: NaN }, RangeError, /learningRate/],
  ['learningRate infinite', { learningRate: Infinity }, RangeError, /learningRate/],
  ['learningRate a string', { learningRate: '0.1' }, TypeError, /learningRate/],
  ['unknown optimizer', { optimizer: 'rmsprop' }, RangeError, /optimizer/],
  ['optimizer not a string', { optimizer: 1 }, TypeError, /optimizer/],
  ['momentum negative', { momentum: -0.1 }, RangeError, /momentum/],
  ['momentum above 1', { momentum: 1.5 }, RangeError, /momentum/],
  ['beta1 = 1', { optimizer: 'adam', beta1: 1 }, RangeError, /beta1/],
  ['beta1 negative', { beta1: -0.1 }, RangeError, /beta1/],
  ['beta2 = 1', { beta2: 1 }, RangeError, /beta2/],
  ['epsilon 0', { epsilon: 0 }, RangeError, /epsilon/],
  ['epsilon above 1', { epsilon: 2 }, RangeError, /epsilon/],
  ['weightDecay negative', { weightDecay: -1 }, RangeError, /weightDecay/],
  ['clipNorm negative', { clipNorm: -1 }, RangeError, /clipNorm/],
  ['clipNorm NaN', { clipNorm: NaN }, RangeError, /clipNorm/],
  ['shuffle not boolean', { shuffle: 'yes' }, TypeError, /shuffle/],
  ['errorThreshold negative', { errorThreshold: -1 }, RangeError, /errorThreshold/],
  ['errorThreshold NaN', { errorThreshold: NaN }, RangeError, /errorThreshold/],
  ['onEpoch not a function', { onEpoch: 5 }, TypeError, /onEpoch/],
  ['onBatch not a function', { onBatch: 'x' }, TypeError, /onBatch/],
  ['schedule not an object', { schedule: 'step' }, TypeError, /schedule/],
  ['schedule of unknown type', { schedule: { type: 'cosine', factor: 0.5 } }, RangeError, /schedule\.type/],
  ['step schedule without every', { schedule: { type: 'step', factor: 0.5 } }, TypeError, /schedule\.every/],
  ['schedule factor 0', { schedule: { type: 'exponential', factor: 0 } }, RangeError, /schedule\.factor/],
  ['validationSplit 1', { validationSplit: 1 }, RangeError, /validationSplit/],
  ['validationSplit holding out no row', { validationSplit: 0.05 }, RangeError, /validationSplit/],
  ['validationSplit and validationData', { validationSplit: 0.2, validationData: { inputs: X, targets: T } }, TypeError, /validationSplit/],
  ['validationData with the wrong width', { validationData: { inputs: [[1, 2]], targets: [[1, 0]] } }, RangeError, /validationData\.inputs/],
  ['validationData row mismatch', { validationData: { inputs: X, targets: T.slice(1) } }, RangeError, /validationData\.targets/],
  ['earlyStopping without patience', { earlyStopping: {} }, TypeError, /earlyStopping\.patience/],
  ['earlyStopping patience 0', { earlyStopping: { patience: 0 } }, RangeError, /earlyStopping\.patience/],
  ['timeLimitMs 0', { timeLimitMs: 0 }, RangeError, /timeLimitMs/],
  ['signal not an AbortSignal', { signal: {} }, TypeError, /signal/],
  ['unknown onDivergence', { onDivergence: 'ignore' }, RangeError, /onDivergence/],
  ['unknown option key', { epoch: 5 }, TypeError, /"epoch"/],
];

const PREDICT: [string, unknown, ErrorClass, RegExp][] = [
  ['a row of the wrong length', new Float32Array(2), RangeError, /input\.length/],
  ['flat input not a multiple of the layer size', [1, 2, 3, 4], RangeError, /input\.length/],
  ['NaN', [1, NaN, 3], RangeError, /input\[1\]/],
  ['Infinity in a row', [[1, 2, 3], [1, Infinity, 3]], RangeError, /input\[1\]\[1\]/],
  ['a ragged row', [[1, 2, 3], [1, 2]], RangeError, /input\[1\]\.length/],
  ['a string', 'abc', TypeError, /input/],
  ['nothing', undefined, TypeError, /input/],
  ['no rows', [], RangeError, /input/],
];

function weightsOf(layers: number[], bias = true): Weights {
  return {
    weights: layers.slice(1).map((n, l) => new Float32Array(layers[l]! * n).fill(0.5)),
    biases: layers.slice(1).map((n) => (bias ? new Float32Array(n).fill(0.1) : null)),
  };
}

const SET_WEIGHTS: [string, (w: Weights) => unknown, ErrorClass, RegExp][] = [
  ['not an object', () => null, TypeError, /weights/],
  ['too few matrices', (w) => ({ ...w, weights: w.weights.slice(0, 1) }), RangeError, /weights\.weights/],
  ['weights missing', (w) => ({ biases: w.biases }), RangeError, /weights\.weights/],
  ['a matrix of the wrong length', (w) => ({ ...w, weights: [new Float32Array(11), w.weights[1]] }), RangeError, /weights\.weights\[0\]/],
  ['a matrix with too few rows', (w) => ({ ...w, weights: [w.weights[0], new Float32Array(6)] }), RangeError, /weights\.weights\[1\]/],
  ['a matrix of rows with a ragged row', (w) => ({ ...w, weights: [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1]], w.weights[1]] }), RangeError, /weights\.weights\[0\]\[2\]/],
  ['NaN in a matrix', (w) => ({ ...w, weights: [w.weights[0]!.map((v, i) => (i === 5 ? NaN : v)), w.weights[1]] }), RangeError, /weights\.weights\[0\]/],
  ['a matrix that is a string', (w) => ({ ...w, weights: ['abc', w.weights[1]] }), TypeError, /weights\.weights\[0\]/],
  ['biases missing', (w) => ({ weights: w.weights }), RangeError, /weights\.biases/],
  ['a bias vector of the wrong length', (w) => ({ ...w, biases: [w.biases[0], new Float32Array(3)] }), RangeError, /weights\.biases\[1\]/],
  ['a bias vector twice as long', (w) => ({ ...w, biases: [new Float32Array(8), w.biases[1]] }), RangeError, /weights\.biases\[0\]/],
  ['Infinity in a bias', (w) => ({ ...w, biases: [Float32Array.from([0, Infinity, 0, 0]), w.biases[1]] }), RangeError, /weights\.biases\[0\]/],
];

describe.each(['js', 'wasm'] as const)('a live network on %s refuses', (engine) => {
  const make = (): NN => NN.createSync({ layers: [3, 4, 2], engine, seed: 5 });
  const heap = () => (engine === 'js' ? jsEngineSync() : wasmEngineSync()).heap;

  /** The network's weights and outputs, to check a refused call changed nothing. */
  function snapshot(net: NN): { weights: number[][]; out: number[] } {
    const w = net.getWeights();
    return { weights: [...w.weights, ...(w.biases as Float32Array[])].map((a) => Array.from(a)), out: Array.from(net.predict(X.flat())) };
  }

  it.each(TRAIN_DATA)('train with %s', async (label, inputs, targets, type, field) => {
    const net = make();
    const before = snapshot(net), allocated = heap().allocated;
    expectFieldError(caught(() => net.train(inputs, targets, { epochs: 1 })), type, field, `train: ${label}`);
    const err = await net.trainAsync(inputs, targets, { epochs: 1 }).then(() => undefined, (e: unknown) => e);
    expectFieldError(err, type, field, `trainAsync: ${label}`);
    expect(snapshot(net)).toEqual(before);
    expect(heap().allocated).toBe(allocated);
    expect(net.epochs).toBe(0);
    net.dispose();
  });

  it.each(TRAIN_OPTIONS)('train with %s', (label, options, type, field) => {
    const net = make();
    const before = snapshot(net), allocated = heap().allocated;
    expectFieldError(caught(() => net.train(X, T, options as TrainOptions)), type, field, `train: ${label}`);
    expect(snapshot(net)).toEqual(before);
    expect(heap().allocated).toBe(allocated);
    net.dispose();
  });

  it.each(PREDICT)('predict with %s', (label, input, type, field) => {
    const net = make();
    expectFieldError(caught(() => net.predict(bad(input))), type, field, `predict: ${label}`);
    net.dispose();
  });

  it('evaluate with NaN targets', () => {
    const net = make();
    expectFieldError(caught(() => net.evaluate(X, [[NaN, 0], ...T.slice(1)])), RangeError, /targets\[0\]\[0\]/, 'evaluate');
    net.dispose();
  });

  it.each(SET_WEIGHTS)('setWeights with %s', (label, mutate, type, field) => {
    const net = make();
    const before = snapshot(net);
    expectFieldError(caught(() => net.setWeights(bad(mutate(weightsOf([3, 4, 2]))))), type, field, `setWeights: ${label}`);
    expect(snapshot(net)).toEqual(before);
    net.dispose();
  });

  it('setWeights with biases on a network without bias', () => {
    const net = NN.createSync({ layers: [3, 4, 2], bias: false, engine, seed: 5 });
    expectFieldError(caught(() => net.setWeights(weightsOf([3, 4, 2], true))), RangeError, /biases/, 'setWeights');
    expect(() => net.setWeights(weightsOf([3, 4, 2], false))).not.toThrow();
    net.dispose();
  });

  it('after all of those errors the network is unchanged and still trains and predicts', () => {
    const net = make();
    const before = snapshot(net);
    for (const [, inputs, targets] of TRAIN_DATA) caught(() => net.train(inputs, targets));
    for (const [, options] of TRAIN_OPTIONS) caught(() => net.train(X, T, options as TrainOptions));
    for (const [, input] of PREDICT) caught(() => net.predict(bad(input)));
    for (const [, mutate] of SET_WEIGHTS) caught(() => net.setWeights(bad(mutate(weightsOf([3, 4, 2])))));
    expect(snapshot(net)).toEqual(before);
    const report = net.train(X, T, { epochs: 20, batchSize: 'full', learningRate: 0.5 });
    expect(report.epochs).toBe(20);
    expect(Number.isFinite(report.error)).toBe(true);
    expect(snapshot(net).weights).not.toEqual(before.weights);
    expect(net.predict([0.1, 0.2, 0.3]).every(Number.isFinite)).toBe(true);
    net.dispose();
  });
});

// ---- NN.fromJSON and NN.fromBinary -------------------------------------------------------

describe('NN.fromJSON refuses', () => {
  const net = NN.createSync({ layers: [3, 4, 2], activation: 'tanh', output: 'softmax', engine: 'js', seed: 5 });
  const good = (): ModelJSON => JSON.parse(JSON.stringify(net.toJSON())) as ModelJSON;
  const edit = (f: (j: Record<string, unknown>) => void): ModelJSON => { const j = good() as unknown as Record<string, unknown>; f(j); return j as unknown as ModelJSON; };

  const CASES: [string, () => unknown, ErrorClass, RegExp][] = [
    ['text that is not JSON', () => '{"format": "simdnet",', TypeError, /model/],
    ['a number', () => 42, TypeError, /model/],
    ['an array', () => [], TypeError, /model/],
    ['another format', () => edit((j) => { j.format = 'keras'; }), TypeError, /model\.format/],
    ['format missing', () => edit((j) => { delete j.format; }), TypeError, /model\.format/],
    ['version 2', () => edit((j) => { j.version = 2; }), RangeError, /model\.version/],
    ['version as a string', () => edit((j) => { j.version = '1'; }), RangeError, /model\.version/],
    ['an unknown key', () => edit((j) => { j.extra = 1; }), TypeError, /"extra"/],
    ['a zero layer size', () => edit((j) => { j.layers = [3, 0, 2]; }), RangeError, /layers\[1\]/],
    ['too few activations', () => edit((j) => { (j.activations as unknown[]).pop(); }), RangeError, /model\.activations/],
    ['an unknown activation', () => edit((j) => { (j.activations as { name: string }[])[0]!.name = 'swish'; }), RangeError, /model\.activations\[0\]\.name/],
    ['an unknown loss', () => edit((j) => { j.loss = 'hinge'; }), RangeError, /model\.loss/],
    ['bias not boolean', () => edit((j) => { j.bias = 'yes'; }), TypeError, /model\.bias/],
    ['a negative seed', () => edit((j) => { j.seed = -1; }), RangeError, /model\.seed/],
    ['a weight matrix of the wrong size', () => edit((j) => { (j.weights as number[][])[0]!.pop(); }), RangeError, /model\.weights\[0\]/],
    ['weights for other layer sizes', () => edit((j) => { j.layers = [3, 5, 2]; }), RangeError, /model\.weights\[0\]/],
    ['a null weight (NaN written by JSON.stringify)', () => edit((j) => { (j.weights as unknown[][])[1]![2] = null; }), TypeError, /model\.weights\[1\]/],
    ['a bias vector of the wrong length', () => edit((j) => { (j.biases as number[][])[0]!.push(0); }), RangeError, /model\.biases\[0\]/],
    ['a negative training step', () => edit((j) => { (j.training as { step: number }).step = -1; }), RangeError, /model\.training\.step/],
    ['a generator state of 3 words', () => edit((j) => { (j.training as { random: number[] }).random.pop(); }), RangeError, /model\.training\.random/],
    // NN.create refuses these two architectures (see above); a saved model must not smuggle them in
    ['softmax on a hidden layer', () => edit((j) => { (j.activations as unknown[])[0] = { name: 'softmax', gain: 1, threshold: 0, slope: 0.01 }; }), RangeError, /activations\[0\]/],
    ['softmax on a single output', () => edit((j) => {
      j.layers = [3, 4, 1];
      (j.weights as number[][])[1] = [0.1, 0.2, 0.3, 0.4];
      (j.biases as number[][])[1] = [0];
      delete j.training;
    }), RangeError, /softmax/],
  ];

  it.each(CASES)('%s', async (label, model, type, field) => {
    const err = await NN.fromJSON(model() as ModelJSON, { engine: 'js' }).then(() => undefined, (e: unknown) => e);
    expectFieldError(err, type, field, `fromJSON: ${label}`);
  });

  it('NaN and Infinity in a parsed model object', async () => {
    for (const v of [NaN, Infinity]) {
      const err = await NN.fromJSON(edit((j) => { (j.weights as number[][])[0]![3] = v; }), { engine: 'js' }).then(() => undefined, (e: unknown) => e);
      expectFieldError(err, RangeError, /model\.weights\[0\]/, `fromJSON: ${v}`);
    }
  });

  it('an unknown engine option', async () => {
    const err = await NN.fromJSON(good(), { engine: bad('gpu') }).then(() => undefined, (e: unknown) => e);
    expectFieldError(err, RangeError, /engine/, 'fromJSON engine');
  });

  it('the unedited model loads (the cases above fail for their edit, not for the base)', async () => {
    const copy = await NN.fromJSON(good(), { engine: 'js' });
    expect(copy.layers).toEqual([3, 4, 2]);
    copy.dispose();
  });

  it('NN.fromBinary refuses corrupted, truncated and foreign bytes', async () => {
    const bytes = net.toBinary();
    const flipped = bytes.slice(); flipped[bytes.length >> 1]! ^= 0x10;
    const foreign = bytes.slice(); foreign[0] = 0x50;
    const cases: [string, unknown, ErrorClass, RegExp][] = [
      ['not bytes', 'simdnet', TypeError, /model bytes/],
      ['a flipped bit', flipped, RangeError, /checksum/],
      ['truncated', bytes.slice(0, bytes.length - 9), RangeError, /model bytes/],
      ['too short for a header', bytes.slice(0, 10), RangeError, /model bytes/],
      ['another magic', foreign, TypeError, /model bytes/],
    ];
    for (const [label, input, type, field] of cases) {
      const err = await NN.fromBinary(input as Uint8Array, { engine: 'js' }).then(() => undefined, (e: unknown) => e);
      expectFieldError(err, type, field, `fromBinary: ${label}`);
    }
  });
});
