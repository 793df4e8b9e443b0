// A quantized network saved and loaded: the JSON object (precision 'int8', int8 weights equal to an
// independent quantization of the float weights, their scales, the ranges, the names and the
// standardizer, no training state), the binary file (version 2: int8 bytes, then float32 scales and
// biases), the same bits after every round trip on every engine, the size against the float
// network's file, and the refusals of quantized files that are not sound. (The fuzzing of model
// files, a quantized one among them: formats-refused.test.ts.)
import { describe, expect, it } from 'vitest';
import { NN, type ModelJSON } from '../src/index.js';
import { expectClearError, loadError, thrown } from './helpers/clear-errors.js';
import { resign } from './helpers/binary-format.js';
import { classTask, randomRows, randomWeights } from './helpers/random-data.js';

const f32 = Math.fround;
const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));

const { x, t } = classTask(200, 10, 3, 8);
const float = await NN.create({ layers: [10, 14, 3], seed: 3, engine: 'js' });
float.train(x, t, { epochs: 10 });
const q = float.quantize({ calibration: x.subarray(0, 50 * 10) });
const named = await NN.create({ layers: [3, 6, 1], seed: 4, engine: 'js' });
named.train(
  Array.from({ length: 60 }, (_, i) => ({ age: 20 + (i % 40), bmi: 18 + (i % 13), bp: 70 + (i % 29) })),
  Float32Array.from({ length: 60 }, (_, i) => 100 + 3 * (i % 40) - (i % 13)),
  { epochs: 5 },
);
const qNamed = named.quantize();

describe('a quantized network as JSON', () => {
  it('holds int8 weights equal to an independent quantization of the float weights, their scales, its ranges and names', () => {
    const json = q.toJSON();
    expect(json.precision).toBe('int8');
    expect(json.training).toBeUndefined();
    expect(json.ranges).toHaveLength(2);
    expect(json.ranges!.every((r) => r > 0)).toBe(true);
    const w = float.getWeights();
    for (let l = 0; l < 2; l++) {
      const k = json.layers[l]!,
        n = json.layers[l + 1]!;
      for (let j = 0; j < n; j++) {
        let m = 0;
        for (let i = 0; i < k; i++) m = Math.max(m, Math.abs(w.weights[l]![i * n + j]!));
        expect(json.scales![l]![j]).toBe(f32(m / 127));
        for (let i = 0; i < k; i++) {
          const v = (w.weights[l]![i * n + j]! * 127) / m;
          // round half to even; no weight here sits on a half
          expect(json.weights[l]![i * n + j]).toBe(Math.round(v));
        }
      }
    }
    expect(json.classes).toEqual(float.toJSON().classes);
    expect(json.normalizer!.scale).toEqual(float.toJSON().normalizer!.scale.map(f32));
    const jn = qNamed.toJSON();
    expect(jn.features).toEqual(['age', 'bmi', 'bp']);
    expect(jn.targetStandardizer).toEqual(named.toJSON().targetStandardizer);
  });

  it.each(['js', 'wasm'] as const)(
    'loads back (object and text) on %s as the same network, bit for bit',
    async (engine) => {
      const rows = randomRows(50, 10, 2, -2, 2);
      const want = bits(q.predict(rows) as Float32Array);
      for (const saved of [q.toJSON(), JSON.stringify(q)]) {
        using back = await NN.fromJSON(saved, { engine });
        expect(back.precision).toBe('int8');
        expect(back.engine).toBe(engine);
        expect(bits(back.predict(rows) as Float32Array)).toEqual(want);
        expect(back.classes).toEqual(q.classes);
        expect(back.toJSON()).toEqual(q.toJSON());
      }
      using back = await NN.fromJSON(JSON.stringify(qNamed), { engine });
      const row = { age: 33, bmi: 21, bp: 80 };
      expect(bits(back.predict(row))).toEqual(bits(qNamed.predict(row)));
    },
  );
});

describe('a quantized network as a binary file', () => {
  it.each(['js', 'wasm'] as const)('is version 2 and loads back on %s bit for bit', async (engine) => {
    const bytes = q.toBinary();
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(2);
    const rows = randomRows(50, 10, 2, -2, 2);
    using back = await NN.fromBinary(bytes, { engine });
    expect(back.precision).toBe('int8');
    expect(bits(back.predict(rows) as Float32Array)).toEqual(bits(q.predict(rows) as Float32Array));
    expect(back.toJSON()).toEqual(q.toJSON());
    expect(Array.from(back.toBinary())).toEqual(Array.from(bytes));
    using named2 = await NN.fromBinary(qNamed.toBinary(), { engine });
    expect(named2.toJSON()).toEqual(qNamed.toJSON());
  });

  it('takes at most 30% of the float network’s file for 784-128-10 with a z-score normaliser', () => {
    using mnistLike = NN.createSync({ layers: [784, 128, 10], seed: 1, engine: 'js', output: 'softmax' });
    // pixel-like rows (mostly zeros, a few constant columns) for the normaliser, random weights
    const rows = randomRows(64, 784, 5, -1, 1).map((v, i) => (i % 784 < 40 || v < 0 ? 0 : v));
    mnistLike.train(
      rows,
      Array.from({ length: 64 }, (_, i) => i % 10),
      { epochs: 1 },
    );
    mnistLike.setWeights(randomWeights([784, 128, 10], 2, 0.1));
    using quantized = mnistLike.quantize();
    const floatBytes = mnistLike.toBinary({ training: false }).length,
      int8Bytes = quantized.toBinary().length;
    expect(int8Bytes / floatBytes).toBeLessThanOrEqual(0.3);
    expect(JSON.stringify(quantized).length).toBeLessThan(JSON.stringify(mnistLike.toJSON({ training: false })).length);
  });
});

