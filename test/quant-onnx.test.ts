// Quantized networks through ONNX, checked by ONNX Runtime (onnxruntime-web in Node; Python's
// onnxruntime: scripts/onnx-verify.py). toONNX writes the int8 arithmetic in standard operators
// (MatMulInteger): ONNX Runtime's outputs equal q.predict bit for bit through ReLU, leaky ReLU and
// linear layers, to float32 rounding through the target standardizer, and within the exponential's
// error through sigmoid, tanh and softmax, where a hidden value on a rounding boundary may quantize
// one step apart: an MNIST network then gives the same class on at least 99.9% of the test digits.
// fromONNX reads what ONNX Runtime's quantizer writes (test/fixtures/quant/): the file's int8
// weights and scales kept as they are, the static form's ranges, outputs within a stated tolerance
// of ONNX Runtime's; every other quantized graph is refused naming the node.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { fromONNX, toONNX } from '../src/interop/index.js';
import { ModelProto } from '../src/interop/onnx-schema.js';
import { mnistSplit } from '../src/cli/mnist-data.js';
import { onnxRuntime } from './helpers/interop-runtimes.js';
import { expectClearError, rejected } from './helpers/clear-errors.js';
import { randomRows, randomWeights } from './helpers/random-data.js';

const bits = (a: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(a).buffer));
const fixture = (file: string): Uint8Array => readFileSync(new URL(`./fixtures/quant/${file}`, import.meta.url));

/** A float network of `options` with seeded weights and, for normalize 'zscore', a normaliser fitted on `fit` rows. */
async function floatNet(options: Parameters<typeof NN.create>[0], seed: number): Promise<NN> {
  const net = await NN.create({ engine: 'js', seed, ...options });
  const k = options.layers[0]!,
    n = options.layers.at(-1)!;
  if (options.normalize === 'zscore' || options.normalize === 'auto') {
    // far from zero in one column (its offset stays), near zero elsewhere (folded)
    const x = randomRows(64, k, seed, -1, 1).map((v, i) => (i % k === 0 ? 300 + 40 * v : v));
    net.train(x, randomRows(64, n, seed + 1, 0, 1), { epochs: 1 });
  }
  const w = randomWeights([...options.layers], seed, 0.5);
  net.setWeights(options.bias === false ? { weights: w.weights, biases: w.biases.map(() => null) } : w);
  return net;
}

describe('toONNX(q): ONNX Runtime runs the quantized arithmetic', () => {
  const exact: [string, Parameters<typeof NN.create>[0], boolean][] = [
    ['ReLU then linear', { layers: [37, 21, 6], activation: 'relu', output: 'linear', normalize: 'none' }, false],
    ['calibrated ReLU', { layers: [37, 21, 6], activation: 'relu', output: 'linear', normalize: 'none' }, true],
    [
      'leaky ReLU, no bias',
      {
        layers: [9, 17, 13, 4],
        activation: { name: 'leaky-relu', slope: 0.05 },
        output: 'relu',
        bias: false,
        normalize: 'none',
      },
      false,
    ],
    [
      'z-scored (one offset kept)',
      { layers: [12, 20, 3], activation: 'relu', output: 'linear', normalize: 'zscore' },
      true,
    ],
  ];
  it.each(exact)('%s: the same bits as q.predict', async (_name, options, calibrated) => {
    const float = await floatNet({ loss: 'mse', ...options }, 11);
    const k = options.layers[0]!;
    const x = randomRows(300, k, 5, -2, 2).map((v, i) =>
      i % k === 0 && options.normalize === 'zscore' ? 300 + 40 * v : v,
    );
    using q = float.quantize(calibrated ? { calibration: x.subarray(0, 40 * k) } : {});
    const ort = await onnxRuntime(toONNX(q), x, k);
    expect(bits(ort)).toEqual(bits(q.predict(x) as Float32Array));
    float.dispose();
  });

  it('through the target standardizer: float32 rounding of the same values', async () => {
    const float = await floatNet({ layers: [6, 10, 2], activation: 'relu', normalize: 'auto' }, 3);
    using q = float.quantize();
    expect(float.toJSON().targetStandardizer).not.toBeNull();
    const x = randomRows(200, 6, 8, -1, 1).map((v, i) => (i % 6 === 0 ? 300 + 40 * v : v));
    const ort = await onnxRuntime(toONNX(q), x, 6),
      y = q.predict(x) as Float32Array;
    for (let i = 0; i < y.length; i++)
      expect(Math.abs(ort[i]! - y[i]!), `output ${i}`).toBeLessThanOrEqual(4e-7 * Math.abs(y[i]!) + 1e-30);
    float.dispose();
  });

  it('sigmoid with gain and threshold, tanh, softmax: within the exponentials’ error', async () => {
    const float = await floatNet(
      {
        layers: [10, 16, 12, 5],
        activation: [{ name: 'sigmoid', gain: 2, threshold: 0.25 }, 'tanh', 'softmax'],
        normalize: 'none',
      },
      7,
    );
    using q = float.quantize();
    const x = randomRows(500, 10, 9, -2, 2);
    const ort = await onnxRuntime(toONNX(q), x, 10),
      y = q.predict(x) as Float32Array;
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(ort[i]! - y[i]!));
    // a hidden output one quantization step apart moves a probability by about a step of its layer
    expect(worst).toBeLessThan(0.01);
    float.dispose();
  });

  it('MNIST 784-128-10: the same class as q.predict on at least 99.9% of the 2,000 test digits; accuracy within 0.2 points of float', async () => {
    const { train, test } = mnistSplit();
    using float = await NN.create({ layers: [784, 128, 10], seed: 1, engine: 'wasm' });
    float.train(train.x, train.t, { epochs: 2, batchSize: 64 });
    using q = float.quantize();
    const ort = await onnxRuntime(toONNX(q), test.x, 784),
      y = q.predict(test.x) as Float32Array;
    const argmax = (a: Float32Array, r: number) => {
      let b = 0;
      for (let j = 1; j < 10; j++) if (a[r * 10 + j]! > a[r * 10 + b]!) b = j;
      return b;
    };
    let same = 0;
    for (let r = 0; r < test.rows; r++) if (argmax(ort, r) === argmax(y, r)) same++;
    expect(same / test.rows).toBeGreaterThanOrEqual(0.999);
    // and the int8 network's test accuracy is within 0.2 points of the float one's
    expect(Math.abs(q.accuracy(test.x, test.t) - float.accuracy(test.x, test.t))).toBeLessThanOrEqual(0.002);
    // the graph: int8 weights for MatMulInteger, no float weight matrix
    const graph = (
      ModelProto.decode(toONNX(q)) as unknown as {
        graph: { node: { opType: string }[]; initializer: { dataType: number; dims: number[] }[] };
      }
    ).graph;
    expect(graph.node.filter((n) => n.opType === 'MatMulInteger')).toHaveLength(2);
    expect(graph.initializer.filter((t) => t.dims.length === 2).every((t) => t.dataType === 3)).toBe(true);
  }, 120_000);
});

