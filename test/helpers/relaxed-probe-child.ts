// A child process of test/quant-network.test.ts (bundled by esbuild; on Node 20 run with
// --experimental-wasm-relaxed-simd): which build this runtime's Wasm engine takes, what the relaxed
// dot product probe finds, whether quantized networks may use it, and whether a quantized network
// there gives the 'js' twin's bits. Prints one JSON line.
import { jsEngineSync, wasmEngineSync } from '../../src/runtime/engine.js';
import { QuantizedNetwork } from '../../src/runtime/quantized.js';
import { narrowTiles, relaxedDotExact } from '../../src/runtime/quant-tiles.js';
import type { QuantizedLayer } from '../../src/model/quantize.js';
import type { ResolvedActivation } from '../../src/vocabulary.js';

const relu: ResolvedActivation = { name: 'relu', gain: 1, threshold: 0, slope: 0 };
const sizes = [48, 24, 8];
let seed = 7;
const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const layers: QuantizedLayer[] = [0, 1].map((l) => ({
  weights: Int8Array.from({ length: sizes[l]! * sizes[l + 1]! }, () => Math.round(random() * 254) - 127),
  scales: Float32Array.from({ length: sizes[l + 1]! }, () => 0.01 + random() * 0.02),
  bias: Float32Array.from({ length: sizes[l + 1]! }, () => random() - 0.5),
  range: 0,
}));
const x = { data: Float32Array.from({ length: 64 * 48 }, random), rows: 64, cols: 48, form: 'flat' as const };
const outputs = (engine: ReturnType<typeof wasmEngineSync>, narrow: boolean): Uint32Array => {
  const net = new QuantizedNetwork(
    engine,
    { layers: sizes, activations: [relu, relu], loss: 'mse' },
    layers,
    1,
    narrow,
  );
  const y = net.outputs(x);
  net.release();
  return new Uint32Array(y.buffer);
};
const wasm = wasmEngineSync();
const narrow = narrowTiles(wasm);
const js = outputs(jsEngineSync(), false),
  got = outputs(wasm, narrow),
  forced = wasm.build === 'relaxed-simd' ? outputs(wasm, true) : null;
console.log(
  JSON.stringify({
    node: process.versions.node,
    build: wasm.build,
    exact: wasm.build === 'relaxed-simd' ? relaxedDotExact(wasm) : null,
    narrow,
    sameBits: js.every((v, i) => v === got[i]),
    forcedNarrowSameBits: forced ? js.every((v, i) => v === forced[i]) : null,
  }),
);
