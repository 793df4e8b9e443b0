// The output activation declared on import: a PyTorch classifier that ends in logits (ONNX, both
// exporters, and the same model as a TF.js layers model) loads with { output: 'softmax' } and
// predicts PyTorch's softmax of the logits, and ONNX Runtime's logits put through a float64
// softmax, within 1e-5 relative; training goes on with cross-entropy; the option is checked like
// every other.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromONNX, fromTFJS, toONNX, toTFJS } from '../src/interop/index.js';
import { NN } from '../src/index.js';
import { expectClose } from './helpers/tolerance.js';
import { expectClearError, loadError } from './helpers/clear-errors.js';
import { onnxRuntime } from './helpers/interop-runtimes.js';

interface Fixture {
  file: string;
  model: string;
  input: number[][];
  output: number[][];
  softmax: number[][];
}
const onnxDir = new URL('./fixtures/onnx/', import.meta.url);
const tfjsDir = new URL('./fixtures/tfjs/logits/', import.meta.url);
const { cases } = JSON.parse(readFileSync(new URL('expected.json', onnxDir), 'utf8')) as { cases: Fixture[] };
const logits = cases.filter((c) => c.model === 'logits');
const bytesOf = (file: string) => new Uint8Array(readFileSync(new URL(file, onnxDir)));
const tfjsFiles = () => ({
  modelJSON: readFileSync(new URL('model.json', tfjsDir), 'utf8'),
  weightData: new Uint8Array(readFileSync(new URL('weights.bin', tfjsDir))),
});

/** Softmax of each row, in float64. */
function softmax(values: ArrayLike<number>, width: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length; r += width) {
    const row = Array.from({ length: width }, (_, j) => values[r + j]!);
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / sum));
  }
  return out;
}

describe("{ output: 'softmax' } on a PyTorch classifier that ends in logits", () => {
  it('the fixtures are logits: both exporters, no Softmax node', () => {
    expect(logits.map((c) => c.file).sort()).toEqual(['logits.dynamo.onnx', 'logits.torchscript.onnx']);
    for (const f of logits) expect(f.output.flat().some((v) => v < 0 || v > 1)).toBe(true);
  });

  for (const f of logits) {
    it(`${f.file}: PyTorch's softmax and ONNX Runtime's logits through softmax, on both engines`, async () => {
      const x = Float32Array.from(f.input.flat());
      const runtime = softmax(await onnxRuntime(bytesOf(f.file), x, 4), 3);
      for (const engine of ['wasm', 'js'] as const) {
        const net = await fromONNX(bytesOf(f.file), { output: 'softmax', engine });
        const y = net.predict(x);
        expectClose(y, f.softmax.flat(), 1e-5, `${f.file} on ${engine} vs PyTorch`, 3);
        expectClose(y, runtime, 1e-5, `${f.file} on ${engine} vs ONNX Runtime`, 3);
        expect(net.toJSON().loss).toBe('cross-entropy');
        net.dispose();
      }
      // without the option the same file gives the logits themselves, trained with mean squared error
      const plain = await fromONNX(bytesOf(f.file));
      expectClose(plain.predict(x), f.output.flat(), 1e-5, `${f.file} as logits`, 3);
      expect(plain.toJSON().loss).toBe('mse');
      plain.dispose();
    });
  }

  it("the same model as a TF.js layers model: fromTFJS with { output: softmax } gives PyTorch's softmax", async () => {
    const f = logits[0]!;
    const { modelJSON, weightData } = tfjsFiles();
    const net = await fromTFJS(modelJSON, weightData, { output: 'softmax' });
    expectClose(
      net.predict(Float32Array.from(f.input.flat())),
      f.softmax.flat(),
      1e-5,
      'TF.js logits + softmax vs PyTorch',
      3,
    );
    expect(net.toJSON().loss).toBe('cross-entropy');
    net.dispose();
  });

  it('trains further with cross-entropy (or the loss given), and exports the softmax', async () => {
    const f = logits[1]!;
    const net = await fromONNX(bytesOf(f.file), { output: 'softmax', engine: 'wasm' });
    const x = Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(i * 1.7), (i % 5) / 2 - 1, (i % 3) - 1]);
    const t = x.map((row) => [0, 1, 2].map((j) => (j === (row[0]! > 0 ? 0 : row[1]! > 0 ? 1 : 2) ? 1 : 0)));
    expect(net.toJSON().loss).toBe('cross-entropy');
    const before = net.evaluate(x, t).loss;
    net.train(x, t, { epochs: 60, batchSize: 10, optimizer: 'adam', learningRate: 0.02 });
    expect(net.evaluate(x, t).loss).toBeLessThan(before * 0.6);
    for (const row of net.predict(x)) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // the export carries the declared softmax: ONNX Runtime now answers probabilities
    const rows = Float32Array.from(x.flat());
    expectClose(await onnxRuntime(toONNX(net), rows, 4), net.predict(rows), 1e-5, 'export after training', 3);
    net.dispose();
    const mse = await fromONNX(bytesOf(f.file), { output: 'softmax', loss: 'mse' });
    expect(mse.toJSON().loss).toBe('mse');
    mse.dispose();
  });

  it("declaring the activation a file already has changes nothing; simdnet's own linear export takes the declared softmax and its loss", async () => {
    const classifier = cases.find((c) => c.file === 'relu-softmax.dynamo.onnx')!;
    const same = await fromONNX(bytesOf(classifier.file), { output: 'softmax' });
    expectClose(
      same.predict(Float32Array.from(classifier.input.flat())),
      classifier.output.flat(),
      1e-5,
      'relu-softmax, declared softmax',
      3,
    );
    same.dispose();
    const linear = await NN.create({ layers: [2, 3, 2], activation: 'tanh', output: 'linear', loss: 'mse', seed: 4 });
    const back = await fromONNX(toONNX(linear), { output: 'sigmoid' });
    expect(back.toJSON().loss).toBe('binary-cross-entropy');
    const x = [0.3, -0.7];
    expectClose(
      back.predict(x),
      Array.from(linear.predict(x), (v) => 1 / (1 + Math.exp(-v))),
      1e-6,
      'sigmoid of the linear export',
      2,
    );
    linear.dispose();
    back.dispose();
  });
});