interface Case {
  file: string;
  form: string;
  output: number[][];
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/quant/fixtures.json', import.meta.url), 'utf8')) as {
  models: { model: string; input: number[][]; cases: Case[] }[];
};

describe('fromONNX: what ONNX Runtime’s quantizer writes', () => {
  const cases = fixtures.models.flatMap((m) =>
    m.cases.filter((c) => c.form !== 'float').map((c) => [c.file, m, c] as const),
  );
  it.each(cases)(
    '%s: a quantized network with the file’s int8 weights and scales, answering like ONNX Runtime',
    async (file, m, c) => {
      using net = await fromONNX(fixture(file));
      expect(net.precision).toBe('int8');
      const json = net.toJSON();
      // the file's int8 weights and scales, as they are (through simdnet's fanIn × fanOut layout)
      const proto = ModelProto.decode(fixture(file)) as unknown as {
        graph: { initializer: { name: string; dims: number[]; rawData: Uint8Array; floatData: number[] }[] };
      };
      const init = (name: string) => proto.graph.initializer.find((t) => t.name === name)!;
      const layerNames = m.model === 'digits' ? ['0', '2', '4'] : ['0', '2'];
      layerNames.forEach((layer, l) => {
        const w = init(`${layer}.weight_quantized`),
          s = init(`${layer}.weight_scale`);
        const q = new Int8Array(w.rawData.buffer, w.rawData.byteOffset, w.rawData.length);
        const scales = s.rawData.length
          ? new Float32Array(Uint8Array.from(s.rawData).buffer)
          : Float32Array.from(s.floatData);
        const [k, n] = [json.layers[l]!, json.layers[l + 1]!];
        // quantize_dynamic keeps Wq as [K, N]; the QDQ form as Gemm's [N, K] (transB)
        const at = (i: number, j: number) => (c.form.startsWith('dynamic') ? q[i * n + j] : q[j * k + i]);
        for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) expect(json.weights[l]![i * n + j]).toBe(at(i, j));
        expect(json.scales![l]).toEqual(Array.from({ length: n }, (_, j) => scales[scales.length === 1 ? 0 : j]));
      });
      // the static form's ranges: each pair's interval before a layer, the larger end
      expect(json.ranges!.every((r) => (c.form.startsWith('static') ? r > 0 : r === 0))).toBe(true);
      const x = Float32Array.from(m.input.flat()),
        y = net.predict(x) as Float32Array,
        want = c.output.flat();
      const n = (want.length / x.length) * m.input[0]!.length;
      const lo = Math.min(...want),
        hi = Math.max(...want);
      // ONNX Runtime quantizes activations its own way (asymmetric uint8 over the whole batch, or the
      // static pairs, outputs included, which saturate at their calibrated ends); simdnet per row and
      // symmetric. Stated tolerance: 2.5% of the outputs' spread where ONNX Runtime's output is not at
      // an end, and the same class on every row
      for (let i = 0; i < want.length; i++)
        if (want[i]! > lo && want[i]! < hi)
          expect(Math.abs(y[i]! - want[i]!), `output ${i}`).toBeLessThanOrEqual(0.025 * (hi - lo));
      const classOf = (a: ArrayLike<number>, r: number) => {
        let b = 0;
        for (let j = 1; j < n; j++) if (a[r * n + j]! > a[r * n + b]!) b = j;
        return b;
      };
      for (let r = 0; r < m.input.length; r++) expect(classOf(y, r), `row ${r}`).toBe(classOf(want, r));
      // and the same bits on every engine
      using wasm = await fromONNX(fixture(file), { engine: 'wasm' });
      using js = await fromONNX(fixture(file), { engine: 'js' });
      expect(bits(wasm.predict(x) as Float32Array)).toEqual(bits(js.predict(x) as Float32Array));
    },
  );

  it('the Relu that quantize_static folds into a pair comes back, and softmax stays the output', async () => {
    using net = await fromONNX(fixture('digits.static-qdq.onnx'));
    expect(net.toJSON().activations.map((a) => a.name)).toEqual(['relu', 'relu', 'softmax']);
    using iris = await fromONNX(fixture('iris.static-qdq.onnx'));
    expect(iris.toJSON().activations.map((a) => a.name)).toEqual(['tanh', 'linear']);
  });
});

