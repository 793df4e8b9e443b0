// net.quantize(): the int8 network a user gets, held to a float64 re-derivation of the quantized
// arithmetic from the float network's own weights and normaliser (test/helpers/quant-reference.ts,
// docs/quantization.md); the same bits on every engine, build and thread count; the float network
// unchanged; class labels and the target standardizer carried through; evaluate's figures against
// an independent recomputation; and every refusal clear (training a quantized network, bad options,
// bad input like a float network's).
import { describe, expect, it } from 'vitest';
import relaxedBytes from '../build/relaxed.wasm';
import { NN, toFunction, trainInWorker } from '../src/index.js';
import { toTFJS } from '../src/interop/index.js';
import { ACT } from '../src/abi/kinds.js';
import { quantReference } from './helpers/quant-reference.js';
import { engineOf } from './helpers/engines.js';
import { expectClearError, rejected, thrown } from './helpers/clear-errors.js';
import { classTask, randomRows, randomWeights, rng } from './helpers/random-data.js';
import { weightBits } from './helpers/bits.js';
import { lossRef } from './helpers/float64-network.js';
import { readSet } from './helpers/reference-data.js';

const f32 = Math.fround;
const relaxedValid = WebAssembly.validate(relaxedBytes);
const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/**
 * The quantized network's outputs for raw rows x, re-derived from the float network: its normaliser in
 * float32 steps, the offset folded into the first layer's biases where every column's offset is
 * within 2 normalised units of zero (in float64, rounded once), then quantReference. `ranges`: the
 * calibrated ranges (0: per row).
 */
function reference(float: NN, x: Float32Array, ranges: number[] = []): Float64Array {
  const json = float.toJSON({ training: false });
  const w = float.getWeights();
  const sizes = json.layers,
    k = sizes[0]!,
    n = sizes[1]!;
  const biases = w.biases.slice();
  let input = x;
  const norm = json.normalize === 'none' ? null : json.normalizer;
  if (norm) {
    const scale = norm.scale.map(f32);
    const fold = norm.offset.every((o, i) => Math.abs(o * norm.scale[i]!) <= 2);
    input = x.map((v, i) => f32(f32(v - (fold ? 0 : f32(norm.offset[i % k]!))) * scale[i % k]!));
    if (fold) {
      const b = w.biases[0];
      biases[0] = Float32Array.from({ length: n }, (_, j) => {
        let s = b ? b[j]! : 0;
        for (let i = 0; i < k; i++) s -= norm.offset[i]! * scale[i]! * w.weights[0]![i * n + j]!;
        return s;
      });
    }
  }
  const layers = json.activations.map((a, l) => ({
    act: ACT[a.name],
    p0: a.name === 'leaky-relu' ? a.slope : a.gain,
    p1: a.threshold,
    range: ranges[l] ?? 0,
  }));
  return quantReference(sizes, layers, w.weights, biases, input);
}

/** A classifier (string labels, z-scored inputs, ReLU and softmax) and a regression network (targets standardized). */
async function trained(): Promise<{
  classifier: NN;
  regression: NN;
  x: Float32Array;
  labels: string[];
  y: Float32Array;
}> {
  const { x, t } = classTask(300, 12, 3, 5);
  const names = ['low', 'mid', 'high'];
  const labels = Array.from({ length: 300 }, (_, r) => names[[0, 1, 2].find((c) => t[r * 3 + c] === 1)!]!);
  const classifier = await NN.create({ layers: [12, 16, 3], seed: 1, engine: 'js' });
  classifier.train(x, labels, { epochs: 20, batchSize: 16 });
  // a regression in large units (a standardizer) on inputs far from zero (a normaliser whose offset stays)
  const random = rng(9);
  const xr = Float32Array.from({ length: 300 * 5 }, (_, i) => (i % 5 === 0 ? 1900 + 100 * random() : random()));
  const y = Float32Array.from({ length: 300 }, (_, r) => 1000 + 50 * Math.sin(xr[r * 5 + 1]! * 3) + xr[r * 5]! / 10);
  const regression = await NN.create({ layers: [5, 12, 1], seed: 2, engine: 'js' });
  regression.train(xr, y, { epochs: 20, batchSize: 16 });
  return { classifier, regression, x, labels, y: xr };
}

const { classifier, regression, x, labels, y: xr } = await trained();