describe('options.output is checked', () => {
  const file = 'logits.torchscript.onnx';
  it('a name that is not an activation, or not a name: the field and the accepted values', async () => {
    expectClearError(
      await loadError(() => fromONNX(bytesOf(file), { output: 'gelu' as never })),
      /options\.output\.name must be one of 'sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax', got "gelu"/,
      'gelu',
      RangeError,
    );
    expectClearError(
      await loadError(() => fromONNX(bytesOf(file), { output: 42 as never })),
      /options\.output must be an activation name/,
      '42',
      TypeError,
    );
    const { modelJSON, weightData } = tfjsFiles();
    expectClearError(
      await loadError(() => fromTFJS(modelJSON, weightData, { output: { name: 'relu', gain: 2 } })),
      /options\.output: gain and threshold apply to 'sigmoid' only/,
      'relu with a gain',
      TypeError,
    );
  });

  it('an output layer that already has another activation, and a softmax over one output, are refused', async () => {
    const classifier = cases.find((c) => c.file === 'relu-softmax.torchscript.onnx')!;
    expectClearError(
      await loadError(() => fromONNX(bytesOf(classifier.file), { output: 'sigmoid' })),
      /options\.output: ONNX model's output layer \(node '\/2\/Gemm' \(Gemm\)\) already applies softmax; declare an output activation only for a linear output \(logits\), got 'sigmoid'/,
      'sigmoid over softmax',
      TypeError,
    );
    const one = await NN.create({ layers: [2, 3, 1], output: 'linear', loss: 'mse', seed: 2 });
    const files = toTFJS(one);
    one.dispose();
    expectClearError(
      await loadError(() => fromTFJS(files.modelJSON, files.weightData, { output: 'softmax' })),
      /options\.output: a softmax needs at least 2 outputs; TF\.js model has 1 \(use 'sigmoid'\)/,
      'softmax over one unit',
      RangeError,
    );
  });
});
