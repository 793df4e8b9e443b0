// The input normaliser and the target standardizer in the exports: ONNX Runtime and TF.js, given
// raw inputs, answer what predict answers in the targets' units (1e-5 relative), on both engines;
// importing simdnet's own files gives back the normaliser and the standardizer with their float64
// values, not folded weights; a PyTorch network that scales its outputs, and Mul/Add nodes after
// the last layer from any producer, read as the standardizer; what it cannot be is refused.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromONNX, fromTFJS, toONNX, toTFJS } from '../src/interop/index.js';
import { NN, type NetworkOptions } from '../src/index.js';
import { randomRows } from './helpers/random-data.js';
import { expectClose } from './helpers/tolerance.js';
import { expectClearError, loadError } from './helpers/clear-errors.js';
import { onnxRuntime, tensorflow } from './helpers/interop-runtimes.js';
import { graphOf, insertAfter } from './helpers/onnx-graph.js';

interface Case {
  name: string;
  options: NetworkOptions;
  targets: { mean: number[]; scale: number[] };
  ops: string;
  tfjs: string;
}

const CASES: Case[] = [
  {
    name: 'tanh / linear regression, z-score normaliser, two outputs',
    options: { layers: [3, 6, 2], activation: 'tanh', output: 'linear', loss: 'mse', normalize: 'zscore' },
    targets: { mean: [152.133, -3.25], scale: [77.093, 0.5] },
    ops: 'Sub Mul Gemm Tanh Gemm Mul Add',
    tfjs: 'BatchNormalization Dense Dense BatchNormalization',
  },
  {
    name: 'relu / leaky ReLU output, min-max normaliser',
    options: {
      layers: [4, 5, 3],
      activation: ['relu', { name: 'leaky-relu', slope: 0.1 }],
      loss: 'mse',
      normalize: 'minmax',
    },
    targets: { mean: [10, 0, -1e3], scale: [2, 1e-3, 300] },
    ops: 'Sub Mul Gemm Relu Gemm LeakyRelu Mul Add',
    tfjs: 'BatchNormalization Dense Dense LeakyReLU BatchNormalization',
  },
  {
    name: 'sigmoid output, no normaliser, no bias',
    options: { layers: [2, 4, 1], activation: 'tanh', output: 'sigmoid', loss: 'mse', bias: false, normalize: 'none' },
    targets: { mean: [-20], scale: [40] },
    ops: 'Gemm Tanh Gemm Sigmoid Mul Add',
    tfjs: 'Dense Dense BatchNormalization',
  },
];

/** A trained network of the case (which fits its normaliser) with the case's target standardizer. */
async function standardized(c: Case, engine: 'wasm' | 'js'): Promise<NN> {
  const net = NN.createSync({ ...c.options, engine, seed: 9 });
  const n = net.layers[0]!,
    m = net.layers.at(-1)!;
  net.train(randomRows(40, n, 1, -50, 200), randomRows(40, m, 2), { epochs: 3, batchSize: 8, learningRate: 0.05 });
  const json = { ...net.toJSON(), targetStandardizer: c.targets };
  net.dispose();
  return NN.fromJSON(json, { engine });
}

describe('a network with a normaliser and a target standardizer, exported', () => {
  for (const c of CASES) {
    for (const engine of ['wasm', 'js'] as const) {
      it(`${c.name} (${engine}): ONNX Runtime and TF.js answer predict's values from raw inputs`, async () => {
        const net = await standardized(c, engine);
        const x = randomRows(32, net.layers[0]!, 3, -50, 200);
        const ours = net.predict(x);
        // the standardizer is in play: its mean is far from the raw network's outputs
        const raw = await NN.fromJSON({ ...net.toJSON(), targetStandardizer: null }, { engine });
        expect(Math.abs(ours[0]! - raw.predict(x)[0]!)).toBeGreaterThan(1);
        raw.dispose();
        const onnx = toONNX(net);
        expect(graphOf(onnx).ops.join(' ')).toBe(c.ops);
        expectClose(await onnxRuntime(onnx, x, net.layers[0]!), ours, 1e-5, 'ONNX Runtime', net.layers.at(-1)!);
        const files = toTFJS(net);
        const layers = (files.modelJSON.modelTopology.config as { layers: { class_name: string }[] }).layers;
        expect(layers.map((l) => l.class_name).join(' ')).toBe(c.tfjs);
        expectClose(await tensorflow(files, x, net.layers[0]!), ours, 1e-5, 'TF.js', net.layers.at(-1)!);
        net.dispose();
      });
    }
  }
});

describe("the defaults' normaliser and standardizer, fitted by the first train on raw regression targets", () => {
  it("NN.create({ layers }) + train: ONNX Runtime and TF.js answer predict, from raw inputs, in the targets' units", async () => {
    const net = await NN.create({ layers: [3, 8, 1], seed: 2 });
    const x = randomRows(60, 3, 21, -100, 300);
    const t = Array.from({ length: 60 }, (_, r) => 5000 + 30 * x[r * 3]! - 12 * x[r * 3 + 2]!);
    net.train(x, t, { epochs: 20 });
    const json = net.toJSON();
    expect(json.normalizer?.kind).toBe('zscore');
    expect(json.targetStandardizer!.mean[0]).toBeGreaterThan(1000);
    const rows = randomRows(32, 3, 22, -100, 300);
    const ours = net.predict(rows);
    expectClose(await onnxRuntime(toONNX(net), rows, 3), ours, 1e-5, 'ONNX Runtime', 1);
    expectClose(await tensorflow(toTFJS(net), rows, 3), ours, 1e-5, 'TF.js', 1);
    net.dispose();
  });
});