describe('net.quantize(): the answers', () => {
  it('gives an int8 network whose outputs are the re-derived arithmetic, and leaves the float network as it was', () => {
    const before = weightBits(classifier.getWeights());
    const floatOut = classifier.predict(x);
    const q = classifier.quantize();
    expect(q.precision).toBe('int8');
    expect(classifier.precision).toBe('float32');
    expect(Array.from(weightBits(classifier.getWeights()))).toEqual(Array.from(before));
    expect(bits(classifier.predict(x))).toEqual(bits(floatOut));
    expect(q.layers).toEqual([12, 16, 3]);
    const got = q.predict(x) as Float32Array;
    const want = reference(classifier, x);
    // exact through the ReLU layer; the softmax's exponential is the Wasm builds' polynomial
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `output ${i}`).toBeLessThan(2e-6);
    q.dispose();
  });

  it('answers the regression in the targets’ units, bit for bit the re-derivation through the standardizer', () => {
    const q = regression.quantize();
    const std = regression.toJSON().targetStandardizer!;
    const want = reference(regression, xr).map((v) => f32(v * std.scale[0]! + std.mean[0]!));
    expect(bits(q.predict(xr) as Float32Array)).toEqual(bits(want));
    // within a few percent of the float network's own predictions, in those units
    const p = regression.predict(xr) as Float32Array,
      got = q.predict(xr) as Float32Array;
    let err = 0,
      spread = 0;
    for (let i = 0; i < p.length; i++) {
      err += (got[i]! - p[i]!) ** 2;
      spread += (p[i]! - 1000) ** 2;
    }
    expect(Math.sqrt(err / spread)).toBeLessThan(0.05);
    q.dispose();
  });

  it('classifies with the float network’s labels, and evaluate, accuracy and confusionMatrix agree with its outputs', () => {
    const q = classifier.quantize();
    expect(q.classes).toEqual(classifier.classes);
    expect(new Set(q.classes)).toEqual(new Set(['low', 'mid', 'high']));
    const out = q.predict(x) as Float32Array;
    const argmax = (r: number) => [0, 1, 2].reduce((b, c) => (out[r * 3 + c]! > out[r * 3 + b]! ? c : b), 0);
    const predicted = Array.from({ length: 300 }, (_, r) => q.classes![argmax(r)]);
    expect(q.classify(x)).toEqual(predicted);
    expect(q.classify(x.subarray(0, 12))).toBe(predicted[0]);
    const hits = predicted.filter((p, r) => p === labels[r]).length;
    const t = new Float32Array(900);
    labels.forEach((l, r) => {
      t[r * 3 + q.classes!.indexOf(l)] = 1;
    });
    const e = q.evaluate(x, labels);
    expect(e).toEqual({ loss: expect.any(Number), accuracy: hits / 300 });
    expect(e.loss).toBeCloseTo(lossRef('cross-entropy', out, t, 300, 3), 5);
    expect(q.accuracy(x, labels)).toBe(hits / 300);
    const m = q.confusionMatrix(x, labels);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(m[0]![0]! + m[1]![1]! + m[2]![2]!).toBe(hits);
    // within a few rows of the float network's accuracy
    expect(Math.abs(e.accuracy! - classifier.evaluate(x, labels).accuracy!)).toBeLessThanOrEqual(0.02);
    q.dispose();
  });

  it('evaluates a regression in the targets’ units: RMSE, MAE and R² of its own predictions', () => {
    const q = regression.quantize();
    const t = Float32Array.from({ length: 300 }, (_, r) => 1000 + 50 * Math.sin(xr[r * 5 + 1]! * 3) + xr[r * 5]! / 10);
    const p = q.predict(xr) as Float32Array;
    let se = 0,
      ae = 0,
      mean = 0,
      tot = 0;
    for (let i = 0; i < 300; i++) mean += t[i]! / 300;
    for (let i = 0; i < 300; i++) {
      se += (p[i]! - t[i]!) ** 2;
      ae += Math.abs(p[i]! - t[i]!);
      tot += (t[i]! - mean) ** 2;
    }
    const e = q.evaluate(xr, t) as { loss: number; rmse: number; mae: number; r2: number };
    expect(e.rmse).toBeCloseTo(Math.sqrt(se / 300), 6);
    expect(e.mae).toBeCloseTo(ae / 300, 6);
    expect(e.r2).toBeCloseTo(1 - se / tot, 9);
    const floatRmse = (regression.evaluate(xr, t) as { rmse: number }).rmse;
    expect(e.rmse / floatRmse).toBeLessThan(1.1);
    q.dispose();
  });

  it('fits static ranges from calibration rows, and then answers with them', () => {
    const rows = x.subarray(0, 100 * 12);
    const q = classifier.quantize({ calibration: rows });
    const ranges = (q.toJSON() as { ranges: number[] }).ranges;
    expect(ranges.every((r) => r > 0)).toBe(true);
    // the first range: the largest |input| of those rows after the normaliser (offset folded: raw · scale)
    const scale = classifier.toJSON().normalizer!.scale.map(f32);
    let first = 0;
    for (let i = 0; i < rows.length; i++) first = Math.max(first, Math.abs(f32(rows[i]! * scale[i % 12]!)));
    expect(ranges[0]).toBe(f32(first));
    const got = q.predict(x) as Float32Array,
      want = reference(classifier, x, ranges);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `output ${i}`).toBeLessThan(2e-6);
    q.dispose();
  });
});

