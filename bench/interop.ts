/**
 * Inference of a PyTorch model imported with fromONNX, against the same .onnx file in
 * onnxruntime-web (its Wasm SIMD CPU backend) in Node: one thread each, in one process,
 * interleaved round by round (the starting runtime rotates); medians of the measured rounds, each
 * round timed by the process's CPU time (both runtimes compute on the calling thread). Part of
 * `npm run bench`; `npm run bench -- --ort` runs it alone.
 *
 * The model is test/fixtures/onnx/mlp-784-128-10.dynamo.onnx (PyTorch's dynamo exporter: Gemm,
 * Relu, Gemm, Softmax). Timing covers a predict call (simdnet: checks, copies in and out of Wasm
 * memory; onnxruntime: tensor creation and session.run) and excludes loading the model.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { fromONNX } from '../src/interop/index.js';
import { mulberry32 } from '../src/model/random.js';
import { cpuSeconds, median } from './measure.js';

/** One workload of the comparison: predictions per second of each runtime, and simdnet's ratio. */
export interface OnnxRow {
  workload: string;
  /** runtime name → median predictions per second */
  rates: Record<string, number>;
  /** simdnet's Wasm engine over onnxruntime-web, medians */
  ratio: number;
  /** the same ratio from each runtime's fastest round */
  bestRatio: number;
}

/** One runtime's predict: the rows of x in, a number of its output back (kept, so no work is skipped). */
export interface Runner {
  name: string;
  run: (x: Float32Array) => Promise<number> | number;
}

const INPUTS = 784;

/** Rows per CPU second of one round: the unit repeats until `ms` of wall time have passed. */
async function round(r: Runner, x: Float32Array, inputs: number, ms: number): Promise<number> {
  const rows = x.length / inputs;
  let n = 0;
  const start = performance.now(),
    c0 = cpuSeconds();
  do {
    await r.run(x);
    n++;
  } while (performance.now() - start < ms);
  return (n * rows) / (cpuSeconds() - c0);
}

/** Rounds: how many, and each runtime's untimed running first and its timed time per round (ms). */
export interface Rounds {
  rounds: number;
  warmMs: number;
  ms: number;
}

export const roundsOf = (quick: boolean): Rounds =>
  quick ? { rounds: 2, warmMs: 50, ms: 20 } : { rounds: 9, warmMs: 1500, ms: 300 };

/**
 * Each runner's rows per CPU second on x (rows of `inputs`), round by round: first each runs
 * `warmMs` untimed, then `rounds` timed rounds in which the starting runner rotates.
 */
export async function interleaved(runners: Runner[], x: Float32Array, inputs: number, r: Rounds): Promise<number[][]> {
  const samples = runners.map(() => [] as number[]);
  for (const runner of runners) await round(runner, x, inputs, r.warmMs);
  for (let k = 0; k < r.rounds; k++) {
    for (let j = 0; j < runners.length; j++) {
      const i = (j + k) % runners.length; // rotate which runtime goes first
      samples[i]!.push(await round(runners[i]!, x, inputs, r.ms));
    }
  }
  return samples;
}

/** Runs the comparison (2,000 rows per call, then one row per call) and returns its rows. */
export async function compareWithOnnxRuntime(quick: boolean, say: (s: string) => void): Promise<OnnxRow[]> {
  // onnxruntime-web takes about a second of its own running before its speed settles (V8 tiers its
  // Wasm up function by function), so each runtime first runs a while untimed in every workload
  const plan = roundsOf(quick);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const bytes = new Uint8Array(
    readFileSync(new URL('../test/fixtures/onnx/mlp-784-128-10.dynamo.onnx', import.meta.url)),
  );
  const random = mulberry32(7);
  const batch = Float32Array.from({ length: 2000 * INPUTS }, () => random());
  const one = batch.subarray(0, INPUTS);
  const simdnet = await fromONNX(bytes, { engine: 'wasm' });
  const simdnetJS = await fromONNX(bytes, { engine: 'js' });
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  let sink = 0; // results kept alive so that no runtime's work can be skipped
  const simdnetName = `simdnet wasm (${simdnet.build})`;
  const runners: Runner[] = [
    { name: simdnetName, run: (x) => (sink += simdnet.predict(x)[0]!) },
    {
      name: `onnxruntime-web ${ort.env.versions.web} wasm`,
      run: async (x) => {
        const out = await session.run({ input: new ort.Tensor('float32', x, [x.length / INPUTS, INPUTS]) });
        return (sink += (out.output!.data as Float32Array)[0]!);
      },
    },
    { name: 'simdnet js', run: (x) => (sink += simdnetJS.predict(x)[0]!) },
  ];
  // one untimed call each: the first calls compile and allocate
  for (const r of runners) await r.run(batch.subarray(0, 10 * INPUTS));
  const rows: OnnxRow[] = [];
  for (const [label, x] of [
    ['infer 784-128-10 (PyTorch ONNX), 2000 rows per call', batch],
    ['infer 784-128-10 (PyTorch ONNX), one row per call', one],
  ] as const) {
    say(`  ${label}`);
    const samples = await interleaved(runners, x, INPUTS, plan);
    const medians = samples.map(median);
    rows.push({
      workload: label,
      rates: Object.fromEntries(runners.map((r, i) => [r.name, medians[i]!])),
      ratio: medians[0]! / medians[1]!,
      bestRatio: Math.max(...samples[0]!) / Math.max(...samples[1]!),
    });
  }
  await session.release();
  simdnet.dispose();
  simdnetJS.dispose();
  if (!Number.isFinite(sink)) say(`(non-finite outputs: ${sink})`);
  return rows;
}
