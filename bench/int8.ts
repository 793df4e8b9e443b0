/**
 * Quantized inference through the public API: `net.quantize()` against the float network it came
 * from, and against onnxruntime-web's int8 on the same network, one thread each, in one process
 * (part of `npm run bench`; `npm run bench -- --int8` runs it alone; bench/quant.ts measures the
 * kernels alone, against the machine's integer ceiling).
 *
 * The 784-128-10 is the PyTorch model of bench/interop.ts (test/fixtures/onnx/mlp-784-128-10.dynamo.onnx,
 * ReLU, softmax), imported with fromONNX and quantized with net.quantize() (per-row ranges); ONNX
 * Runtime runs that file and what its own quantize_dynamic makes of it
 * (test/fixtures/quant/mlp-784-128-10.dynamic.onnx, scripts/onnx-quant-fixtures.py), and simdnet
 * also runs the latter imported. Inputs are uniform in [0, 1), as pixels are (so the relaxed build
 * may take its int8 dot product from the first layer on). Each workload interleaves the runtimes
 * with bench/interop.ts's rounds: predictions per CPU second, medians and best rounds.
 * - 2,000 rows per call, and one row per call with the weights in cache (the same network each call);
 * - one row per call with the weights evicted: each call goes to the next of many copies of the
 *   network, together 1.25 times the last-level cache a side, as a service answering many models;
 * - 1024-1024-1024-10 (ReLU, softmax; seeded weights), 256 rows per call.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { NN } from '../src/index.js';
import { wasmEngineSync } from '../src/runtime/engine.js';
import { fromONNX } from '../src/interop/index.js';
import { mulberry32 } from '../src/model/random.js';
import { lastLevelCache } from './cpu.js';
import { interleaved, roundsOf, type Runner } from './interop.js';
import { median } from './measure.js';

/** One workload: each runtime's median predictions per second, and the ratios that matter. */
export interface Int8Row {
  workload: string;
  /** runtime name → median predictions per second */
  rates: Record<string, number>;
  /** simdnet int8 over simdnet float: medians, and the best rounds' */
  overFloat: number;
  overFloatBest: number;
  /** simdnet int8 over onnxruntime-web's int8 (medians, best rounds), where it ran */
  overOrt: number | null;
  overOrtBest: number | null;
}

const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url)));