describe('net.quantize(): the same bits on every engine, build and thread count', () => {
  it.each([false, true])('js, plain SIMD, relaxed SIMD, 1 and 3 threads agree (calibrated: %s)', (calibrated) => {
    // layers wide enough to share their rows among threads
    using wide = NN.createSync({ layers: [64, 96, 10], output: 'softmax', normalize: 'none', engine: 'js', seed: 4 });
    wide.setWeights(randomWeights([64, 96, 10], 4, 0.3));
    const rows = randomRows(700, 64, 3, -2, 2);
    const calibration = calibrated ? rows.subarray(0, 50 * 64) : undefined;
    const outputs = (options: { engine: 'js' | 'wasm'; threads?: number }): Float32Array => {
      using q = wide.quantize({ ...options, ...(calibration ? { calibration } : {}) });
      expect(q.threads).toBe(options.threads ?? 1);
      return q.predict(rows) as Float32Array;
    };
    const base = bits(outputs({ engine: 'js' }));
    for (const p of [{ engine: 'wasm' }, { engine: 'wasm', threads: 3 }] as const)
      expect(bits(outputs(p)), JSON.stringify(p)).toEqual(base);
    // the relaxed build where this runtime validates it (Node 22 and later, Chromium)
    using w = wide.quantize({ engine: 'wasm' });
    expect(w.build).toBe(relaxedValid ? 'relaxed-simd' : 'simd');
  });

  it('takes the float network’s engine and threads unless told otherwise', () => {
    using q = classifier.quantize();
    expect(q.engine).toBe('js');
    using w = classifier.quantize({ engine: 'wasm' });
    expect(w.engine).toBe('wasm');
    expect(w.build).not.toBe('js');
  });
});

