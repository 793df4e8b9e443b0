// Issue 12: toONNX models run in ONNX Runtime (onnxruntime-web in Node) and predict as simdnet does,
// within 1e-5 relative, for every case on both engines; fromONNX gives the same network back.
import { describe, expect, it } from 'vitest';
import { NN } from '../src/interop/index.js';
import { CASES, trained, uniformRows, onnxRuntime, expectClose } from './interop-helpers.js';

describe('toONNX in ONNX Runtime', () => {
  for (const c of CASES) {
    for (const engine of ['wasm', 'js'] as const) {
      it(`${c.name} (${engine})`, async () => {
        const net = trained(c, engine);
        const x = uniformRows(32, net.inputSize, c.range, 99);
        const ours = net.predict(x);
        const theirs = await onnxRuntime(net.toONNX(), x, net.inputSize);
        const worst = expectClose(theirs, ours, 1e-5, 'ONNX Runtime vs simdnet');
        expect(worst).toBeLessThan(1e-5);
        net.dispose();
      });
    }
  }
});