/** A fixture with its graph edited (nodes and initializers as protobufjs decodes them). */
function edited(
  file: string,
  edit: (g: { node: Record<string, unknown>[]; initializer: Record<string, unknown>[] }) => void,
): Uint8Array {
  const m = ModelProto.decode(fixture(file)) as unknown as { graph: Parameters<typeof edit>[0] };
  edit(m.graph);
  return ModelProto.encode(m as never).finish();
}

describe('fromONNX refuses every other quantized graph, naming the node', () => {
  const node = (g: { node: Record<string, unknown>[] }, op: string, nth = 0) =>
    g.node.filter((n) => n.opType === op)[nth]!;
  const refusals: [string, () => Uint8Array, RegExp][] = [
    [
      'uint8 weights for MatMulInteger',
      () =>
        edited(
          'digits.dynamic.onnx',
          (g) => void (g.initializer.find((t) => t.name === '0.weight_quantized')!.dataType = 2),
        ),
      /node '\/0\/Gemm_MatMul_quant' \(MatMulInteger\) needs a 2-D int8 weight matrix/,
    ],
    [
      'a weight zero point other than 0',
      () =>
        edited('digits.dynamic-per-channel.onnx', (g) => {
          const z = g.initializer.find((t) => t.name === '2.weight_zero_point')!;
          z.rawData = Uint8Array.from({ length: 16 }, (_, i) => (i === 3 ? 1 : 0));
        }),
      /\(MatMulInteger\) has a zero point other than 0/,
    ],
    [
      'QLinearMatMul',
      () => edited('digits.dynamic.onnx', (g) => void (node(g, 'MatMulInteger', 1).opType = 'QLinearMatMul')),
      /node '\/2\/Gemm_MatMul_quant' \(QLinearMatMul\) is a quantized operator simdnet does not read/,
    ],
    [
      'a QuantizeLinear not undone by its DequantizeLinear',
      () =>
        edited(
          'digits.static-qdq.onnx',
          (g) =>
            void (node(g, 'DequantizeLinear', 7).input = [
              '/1/Relu_output_0_QuantizeLinear_Output',
              'input_scale',
              'input_zero_point',
            ]),
        ),
      /\(DequantizeLinear\) must undo its QuantizeLinear with the same scale and zero point/,
    ],
    [
      'a DequantizeLinear of uint8 weights',
      () =>
        edited(
          'iris.static-qdq.onnx',
          (g) => void (g.initializer.find((t) => t.name === '2.weight_quantized')!.dataType = 2),
        ),
      /\(DequantizeLinear\) holds uint8 weights/,
    ],
    [
      'a Cast to another type after MatMulInteger',
      () => edited('iris.dynamic.onnx', (g) => void (node(g, 'Cast').attribute = [{ name: 'to', type: 2, i: 6 }])),
      /\(Cast\) must cast to FLOAT/,
    ],
  ];
  it.each(refusals)('%s', async (what, bytes, message) => {
    const err = await rejected(() => fromONNX(bytes()));
    expectClearError(err, message, what);
  });

  it('simdnet’s own quantized export is for ONNX Runtime: fromONNX names its first integer node', async () => {
    using float = await floatNet(
      { layers: [5, 4, 2], activation: 'relu', output: 'linear', loss: 'mse', normalize: 'none' },
      2,
    );
    using q = float.quantize();
    expectClearError(
      await rejected(() => fromONNX(toONNX(q))),
      /node 'dense0.q' \(Cast\)|\(MatMulInteger\)/,
      'own export',
    );
  });
});