describe('net.quantize(): what it refuses, and how', () => {
  it('a quantized network does not train, take weights, load or quantize again: it says to train the float network', async () => {
    using q = classifier.quantize();
    const again = /quantized \(precision 'int8'\).*train the float network and quantize it again/;
    for (const [what, f] of [
      ['train', () => q.train(x, labels)],
      ['setWeights', () => q.setWeights(classifier.getWeights())],
      ['getWeights', () => q.getWeights()],
      ['load', () => q.load(classifier.toJSON())],
    ] as const) {
      const err = thrown(f) as Error;
      expect(err, what).toBeInstanceOf(Error);
      expect(err.message, what).toMatch(again);
    }
    expect((await rejected(() => q.trainAsync(x, labels))) as Error).toHaveProperty(
      'message',
      expect.stringMatching(again),
    );
    expect((await rejected(() => trainInWorker(q, x, labels))) as Error).toHaveProperty(
      'message',
      expect.stringMatching(again),
    );
    expect((thrown(() => q.quantize()) as Error).message).toMatch(/quantize the float network it came from/);
    expectClearError(
      thrown(() => toFunction(q)),
      /toFunction: net is quantized/,
      'toFunction',
      TypeError,
    );
    expectClearError(
      thrown(() => toTFJS(q)),
      /toTFJS: net is quantized.*toONNX/,
      'toTFJS',
      TypeError,
    );
    // and none of it changed what it answers
    expect(q.classify(x.subarray(0, 12))).toBe(classifier.quantize().classify(x.subarray(0, 12)));
  });

  it('refuses a network whose first train() has not decided its output or fitted its normaliser', async () => {
    const untrained = await NN.create({ layers: [4, 3, 2], engine: 'js' });
    expect((thrown(() => untrained.quantize()) as Error).message).toMatch(/output layer is chosen by the first train/);
    const unfitted = await NN.create({ layers: [4, 3, 2], output: 'softmax', normalize: 'zscore', engine: 'js' });
    expect((thrown(() => unfitted.quantize()) as Error).message).toMatch(
      /normalize 'zscore' is fitted by the first train/,
    );
    untrained.dispose();
    unfitted.dispose();
  });

  it.each([
    [{ calibration: 'rows' }, /options.calibration/, TypeError],
    [{ calibration: [[1, 2]] }, /options.calibration\[0\]/, RangeError],
    [{ calibration: [Array(12).fill(Number.NaN)] }, /options.calibration\[0\]\[0\]/, RangeError],
    [{ engine: 'gpu' }, /engine/, RangeError],
    [{ threads: 0 }, /threads/, RangeError],
    [{ seed: 1 }, /unknown option "seed"; expected one of calibration, engine, threads/, TypeError],
    ['int8', /options must be/, TypeError],
  ] as const)('bad options %j: a clear error', (options, field, kind) => {
    expectClearError(
      thrown(() => classifier.quantize(options as never)),
      field,
      JSON.stringify(options),
      kind,
    );
  });

  it('bad input gets the float network’s own errors', () => {
    using q = classifier.quantize();
    const inputs: unknown[] = [
      'x',
      [],
      [[1, 2, 3]],
      new Float32Array(13),
      [Array(12).fill(Number.POSITIVE_INFINITY)],
      Float32Array.of(...Array(11).fill(0), Number.NaN),
      [{ a: 1 }],
      null,
    ];
    for (const input of inputs) {
      const want = thrown(() => classifier.predict(input as never)) as Error;
      const got = thrown(() => q.predict(input as never)) as Error;
      expectClearError(got, null, `predict(${String(input)})`);
      expect(got.constructor).toBe(want.constructor);
      expect(got.message).toBe(want.message);
      expect((thrown(() => q.classify(input as never)) as Error).message).toBe(want.message);
    }
    const badTargets = ['nope', ...labels.slice(1)];
    expect((thrown(() => q.evaluate(x, badTargets)) as Error).message).toBe(
      (thrown(() => classifier.evaluate(x, badTargets)) as Error).message,
    );
  });

  it('says int8 in summary() and console.log, and gives its memory back on dispose', async () => {
    const heap = engineOf('wasm').heap;
    classifier.quantize({ engine: 'wasm' }).dispose(); // the dot product's probes, once per process
    const allocated = heap.allocated;
    const q = classifier.quantize({ engine: 'wasm' });
    q.predict(x);
    expect(heap.allocated).toBeGreaterThan(allocated);
    expect(q.summary()).toMatch(/precision: int8/);
    expect(classifier.summary()).toMatch(/precision: float32/);
    const { inspect } = await import('node:util');
    expect(inspect(q)).toMatch(/precision: 'int8'/);
    q.dispose();
    q.dispose();
    expect(heap.allocated).toBe(allocated);
    expect(q.isDisposed).toBe(true);
    expect((thrown(() => q.predict(x)) as Error).message).toMatch(/disposed/);
  });

  it('shares one scratch among an engine’s quantized networks, wide and narrow, and gives it back with the last', async () => {
    const heap = engineOf('wasm').heap;
    classifier.quantize({ engine: 'wasm' }).dispose();
    const allocated = heap.allocated;
    using wide = NN.createSync({ layers: [300, 40, 3], output: 'softmax', normalize: 'none', engine: 'wasm', seed: 2 });
    const narrow = classifier.quantize({ engine: 'wasm' });
    const before = narrow.predict(x) as Float32Array;
    const big = wide.quantize();
    const rows = randomRows(70, 300, 4, 0, 1);
    const bigOut = big.predict(rows) as Float32Array;
    // each answers as alone: the narrow one after the wide one grew the scratch, the wide one after the narrow one left
    expect(bits(narrow.predict(x) as Float32Array)).toEqual(bits(before));
    narrow.dispose();
    expect(bits(big.predict(rows) as Float32Array)).toEqual(bits(bigOut));
    big.dispose();
    wide.dispose();
    expect(heap.allocated).toBe(allocated);
  });
});

describe('net.quantize(): accuracy against float (issue 24: within 2% of float RMSE on a regression)', () => {
  it('diabetes with the defaults: test RMSE within 2% of the float network’s, on five seeds', async () => {
    const train = readSet('diabetes', 'train'),
      test = readSet('diabetes', 'test');
    for (const seed of [1, 2, 3, 4, 5]) {
      using net = await NN.create({ layers: [train.x[0]!.length, 32, 1], seed });
      net.train(train.x, train.y);
      using q = net.quantize();
      const float = net.evaluate(test.x, test.y) as { rmse: number },
        int8 = q.evaluate(test.x, test.y) as { rmse: number };
      expect(
        Math.abs(int8.rmse / float.rmse - 1),
        `seed ${seed}: ${int8.rmse} against ${float.rmse}`,
      ).toBeLessThanOrEqual(0.02);
    }
  });
});