describe('quantized files that are not sound are refused', () => {
  const base = (): ModelJSON => JSON.parse(JSON.stringify(q)) as ModelJSON;
  const cases: [
    string,
    (m: ModelJSON & Record<string, unknown>) => void,
    RegExp,
    typeof TypeError | typeof RangeError,
  ][] = [
    ['another precision', (m) => void (m.precision = 'int4' as never), /model.precision/, RangeError],
    [
      'a weight beyond 127',
      (m) => void (m.weights[0]![5] = 128),
      /model.weights\[0\]\[5\] must be an integer in \[-127, 127\]/,
      RangeError,
    ],
    ['a weight of −128', (m) => void (m.weights[1]![0] = -128), /model.weights\[1\]\[0\]/, RangeError],
    ['a fractional weight', (m) => void (m.weights[0]![0] = 0.5), /model.weights\[0\]\[0\]/, RangeError],
    [
      'a weight that is not a number',
      (m) => void ((m.weights[0] as unknown[])[3] = '1'),
      /model.weights\[0\]/,
      TypeError,
    ],
    ['a layer of weights short', (m) => void m.weights[0]!.pop(), /model.weights\[0\]/, RangeError],
    [
      'a scale of 0',
      (m) => void (m.scales![0]![2] = 0),
      /model.scales\[0\]\[2\] must be a positive number/,
      RangeError,
    ],
    ['a negative scale', (m) => void (m.scales![1]![0] = -1), /model.scales\[1\]\[0\]/, RangeError],
    ['a scale beyond float32', (m) => void (m.scales![1]![0] = 1e39), /model.scales\[1\]/, RangeError],
    ['scales missing', (m) => void delete m.scales, /model.scales must be an array of 2 layers/, RangeError],
    ['one layer of scales', (m) => void m.scales!.pop(), /model.scales/, RangeError],
    ['a negative range', (m) => void (m.ranges![1] = -1), /model.ranges\[1\]/, RangeError],
    ['a range beyond float32', (m) => void (m.ranges![0] = 1e39), /model.ranges\[0\]/, RangeError],
    ['ranges missing', (m) => void delete m.ranges, /model.ranges/, RangeError],
    [
      'a training state',
      (m) => void (m.training = { epochs: 1, step: 1, random: [1, 2, 3, 4], state: null }),
      /no training state/,
      TypeError,
    ],
    ['a bias of the wrong length', (m) => void m.biases[0]!.pop(), /model.biases\[0\]/, RangeError],
    [
      'a normaliser beyond float32',
      (m) => void (m.normalizer!.scale[0] = 1e39),
      /model.normalizer.scale\[0\] must be a float32 number/,
      RangeError,
    ],
    [
      'no normaliser under normalize zscore',
      (m) => void (m.normalizer = null),
      /model.normalizer must be the fitted normaliser/,
      TypeError,
    ],
    ['an unknown key', (m) => void (m.zeroPoints = [0, 0]), /unknown option "zeroPoints"/, TypeError],
  ];
  it.each(cases)('%s', async (what, edit, field, kind) => {
    const m = base() as ModelJSON & Record<string, unknown>;
    edit(m);
    expectClearError(await loadError(() => NN.fromJSON(m)), field, what, kind);
    expectClearError(await loadError(() => NN.fromJSON(JSON.stringify(m))), field, `${what} (text)`, kind);
  });

  it('a float file with scales or ranges, and binary files whose version and metadata disagree', async () => {
    const f = float.toJSON() as ModelJSON & Record<string, unknown>;
    f.ranges = [0, 0];
    expectClearError(
      await loadError(() => NN.fromJSON(f)),
      /belong to a quantized model/,
      'ranges on a float model',
      TypeError,
    );
    // version 1 bytes whose metadata says int8, version 2 bytes whose metadata says float
    const v2 = q.toBinary(),
      v1 = float.toBinary();
    const swapped = (bytes: Uint8Array, version: number) => {
      const out = bytes.slice();
      new DataView(out.buffer).setUint32(8, version, true);
      return resign(out);
    };
    for (const [bytes, what] of [
      [swapped(v2, 1), 'int8 metadata in version 1'],
      [swapped(v1, 2), 'float metadata in version 2'],
    ] as const) {
      const err = await loadError(() => NN.fromBinary(bytes));
      expectClearError(err, /model bytes/, what);
    }
  });

  it('a float network does not load a quantized model', () => {
    using copy = NN.createSync({ layers: [10, 14, 3], output: 'softmax', engine: 'js' });
    for (const saved of [q.toJSON(), q.toBinary()])
      expectClearError(
        thrown(() => copy.load(saved)),
        /a quantized model \(precision int8\) loads with NN.fromJSON/,
        'load',
        TypeError,
      );
  });
});
