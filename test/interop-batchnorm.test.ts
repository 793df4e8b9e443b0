// BatchNormalization folded on import, TF.js side: PyTorch's BatchNorm1d models written as TF.js
// layers models (scripts/onnx-fixtures.py) load in TF.js and with fromTFJS, both reproducing
// PyTorch's outputs within 1e-5 relative; models with BatchNormalization trained by TF.js here load
// and predict as TF.js does; a folded weight is its float64 value rounded once to float32; what
// cannot be folded is refused with the node or layer named, in both formats.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromONNX, fromTFJS, toONNX } from '../src/interop/index.js';
import { NN } from '../src/index.js';
import { randomRows } from './helpers/random-data.js';
import { expectClose } from './helpers/tolerance.js';
import { expectClearError, loadError } from './helpers/clear-errors.js';
import { onnxRuntime, tensorflow, tf } from './helpers/interop-runtimes.js';
import { insertAfter } from './helpers/onnx-graph.js';

interface Fixture {
  dir: string;
  model: string;
  supported: boolean;
  refusedOp: string | null;
  input: number[][];
  output: number[][];
}
interface ManifestWeight {
  name: string;
  shape: number[];
}
const dir = new URL('./fixtures/tfjs/', import.meta.url);
const { cases } = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as { cases: Fixture[] };
const filesOf = (f: Fixture) => {
  const modelJSON = JSON.parse(readFileSync(new URL(`${f.dir}/model.json`, dir), 'utf8')) as {
    weightsManifest: { weights: ManifestWeight[] }[];
  };
  return { modelJSON, weightData: new Uint8Array(readFileSync(new URL(`${f.dir}/weights.bin`, dir))) };
};
/** The fixture's named float32 tensors, read from weights.bin by the manifest (little-endian). */
function tensorsOf(f: Fixture): Map<string, Float32Array> {
  const { modelJSON, weightData } = filesOf(f);
  const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  const tensors = new Map<string, Float32Array>();
  let at = 0;
  for (const w of modelJSON.weightsManifest[0]!.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    tensors.set(
      w.name,
      Float32Array.from({ length: n }, (_, i) => view.getFloat32(at + 4 * i, true)),
    );
    at += 4 * n;
  }
  return tensors;
}

describe("PyTorch's BatchNorm1d models as TF.js layers models", () => {
  it('cover a BatchNormalization on the inputs, after a Dense (bias or none), after an activation, and last', () => {
    expect(cases.map((c) => c.model).sort()).toEqual([
      'bn-after-activation',
      'bn-after-activation-last',
      'bn-after-linear',
      'bn-input',
      'bn-no-bias',
      'logits',
    ]);
  });

  for (const f of cases.filter((c) => c.supported)) {
    it(`${f.model}: TF.js and fromTFJS (both engines) give PyTorch's outputs within 1e-5 relative`, async () => {
      const x = Float32Array.from(f.input.flat());
      const width = f.output[0]!.length;
      // the file is a TF.js model (a check of the fixture), then simdnet reads it
      const files = filesOf(f) as unknown as Parameters<typeof tensorflow>[0];
      expectClose(await tensorflow(files, x, f.input[0]!.length), f.output.flat(), 1e-5, `${f.model}: TF.js`, width);
      for (const engine of ['wasm', 'js'] as const) {
        const { modelJSON, weightData } = filesOf(f);
        const net = await fromTFJS(modelJSON, weightData, { engine });
        expectClose(net.predict(x), f.output.flat(), 1e-5, `${f.model}: fromTFJS on ${engine}`, width);
        net.dispose();
      }
    });
  }

  it('a BatchNormalization after the last activation is refused with its layer named', async () => {
    const f = cases.find((c) => c.refusedOp === 'BatchNormalization')!;
    const { modelJSON, weightData } = filesOf(f);
    expectClearError(
      await loadError(() => fromTFJS(modelJSON, weightData)),
      /layer 'batchnorm1d2' \(BatchNormalization\) follows an activation and no Dense layer comes after it/,
      f.model,
    );
  });

  it('the input BatchNormalization becomes the normaliser, with its float64 statistics', async () => {
    const f = cases.find((c) => c.model === 'bn-input')!;
    const t = tensorsOf(f);
    const net = await fromTFJS(filesOf(f).modelJSON, filesOf(f).weightData);
    const { normalizer } = net.toJSON();
    const gamma = t.get('batchnorm1d0/gamma')!,
      beta = t.get('batchnorm1d0/beta')!,
      mean = t.get('batchnorm1d0/moving_mean')!,
      variance = t.get('batchnorm1d0/moving_variance')!;
    // (x − mean)·γ/√(var + ε) + β = (x − offset)·scale with scale = γ/√(var + ε), offset = mean − β/scale
    const scale = Array.from(gamma, (g, j) => g / Math.sqrt(variance[j]! + 1e-5));
    expect(normalizer!.scale).toEqual(scale);
    expect(normalizer!.offset).toEqual(Array.from(mean, (m, j) => m - beta[j]! / scale[j]!));
    net.dispose();
  });

  it('folded weights and biases are the float64 values rounded once to float32', async () => {
    for (const model of ['bn-after-linear', 'bn-after-activation']) {
      const f = cases.find((c) => c.model === model)!;
      const t = tensorsOf(f);
      const net = await fromTFJS(filesOf(f).modelJSON, filesOf(f).weightData);
      const { weights, biases } = net.toJSON();
      const W = t.get('linear0/kernel')!,
        b = t.get('linear0/bias')!;
      const bn = model === 'bn-after-linear' ? 'batchnorm1d1' : 'batchnorm1d2';
      const gamma = t.get(`${bn}/gamma`)!,
        beta = t.get(`${bn}/beta`)!,
        mean = t.get(`${bn}/moving_mean`)!,
        variance = t.get(`${bn}/moving_variance`)!;
      const s = Array.from(gamma, (g, j) => g / Math.sqrt(variance[j]! + 1e-5));
      if (model === 'bn-after-linear') {
        // after the 4 × 6 layer: column j scaled by s_j, bias (b − mean)·s + β
        expect(weights[0]).toEqual(Array.from(W, (w, k) => Math.fround(w * s[k % 6]!)));
        expect(biases[0]).toEqual(Array.from(b, (v, j) => Math.fround((v - mean[j]!) * s[j]! + beta[j]!)));
      } else {
        // before the 6 × 2 layer: row i scaled by s_i, the shift (β − mean·s)·W added to its bias
        const W2 = t.get('linear3/kernel')!,
          b2 = t.get('linear3/bias')!;
        expect(weights[1]).toEqual(Array.from(W2, (w, k) => Math.fround(s[Math.floor(k / 2)]! * w)));
        const shift = s.map((v, i) => beta[i]! - mean[i]! * v);
        const bias = Array.from(b2, (v, j) => shift.reduce((sum, t, i) => sum + t * W2[i * 2 + j]!, 0) + v);
        expect(biases[1]).toEqual(bias.map(Math.fround));
      }
      net.dispose();
    }
  });
});

