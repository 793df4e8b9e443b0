// ONNX export: toONNX models run in ONNX Runtime (onnxruntime-web in Node) and predict as simdnet
// does, within 1e-5 relative, for every case on both engines; fromONNX gives the same network back.
import { describe, expect, it } from 'vitest';
import { fromONNX, toONNX } from '../src/interop/index.js';
import { randomRows } from './helpers/random-data.js';
import { expectClose } from './helpers/tolerance.js';
import { onnxRuntime } from './helpers/interop-runtimes.js';
import { CASES, sigmoidOf, trained, expectRoundTrip } from './helpers/interop-cases.js';

describe('toONNX in ONNX Runtime', () => {
  for (const c of CASES) {
    for (const engine of ['wasm', 'js'] as const) {
      it(`${c.name} (${engine})`, async () => {
        const net = trained(c, engine);
        const x = randomRows(32, net.layers[0]!, 99, ...c.range);
        const ours = net.predict(x);
        const theirs = await onnxRuntime(toONNX(net), x, net.layers[0]!);
        const worst = expectClose(theirs, ours, 1e-5, 'ONNX Runtime vs simdnet', net.layers.at(-1)!);
        expect(worst).toBeLessThan(1e-5);
        net.dispose();
      });
    }
  }
});

describe('toONNX → fromONNX', () => {
  for (const c of CASES) {
    // a sigmoid layer with both a learned bias and a threshold is written as C = b − θ, rounded to float32 once
    const folded = sigmoidOf(c) !== null && (sigmoidOf(c)!.threshold ?? 0) !== 0 && c.options.bias !== false;
    it(`${c.name}: the same predictions, ${folded ? 'to float32 rounding (C = b − θ)' : 'bit for bit'}, on each engine`, async () => {
      for (const engine of ['wasm', 'js'] as const) {
        const net = trained(c, engine);
        const back = await fromONNX(toONNX(net), { engine });
        expectRoundTrip(net, back, c, folded ? 1e-6 : 'exact', engine);
        net.dispose();
        back.dispose();
      }
    });
  }
});
