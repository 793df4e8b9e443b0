// TF.js export and import: toTFJS models load with tf.loadLayersModel (from memory) and predict
// as simdnet does, within 1e-5 relative, for every case on both engines; models trained by
// TensorFlow.js here load with fromTFJS and predict as TF.js does; round trips give the same
// network back.
import { describe, expect, it } from 'vitest';
import { fromTFJS, toTFJS } from '../src/interop/index.js';
import { randomRows } from './helpers/random-data.js';
import { expectClose } from './helpers/tolerance.js';
import { expectClearError, loadError } from './helpers/clear-errors.js';
import { tensorflow, tf } from './helpers/interop-runtimes.js';
import { CASES, sigmoidOf, trained, expectRoundTrip } from './helpers/interop-cases.js';

/** model.json as model.save() writes it to files, and the bytes of weights.bin, from a trained tf model. */
async function saved(model: tf.LayersModel): Promise<{ modelJSON: Record<string, unknown>; weightData: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const { modelTopology, weightSpecs, weightData, format, generatedBy, convertedBy } = artifacts!;
  return {
    modelJSON: {
      modelTopology,
      format,
      generatedBy,
      convertedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
    },
    weightData: new Uint8Array(weightData as ArrayBuffer),
  };
}

describe('toTFJS in TensorFlow.js', () => {
  for (const c of CASES) {
    for (const engine of ['wasm', 'js'] as const) {
      it(`${c.name} (${engine})`, async () => {
        const net = trained(c, engine);
        const x = randomRows(32, net.layers[0]!, 99, ...c.range);
        const files = toTFJS(net);
        expect(files.modelJSON.format).toBe('layers-model');
        expect(files.modelJSON.weightsManifest[0]!.paths).toEqual(['weights.bin']);
        expectClose(
          await tensorflow(files, x, net.layers[0]!),
          net.predict(x),
          1e-5,
          'TF.js vs simdnet',
          net.layers.at(-1)!,
        );
        net.dispose();
      });
    }
  }
});

describe('toTFJS → fromTFJS', () => {
  for (const c of CASES) {
    // the article's gain and threshold are folded into the kernel and bias (α·W, α·(b − θ)), rounded to float32
    const folded = sigmoidOf(c) !== null;
    it(`${c.name}: the same predictions, ${folded ? 'to float32 rounding (gain folded into the kernel)' : 'bit for bit'}, on each engine`, async () => {
      for (const engine of ['wasm', 'js'] as const) {
        const net = trained(c, engine);
        const { modelJSON, weightData } = toTFJS(net);
        // as files: model.json text and the bytes of weights.bin
        const back = await fromTFJS(JSON.stringify(modelJSON), weightData.slice().buffer, { engine });
        expectRoundTrip(net, back, c, folded ? 1e-5 : 'exact', engine);
        net.dispose();
        back.dispose();
      }
    });
  }
});