/** Runs the workloads and returns their rows; `say` reports progress. */
export async function compareInt8(quick: boolean, say: (s: string) => void): Promise<Int8Row[]> {
  const plan = roundsOf(quick);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const random = mulberry32(11);
  const rows = (n: number, k: number): Float32Array => Float32Array.from({ length: n * k }, () => random());
  let sink = 0; // results kept alive so that no runtime's work can be skipped
  const predict =
    (net: NN) =>
    (x: Float32Array): number =>
      (sink += net.predict(x)[0]!);
  const session = async (bytes: Uint8Array): Promise<Runner['run']> => {
    const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], intraOpNumThreads: 1 });
    return async (x) => {
      const out = await s.run({ input: new ort.Tensor('float32', x, [x.length / 784, 784]) });
      return (sink += (out.output!.data as Float32Array)[0]!);
    };
  };
  const float = await fromONNX(fixture('onnx/mlp-784-128-10.dynamo.onnx'), { engine: 'wasm' });
  const q = float.quantize();
  const imported = await fromONNX(fixture('quant/mlp-784-128-10.dynamic.onnx'), { engine: 'wasm' });
  const build = q.build;
  const names = {
    float: `simdnet float (${build})`,
    int8: `simdnet int8 (${build})`,
    ort: `onnxruntime-web ${ort.env.versions.web} int8`,
  };
  const out: Int8Row[] = [];
  const measure = async (workload: string, runners: Runner[], x: Float32Array, inputs: number): Promise<void> => {
    say(`  ${workload}`);
    for (const r of runners) await r.run(x.subarray(0, inputs)); // the first calls compile and allocate
    const samples = await interleaved(runners, x, inputs, plan);
    const medians = samples.map(median),
      best = samples.map((s) => Math.max(...s));
    const at = (name: string): number => runners.findIndex((r) => r.name === name);
    const [f, i, o] = [at(names.float), at(names.int8), at(names.ort)];
    out.push({
      workload,
      rates: Object.fromEntries(runners.map((r, k) => [r.name, medians[k]!])),
      overFloat: medians[i]! / medians[f]!,
      overFloatBest: best[i]! / best[f]!,
      overOrt: o >= 0 ? medians[i]! / medians[o]! : null,
      overOrtBest: o >= 0 ? best[i]! / best[o]! : null,
    });
  };

  const mnist: Runner[] = [
    { name: names.float, run: predict(float) },
    { name: names.int8, run: predict(q) },
    { name: names.ort, run: await session(fixture('quant/mlp-784-128-10.dynamic.onnx')) },
    {
      name: `onnxruntime-web ${ort.env.versions.web} float`,
      run: await session(fixture('onnx/mlp-784-128-10.dynamo.onnx')),
    },
    { name: 'simdnet int8, its quantize_dynamic file imported', run: predict(imported) },
  ];
  const batch = rows(2000, 784);
  await measure('infer 784-128-10, 2000 rows per call', mnist, batch, 784);
  await measure('infer 784-128-10, one row per call, weights in cache', mnist, batch.subarray(0, 784), 784);

  // copies of the network, 1.25 × the last-level cache of weights a side (a few in a quick run), as
  // many as the engine's 2 GiB hold (a float network also keeps its gradients there)
  const heap = wasmEngineSync().heap;
  const footprint = async (bytes: Uint8Array): Promise<number> => {
    const before = heap.allocated;
    (await NN.fromBinary(bytes, { engine: 'wasm' })).dispose();
    const net = await NN.fromBinary(bytes, { engine: 'wasm' });
    net.predict(batch.subarray(0, 784));
    const used = heap.allocated - before;
    net.dispose();
    return used;
  };
  const files = { float: float.toBinary({ training: false }), int8: q.toBinary() };
  const used = { float: await footprint(files.float), int8: await footprint(files.int8) };
  const room = 1.5 * 2 ** 30 - heap.allocated;
  const side = Math.min(
    quick ? 4 << 20 : 1.25 * lastLevelCache(),
    room / (used.float / files.float.length + used.int8 / files.int8.length),
  );
  const copies = async (bytes: Uint8Array): Promise<NN[]> => {
    const nets: NN[] = [];
    for (let c = 0; c < Math.ceil(side / bytes.length); c++) nets.push(await NN.fromBinary(bytes, { engine: 'wasm' }));
    return nets;
  };
  say(`  (placing ${(side / 2 ** 20) | 0} MiB of weights a side)`);
  const floats = await copies(files.float);
  const int8s = await copies(files.int8);
  const cycle = (nets: NN[]): Runner['run'] => {
    let next = 0;
    return (x) => (sink += nets[next++ % nets.length]!.predict(x)[0]!);
  };
  await measure(
    `infer 784-128-10, one row per call, weights evicted (${floats.length} float / ${int8s.length} int8 copies, ${(side / 2 ** 20) | 0} MiB a side)`,
    [
      { name: names.float, run: cycle(floats) },
      { name: names.int8, run: cycle(int8s) },
    ],
    batch.subarray(0, 784),
    784,
  );
  for (const net of [...floats, ...int8s]) net.dispose();

  const deep = NN.createSync({
    layers: [1024, 1024, 1024, 10],
    output: 'softmax',
    normalize: 'none',
    engine: 'wasm',
    seed: 3,
  });
  const deepQ = deep.quantize();
  await measure(
    'infer 1024-1024-1024-10, 256 rows per call',
    [
      { name: names.float, run: predict(deep) },
      { name: names.int8, run: predict(deepQ) },
    ],
    rows(256, 1024),
    1024,
  );
  for (const net of [float, q, imported, deep, deepQ]) net.dispose();
  if (!Number.isFinite(sink)) say(`(non-finite outputs: ${sink})`);
  return out;
}

const rate = (v: number | undefined): string => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));
const ratio = (v: number | null): string => (v === null ? '–' : `${v.toFixed(2)}×`);

/** The table of the rows: each runtime's predictions per second, then int8 over float and over ONNX Runtime's int8. */
export function printInt8Table(say: (s?: string) => void, rows: Int8Row[]): void {
  if (!rows.length) return;
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.rates)))];
  say();
  say(
    'int8 (net.quantize()) against float and against onnxruntime-web int8, one thread each (predictions/s, medians of CPU-timed rounds):',
  );
  say();
  say(`| workload | ${names.join(' | ')} | int8 / float (best rounds) | int8 / onnxruntime int8 (best rounds) |`);
  say(`|---|${names.map(() => '---:|').join('')}---:|---:|`);
  for (const r of rows)
    say(
      `| ${r.workload} | ${names.map((n) => rate(r.rates[n])).join(' | ')} | ${ratio(r.overFloat)} (${ratio(r.overFloatBest)}) | ${ratio(r.overOrt)} (${ratio(r.overOrtBest)}) |`,
    );
}