describe('round trips give back the normaliser and the standardizer, not folded weights', () => {
  for (const c of CASES) {
    it(`${c.name}: ONNX and TF.js, bit for bit`, async () => {
      const net = await standardized(c, 'wasm');
      const x = randomRows(16, net.layers[0]!, 4, -50, 200);
      const before = net.toJSON({ training: false });
      for (const [format, back] of [
        ['ONNX', await fromONNX(toONNX(net))],
        ['TF.js', await fromTFJS(toTFJS(net).modelJSON, toTFJS(net).weightData)],
      ] as const) {
        const after = back.toJSON({ training: false });
        expect(after.targetStandardizer, `${format}: standardizer`).toEqual(before.targetStandardizer);
        expect(after.normalizer, `${format}: normaliser`).toEqual(before.normalizer);
        expect([after.weights, after.biases], `${format}: weights`).toEqual([before.weights, before.biases]);
        expect(Array.from(back.predict(x)), `${format}: predictions`).toEqual(Array.from(net.predict(x)));
        back.dispose();
      }
      net.dispose();
    });
  }

  it("without toTFJS's hint, a last BatchNormalization after a linear Dense is folded into it (and predicts the same)", async () => {
    const net = await standardized(CASES[0]!, 'js');
    const files = toTFJS(net);
    const hints = files.modelJSON.userDefinedMetadata!.simdnet as Record<string, unknown>;
    delete hints.targetStandardizer;
    const folded = await fromTFJS(files.modelJSON, files.weightData, { engine: 'js' });
    expect(folded.toJSON().targetStandardizer).toBeNull();
    const x = randomRows(16, 3, 6, -50, 200);
    expectClose(folded.predict(x), net.predict(x), 1e-5, 'folded standardizer', 2);
    folded.dispose();
    net.dispose();
  });
});

describe('Mul and Add after the last layer, from other producers', () => {
  interface Fixture {
    file: string;
    model: string;
    ops: string[];
  }
  const dir = new URL('./fixtures/onnx/', import.meta.url);
  const { cases } = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as { cases: Fixture[] };

  it("PyTorch's net(x)·std + mean (both exporters): the standardizer, with a linear output layer", async () => {
    const files = cases.filter((c) => c.model === 'regression-standardized');
    expect(files.map((f) => f.ops.join(' '))).toEqual(['Gemm Tanh Gemm Mul Add', 'Gemm Tanh Gemm Mul Add']);
    for (const f of files) {
      const net = await fromONNX(new Uint8Array(readFileSync(new URL(f.file, dir))));
      const json = net.toJSON();
      expect(json.targetStandardizer).toEqual({ mean: [150, -3], scale: [75, 0.5] });
      expect(json.activations.map((a) => a.name)).toEqual(['tanh', 'linear']);
      net.dispose();
    }
  });

  it('after a hidden activation and before a Gemm they fold into it; a non-positive scale or an activation after them is refused', async () => {
    const net = await NN.create({ layers: [3, 4, 2], activation: 'relu', output: 'sigmoid', seed: 1 });
    const bytes = toONNX(net);
    net.dispose();
    const x = randomRows(16, 3, 8, -2, 2);
    const scaled = insertAfter(bytes, 'relu0', [
      { opType: 'Mul', name: 'scale', constants: [[2, 0.5, 1, 3]] },
      { opType: 'Sub', name: 'shift', constants: [[0.25, -1, 0, 0.5]] },
    ]);
    const folded = await fromONNX(scaled);
    expect(folded.toJSON().targetStandardizer).toBeNull();
    expectClose(folded.predict(x), await onnxRuntime(scaled, x, 3), 1e-5, 'folded Mul/Sub vs ONNX Runtime', 2);
    folded.dispose();
    expectClearError(
      await loadError(() =>
        fromONNX(insertAfter(bytes, 'output', [{ opType: 'Mul', name: 'flip', constants: [[1, -1]] }])),
      ),
      /node 'flip' \(Mul\) starts the outputs' standardizer .* scales output 1 by -1; simdnet's standardizer multiplies by positive numbers/,
      'a negative scale',
      RangeError,
    );
    expectClearError(
      await loadError(() =>
        fromONNX(
          insertAfter(bytes, 'dense1', [
            { opType: 'Mul', name: 'half', constants: [[0.5, 0.5]] },
            { opType: 'Relu', name: 'late' },
          ]),
        ),
      ),
      /node 'late' \(Relu\) follows node 'half' \(Mul\) after a layer; simdnet imports one activation right after each dense layer/,
      'an activation after the scaling',
      TypeError,
    );
  });
});
