/**
 * Inference of a PyTorch model imported with fromONNX, against the same .onnx file in
 * onnxruntime-web (its Wasm SIMD CPU backend) in Node: one thread each, in one process,
 * interleaved round by round (the starting runtime alternates); medians of the measured rounds.
 *
 *   npm run asbuild && node scripts/run.mjs bench/interop.ts [--quick]
 *
 * The model is test/fixtures/onnx/mlp-784-128-10.dynamo.onnx (PyTorch's dynamo exporter: Gemm,
 * Relu, Gemm, Softmax). Timing covers a predict call (simdnet: checks, copies in and out of Wasm
 * memory; onnxruntime: tensor creation and session.run) and excludes loading the model.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { fromONNX } from '../src/interop/index.js';
import { mulberry32 } from '../src/model/random.js';

const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 2 : 9,
  WARMUP = 2,
  MIN_ROUND_MS = QUICK ? 20 : 300;
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const bytes = new Uint8Array(
  readFileSync(new URL('../test/fixtures/onnx/mlp-784-128-10.dynamo.onnx', import.meta.url)),
);
const inputs = 784;
const random = mulberry32(7);
const batch = Float32Array.from({ length: 1000 * inputs }, () => random());
const one = batch.subarray(0, inputs);

type Runner = { name: string; run: (x: Float32Array) => Promise<number> | number };
const simdnet = await fromONNX(bytes, { engine: 'wasm' });
const simdnetJS = await fromONNX(bytes, { engine: 'js' });
const session = await ort.InferenceSession.create(bytes, {
  executionProviders: ['wasm'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
});
let sink = 0; // results kept alive so that no runtime's work can be skipped
const runners: Runner[] = [
  {
    name: `simdnet wasm (${simdnet.build})`,
    run: (x) => {
      const y = simdnet.predict(x);
      sink += y[0]!;
      return y.length;
    },
  },
  {
    name: 'onnxruntime-web wasm',
    run: async (x) => {
      const out = await session.run({ input: new ort.Tensor('float32', x, [x.length / inputs, inputs]) });
      const y = out.output!.data as Float32Array;
      sink += y[0]!;
      return y.length;
    },
  },
  {
    name: 'simdnet js',
    run: (x) => {
      const y = simdnetJS.predict(x);
      sink += y[0]!;
      return y.length;
    },
  },
];

// one untimed call each: the first calls compile and allocate
for (const r of runners) await r.run(batch.subarray(0, 10 * inputs));

/** Rows per second of one round: repeat the unit until MIN_ROUND_MS has passed. */
async function round(r: Runner, x: Float32Array): Promise<number> {
  const rows = x.length / inputs;
  let n = 0;
  const start = performance.now();
  do {
    await r.run(x);
    n++;
  } while (performance.now() - start < MIN_ROUND_MS);
  return (n * rows) / ((performance.now() - start) / 1000);
}

const median = (a: number[]) => {
  const s = a.slice().sort((p, q) => p - q);
  return s[s.length >> 1]!;
};
const fmt = (v: number) => Math.round(v).toLocaleString('en-US');

console.log(
  `interop bench: ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores), Node ${process.version}, onnxruntime-web ${ort.env.versions.web}, one thread each`,
);
console.log(
  `model: PyTorch 784-128-10 (ReLU, softmax), imported with fromONNX; medians of ${ROUNDS} rounds, interleaved\n`,
);
console.log(`| workload | ${runners.map((r) => r.name).join(' | ')} | simdnet wasm / onnxruntime |`);
console.log(`|---|${runners.map(() => '--:|').join('')}--:|`);
for (const [label, x] of [
  ['1000 rows per call', batch],
  ['one row per call', one],
] as const) {
  const samples = runners.map(() => [] as number[]);
  for (let k = 0; k < WARMUP + ROUNDS; k++) {
    for (let j = 0; j < runners.length; j++) {
      const i = (j + k) % runners.length; // rotate which runtime goes first
      const rate = await round(runners[i]!, x);
      if (k >= WARMUP) samples[i]!.push(rate);
    }
  }
  const m = samples.map(median);
  console.log(`| ${label} (predictions/s) | ${m.map(fmt).join(' | ')} | ${(m[0]! / m[1]!).toFixed(2)}× |`);
}
await session.release();
simdnet.dispose();
simdnetJS.dispose();
if (!Number.isFinite(sink)) console.log(sink);