describe('models with BatchNormalization trained by TensorFlow.js', () => {
  const x = randomRows(64, 4, 11, -2, 2);
  const labels = Array.from({ length: 64 }, (_, r) => (x[r * 4]! - x[r * 4 + 1]! > 0 ? 0 : x[r * 4 + 2]! > 0 ? 1 : 2));
  const targets = Float32Array.from(labels.flatMap((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))));

  const models: [string, () => tf.layers.Layer[]][] = [
    [
      'Dense linear → BatchNormalization → Activation relu → Dense softmax',
      () => [
        tf.layers.dense({ inputShape: [4], units: 6 }),
        tf.layers.batchNormalization({}),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    ],
    [
      'Dense tanh → BatchNormalization → Dense softmax',
      () => [
        tf.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }),
        tf.layers.batchNormalization({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    ],
    [
      'BatchNormalization → Dense relu (no bias) → BatchNormalization → Dense softmax',
      () => [
        tf.layers.batchNormalization({ inputShape: [4] }),
        tf.layers.dense({ units: 6, activation: 'relu', useBias: false }),
        tf.layers.batchNormalization({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    ],
  ];

  for (const [name, layers] of models) {
    it(`${name}: fromTFJS predicts as TF.js does (1e-5 relative), on both engines`, async () => {
      const model = tf.sequential({ layers: layers() });
      model.compile({ optimizer: tf.train.adam(0.03), loss: 'categoricalCrossentropy' });
      const xs = tf.tensor2d(x, [64, 4]),
        ys = tf.tensor2d(targets, [64, 3]);
      await model.fit(xs, ys, { epochs: 20, batchSize: 16, verbose: 0, shuffle: false });
      xs.dispose();
      ys.dispose();
      // moving statistics far from their initial 0 and 1, so that every term of the fold counts
      for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
        const n = layer.getWeights()[0]!.shape[0]!;
        const values = (seed: number, lo: number, hi: number) => tf.tensor1d(randomRows(1, n, seed, lo, hi));
        layer.setWeights([values(1, 0.5, 2), values(2, -1, 1), values(3, -1, 1), values(4, 0.2, 3)]);
      }
      let artifacts: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const rows = randomRows(32, 4, 12, -3, 3);
      const expected = tf.tidy(
        () => (model.predict(tf.tensor2d(rows, [32, 4])) as tf.Tensor).dataSync() as Float32Array,
      );
      for (const engine of ['wasm', 'js'] as const) {
        const net = await fromTFJS(artifacts!, artifacts!.weightData as ArrayBuffer, { engine });
        expect(net.layers).toEqual([4, 6, 3]);
        expectClose(net.predict(rows), expected, 1e-5, `${name} on ${engine}`, 3);
        net.dispose();
      }
      model.dispose();
    });
  }
});

describe('a BatchNormalization node inserted into a simdnet export', () => {
  /** The file with a BatchNormalization 'bn' (scale 2, B 0.5, mean 0.1, var 1.5) on the value `after`, `width` wide. */
  const withBatchNorm = (bytes: Uint8Array, after: string, width: number) =>
    insertAfter(bytes, after, [
      { opType: 'BatchNormalization', name: 'bn', constants: [2, 0.5, 0.1, 1.5].map((v) => Array(width).fill(v)) },
    ]);

  it("folded between the hidden activation and the next Gemm, it predicts as ONNX Runtime runs the file; after the output's activation it is refused", async () => {
    const net = await NN.create({ layers: [3, 4, 2], activation: 'relu', output: 'sigmoid', seed: 1 });
    const bytes = toONNX(net);
    net.dispose();
    const between = withBatchNorm(bytes, 'relu0', 4);
    const x = randomRows(16, 3, 5, -2, 2);
    const folded = await fromONNX(between);
    expect(folded.layers).toEqual([3, 4, 2]);
    expectClose(folded.predict(x), await onnxRuntime(between, x, 3), 1e-5, 'folded vs ONNX Runtime', 2);
    folded.dispose();
    expectClearError(
      await loadError(() => fromONNX(withBatchNorm(bytes, 'output', 2))),
      /node 'bn' \(BatchNormalization\) follows an activation and no dense layer comes after it/,
      'after the output sigmoid',
    );
  });
});
