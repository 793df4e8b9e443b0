// ONNX import: ONNX files written by PyTorch (scripts/onnx-fixtures.py, both exporters: TorchScript
// and dynamo) load with fromONNX and reproduce the outputs PyTorch computed, within 1e-5 relative,
// on both engines, BatchNorm1d folded wherever it stands next to a Linear; the 1-D convolution and a
// BatchNorm1d after the last activation are refused with their node named; an imported network trains.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromONNX } from '../src/interop/index.js';
import { expectClose } from './helpers/tolerance.js';
import { expectClearError, loadError, rejected } from './helpers/clear-errors.js';

interface Fixture {
  file: string;
  model: string;
  exporter: string;
  ops: string[];
  supported: boolean;
  refusedOp: string | null;
  input: number[][];
  output: number[][];
}
const dir = new URL('./fixtures/onnx/', import.meta.url);
const { cases } = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as { cases: Fixture[] };
const bytesOf = (f: Fixture) => new Uint8Array(readFileSync(new URL(f.file, dir)));

describe('PyTorch ONNX files', () => {
  it('cover both exporters, every activation, MatMul and Gemm with transB, Flatten, and a convolution', () => {
    expect(new Set(cases.map((c) => c.exporter))).toEqual(new Set(['torchscript', 'dynamo']));
    const ops = new Set(cases.flatMap((c) => c.ops));
    for (const op of ['Gemm', 'MatMul', 'Relu', 'Tanh', 'Sigmoid', 'LeakyRelu', 'Softmax', 'Flatten', 'Conv'])
      expect(ops).toContain(op);
  });

  it('cover BatchNormalization on the inputs, after a Gemm, after a MatMul, after an activation, and named twice', () => {
    const ops = (file: string) => cases.find((c) => c.file === file)!.ops.join(' ');
    expect(ops('bn-input.torchscript.onnx')).toBe('BatchNormalization Gemm Relu Gemm Softmax');
    expect(ops('bn-after-linear.torchscript.onnx')).toBe('Gemm BatchNormalization Relu Gemm');
    expect(ops('bn-after-activation.dynamo.onnx')).toBe('Gemm Tanh BatchNormalization Gemm Sigmoid');
    // an Identity over an initializer: PyTorch writes a tensor equal to another (weight 1, variance 1) so
    expect(ops('bn-no-bias.torchscript.onnx')).toBe(
      'Identity MatMul BatchNormalization Relu MatMul BatchNormalization',
    );
  });

  for (const f of cases.filter((c) => c.supported)) {
    it(`${f.file} (${f.ops.join(' ')}) reproduces PyTorch's outputs on both engines`, async () => {
      for (const engine of ['wasm', 'js'] as const) {
        const net = await fromONNX(bytesOf(f), { engine });
        expect(net.layers[0]).toBe(f.input[0]!.length);
        const y = net.predict(f.input);
        expectClose(
          y.flatMap((row) => Array.from(row)),
          f.output.flat(),
          1e-5,
          `${f.file} on ${engine}`,
          net.layers.at(-1)!,
        );
        net.dispose();
      }
    });
  }

  for (const f of cases.filter((c) => c.refusedOp === 'Conv')) {
    it(`${f.file} is refused with its Conv node named`, async () => {
      const err = await loadError(() => fromONNX(bytesOf(f)));
      expectClearError(err, /Conv/, f.file);
      expect(String(err)).toMatch(
        f.exporter === 'dynamo' ? /node 'node_conv1d' \(Conv\)/ : /node '\/1\/Conv' \(Conv\)/,
      );
      expect(String(err)).toMatch(/simdnet imports dense layers \(Gemm, or MatMul \+ Add\)/);
    });
  }

  for (const f of cases.filter((c) => c.refusedOp === 'BatchNormalization')) {
    it(`${f.file}: a BatchNormalization after the last activation is refused with its node named`, async () => {
      const err = await loadError(() => fromONNX(bytesOf(f)));
      expectClearError(
        err,
        /node '[^']+' \(BatchNormalization\) follows an activation and no dense layer comes after it/,
        f.file,
      );
    });
  }

  it('the loss follows the output (softmax: cross-entropy, sigmoid: binary cross-entropy, else MSE) unless { loss } says otherwise', async () => {
    const loss = async (model: string, options = {}) => {
      const net = await fromONNX(bytesOf(cases.find((c) => c.model === model)!), options);
      const { loss: name, bias } = net.toJSON();
      net.dispose();
      return [name, bias];
    };
    expect(await loss('relu-softmax')).toEqual(['cross-entropy', true]);
    expect(await loss('tanh-sigmoid')).toEqual(['binary-cross-entropy', true]);
    expect(await loss('leaky-linear')).toEqual(['mse', true]);
    expect(await loss('no-bias-sigmoid')).toEqual(['mse', false]);
    expect(await loss('leaky-linear', { loss: 'sse', engine: 'js' })).toEqual(['sse', true]);
    expectClearError(await rejected(() => loss('leaky-linear', { loss: 'hinge' })), /options\.loss/, '{ loss: hinge }');
    expectClearError(
      await rejected(() => loss('leaky-linear', { engine: 'gpu' })),
      /engine/,
      '{ engine: gpu } (checked by fromJSON)',
    );
  });

  it('an imported PyTorch classifier trains further: its loss falls on data it has not seen', async () => {
    const f = cases.find((c) => c.model === 'relu-softmax' && c.exporter === 'dynamo')!;
    const net = await fromONNX(bytesOf(f), { engine: 'wasm' });
    // relabel PyTorch's own inputs by a new rule the imported weights do not know
    const x = Array.from({ length: 60 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3), (i % 7) / 3 - 1, (i % 5) / 2 - 1]);
    const t = x.map((row) => {
      const k = row[0]! + row[1]! > 0 ? 0 : row[2]! > 0 ? 1 : 2;
      return [0, 1, 2].map((j) => (j === k ? 1 : 0));
    });
    const before = net.evaluate(x, t).loss;
    const report = net.train(x, t, { epochs: 60, batchSize: 10, optimizer: 'adam', learningRate: 0.02 });
    expect(report.error).toBeLessThan(before * 0.6);
    expect(net.accuracy(x, t)).toBeGreaterThan(0.8);
    net.dispose();
  });
});
