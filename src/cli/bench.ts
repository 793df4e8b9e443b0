// simdnet bench: the same workloads on the 'wasm' and 'js' engines in one run, with ratios and the
// machine beside the table. Each timing is the best of a few runs after a warm-up run.
import { cpus } from 'node:os';
import { NN, articleData, type NetworkOptions, type TrainOptions } from '../index.js';
import { intFlag } from './flags.js';
import { mulberry32 } from './split.js';

interface Workload {
  name: string;
  net: NetworkOptions;
  rows: number;
  /** trains when given, else predicts */
  train?: TrainOptions;
  data(): { x: Float32Array; t: Float32Array };
}

function randomData(rows: number, inputs: number, outputs: number): { x: Float32Array; t: Float32Array } {
  const random = mulberry32(7);
  const x = Float32Array.from({ length: rows * inputs }, () => random());
  const t = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) t[r * outputs + Math.floor(random() * outputs)] = 1;
  return { x, t };
}

const WORKLOADS: Workload[] = [
  {
    name: 'article 3-4-3 sigmoid, full batch, 1,000 rows × 100 epochs',
    rows: 100_000,
    net: { layers: [3, 4, 3], preset: 'article', seed: 1 },
    train: { epochs: 100, batchSize: 'full', learningRate: 0.01, shuffle: false },
    data: () => {
      const d = articleData({ rows: 1000, seed: 1 });
      return { x: d.inputs, t: d.targets };
    },
  },
  {
    name: 'train 784-128-10 ReLU/softmax, Adam, batch 32, 4,000 rows',
    rows: 4000,
    net: { layers: [784, 128, 10], activation: 'relu', loss: 'cross-entropy', normalize: 'none', seed: 1 },
    train: { epochs: 1, batchSize: 32, optimizer: 'adam', weightDecay: 0 },
    data: () => randomData(4000, 784, 10),
  },
  {
    name: 'predict 784-128-10, 4,000 rows',
    rows: 4000,
    net: { layers: [784, 128, 10], activation: 'relu', loss: 'cross-entropy', normalize: 'none', seed: 1 },
    data: () => randomData(4000, 784, 10),
  },
  {
    name: 'train 64-256-256-10 tanh, SGD momentum, batch 64, 8,000 rows',
    rows: 8000,
    net: { layers: [64, 256, 256, 10], activation: 'tanh', loss: 'cross-entropy', normalize: 'none', seed: 1 },
    train: { epochs: 1, batchSize: 64, optimizer: 'momentum', weightDecay: 0 },
    data: () => randomData(8000, 64, 10),
  },
];

async function timeOne(
  w: Workload,
  engine: 'wasm' | 'js',
  runs: number,
): Promise<{ ms: number; build: string; check: number }> {
  const { x, t } = w.data();
  let best = Infinity,
    check = 0,
    build = '';
  for (let run = 0; run <= runs; run++) {
    const net = await NN.create({ ...w.net, engine });
    build = net.build;
    const start = performance.now();
    if (w.train) check += net.train(x, t, w.train).loss;
    else check += net.predict(x)[0]!;
    const ms = performance.now() - start;
    if (run > 0) best = Math.min(best, ms); // run 0 warms up the JIT and the Wasm tiers
    net.dispose();
  }
  return { ms: best, build, check };
}

export async function bench(f: { runs: string; json?: boolean }): Promise<void> {
  const runs = intFlag('--runs', f.runs, 1, 100);
  const results = [];
  let keep = 0;
  for (const w of WORKLOADS) {
    const wasm = await timeOne(w, 'wasm', runs),
      js = await timeOne(w, 'js', runs);
    keep += wasm.check + js.check; // results are used, so no work can be optimised away
    results.push({
      workload: w.name,
      wasmMs: wasm.ms,
      jsMs: js.ms,
      ratio: js.ms / wasm.ms,
      wasmSamplesPerSecond: Math.round(w.rows / (wasm.ms / 1000)),
      jsSamplesPerSecond: Math.round(w.rows / (js.ms / 1000)),
      build: wasm.build,
    });
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    wasmBuild: results[0]?.build,
    runs,
    checksum: keep,
  };
  if (f.json) {
    process.stdout.write(`${JSON.stringify({ machine, results })}\n`);
    return;
  }
  const width = Math.max(...results.map((r) => r.workload.length));
  const lines = [
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, wasm build ${machine.wasmBuild}; best of ${runs} runs after a warm-up`,
    `${'workload'.padEnd(width)}  ${'wasm ms'.padStart(9)}  ${'js ms'.padStart(9)}  ${'js/wasm'.padStart(7)}  ${'wasm rows/s'.padStart(12)}`,
    ...results.map(
      (r) =>
        `${r.workload.padEnd(width)}  ${r.wasmMs.toFixed(1).padStart(9)}  ${r.jsMs.toFixed(1).padStart(9)}  ${`${r.ratio.toFixed(1)}×`.padStart(7)}  ${r.wasmSamplesPerSecond.toLocaleString('en-US').padStart(12)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