describe('models trained by TensorFlow.js', () => {
  const x = randomRows(64, 4, 5, -2, 2);
  const labels = Array.from({ length: 64 }, (_, r) => (x[r * 4]! + x[r * 4 + 1]! > 0 ? 0 : x[r * 4 + 2]! > 0 ? 1 : 2));

  async function fit(layers: tf.layers.Layer[], targets: Float32Array, loss: string): Promise<tf.Sequential> {
    const model = tf.sequential({ layers });
    model.compile({ optimizer: tf.train.adam(0.03), loss });
    const xs = tf.tensor2d(x, [64, 4]),
      ys = tf.tensor2d(targets, [64, targets.length / 64]);
    await model.fit(xs, ys, { epochs: 30, batchSize: 16, verbose: 0, shuffle: false });
    xs.dispose();
    ys.dispose();
    return model;
  }

  const models: [string, () => Promise<tf.Sequential>][] = [
    [
      'Dense relu → Dense softmax',
      () =>
        fit(
          [
            tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
            tf.layers.dense({ units: 3, activation: 'softmax' }),
          ],
          Float32Array.from(labels.flatMap((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0)))),
          'categoricalCrossentropy',
        ),
    ],
    [
      'Dense tanh (no bias) → Dropout → Dense sigmoid',
      () =>
        fit(
          [
            tf.layers.dense({ inputShape: [4], units: 6, activation: 'tanh', useBias: false }),
            tf.layers.dropout({ rate: 0.2 }),
            tf.layers.dense({ units: 1, activation: 'sigmoid' }),
          ],
          Float32Array.from(labels, (k) => (k === 0 ? 1 : 0)),
          'binaryCrossentropy',
        ),
    ],
    [
      'BatchNormalization → Dense linear → LeakyReLU → Dense linear',
      () =>
        fit(
          [
            tf.layers.batchNormalization({ inputShape: [4] }),
            tf.layers.dense({ units: 5 }),
            tf.layers.leakyReLU({ alpha: 0.1 }),
            tf.layers.dense({ units: 2 }),
          ],
          Float32Array.from(labels.flatMap((k, r) => [k, x[r * 4 + 3]!])),
          'meanSquaredError',
        ),
    ],
  ];

  for (const [name, make] of models) {
    it(`${name}: fromTFJS predicts as TF.js does (1e-5 relative), on both engines`, async () => {
      const model = await make();
      const files = await saved(model);
      const expected = tf.tidy(() => (model.predict(tf.tensor2d(x, [64, 4])) as tf.Tensor).dataSync() as Float32Array);
      for (const engine of ['wasm', 'js'] as const) {
        const net = await fromTFJS(files.modelJSON, files.weightData, { engine });
        expectClose(net.predict(x), expected, 1e-5, `${name} on ${engine}`, net.layers.at(-1)!);
        net.dispose();
      }
      // tf.io's artifacts themselves (weightSpecs, weightData as one ArrayBuffer or as shards) load the same
      const shards = [files.weightData.slice(0, 8).buffer, files.weightData.slice(8).buffer];
      const fromArtifacts = await fromTFJS(
        {
          ...files.modelJSON,
          weightSpecs: (files.modelJSON.weightsManifest as { weights: unknown[] }[])[0]!.weights,
          weightsManifest: undefined,
        },
        shards,
      );
      expectClose(fromArtifacts.predict(x), expected, 1e-5, `${name} from artifacts`, fromArtifacts.layers.at(-1)!);
      fromArtifacts.dispose();
      model.dispose();
    });
  }

  it('an imported TF.js classifier trains further in simdnet', async () => {
    const model = await models[0]![1]();
    const files = await saved(model);
    model.dispose();
    const net = await fromTFJS(files.modelJSON, files.weightData);
    expect(net.toJSON().loss).toBe('cross-entropy');
    const t = labels.map((k) => [0, 1, 2].map((j) => (j === (k + 1) % 3 ? 1 : 0))); // a new labelling
    const before = net.evaluate(x, t).loss;
    net.train(x, t, { epochs: 80, batchSize: 16, optimizer: 'adam', learningRate: 0.02 });
    expect(net.evaluate(x, t).loss).toBeLessThan(before * 0.5);
    net.dispose();
  });

  it('unsupported layers and activations are refused with the layer named', async () => {
    const conv = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [4], targetShape: [4, 1] }),
        tf.layers.conv1d({ filters: 2, kernelSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    const elu = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'elu' })] });
    for (const [model, message] of [
      [conv, /layer 'reshape_Reshape\d+' \(Reshape\) is not supported/],
      [elu, /layer 'dense_Dense\d+' \(Dense\) has activation "elu"/],
    ] as const) {
      const files = await saved(model);
      const err = await loadError(() => fromTFJS(files.modelJSON, files.weightData));
      expectClearError(err, message, String(message));
      model.dispose();
    }
  });
});
