/**
 * The workloads: GEMM forms, training and inference of the standard shapes, each run on every
 * engine through measure.ts. Sizes come from `workloadSizes(quick)`.
 */
import { GEMM_FORMS } from './textbook.js';
import { initialWeights, makeArticle, makeClassification, makeXor } from './data.js';
import type { Dataset } from './data.js';
import { interleave, keep, keepFor, median, record, recordFailure, results, type RoundPlan } from './measure.js';
import type { CeilingRunner } from './ceiling.js';
import type { Adapter, GemmRunner, NetOptions } from './types.js';

export interface WorkloadSizes extends RoundPlan {
  rounds: number;
  deepRounds: number;
  gemmShapes: [number, number, number][];
  mnistRows: number;
  deepLayers: number[];
  deepRows: number;
  deepBatch: number;
  inferRows: number;
  inferOneRows: number;
  smallRows: number;
}

/** Full sizes, or a smoke run of seconds with `quick`. */
export function workloadSizes(quick: boolean): WorkloadSizes {
  return quick
    ? {
        warmup: 1,
        rounds: 2,
        deepRounds: 2,
        minRoundMs: 20,
        gemmShapes: [
          [16, 64, 16],
          [32, 128, 128],
        ],
        mnistRows: 256,
        deepLayers: [256, 256, 256, 10],
        deepRows: 256,
        deepBatch: 128,
        inferRows: 256,
        inferOneRows: 64,
        smallRows: 200,
      }
    : {
        warmup: 1,
        rounds: 7,
        deepRounds: 5,
        minRoundMs: 250,
        gemmShapes: [
          [128, 784, 128],
          [256, 1024, 1024],
        ],
        mnistRows: 2048,
        deepLayers: [1024, 1024, 1024, 10],
        deepRows: 256,
        deepBatch: 256,
        inferRows: 2000,
        inferOneRows: 2000,
        smallRows: 1000,
      };
}

/** What every workload runs with: the sizes, the engines, and where progress lines go. */
export interface Bench {
  sizes: WorkloadSizes;
  /** the textbook MLP first (ratios are against it), then simdnet's engines, then peers */
  adapters: Adapter[];
  /** the lean hand-written MLP, for the small-network workloads only */
  lean: Adapter;
  /** the Wasm engine's bare forward pass, for the small one-row predict workloads only */
  forwardKernel: Adapter;
  /** the ceiling probes (ceiling.ts), interleaved with every GEMM workload */
  ceilings: CeilingRunner[];
  /** more GEMM rows: the plain build's products where the relaxed build runs */
  gemmRunners: GemmRunner[];
  say: (s: string) => void;
}

/** Initialise every adapter for a network; failing adapters are dropped with a result row. */
async function initAll(workload: string, adapters: Adapter[], layers: number[], opts: NetOptions): Promise<Adapter[]> {
  const ok: Adapter[] = [];
  for (const a of adapters) {
    try {
      await a.activate?.();
      await a.init(layers, opts);
      ok.push(a);
    } catch (e) {
      recordFailure(workload, a.name, `init failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return ok;
}

/** After a workload: one untimed predict per engine into the checksum (and a NaN check). */
async function finish(adapters: Adapter[], data: Dataset, workload: string): Promise<void> {
  const rows = Math.min(64, data.rows);
  for (const a of adapters) {
    try {
      await a.activate?.();
      const s = keepFor(a.name, a.predict(data.x, rows));
      if (!Number.isFinite(s)) {
        const r = results.find((x) => x.workload === workload && x.engine === a.name);
        if (r) r.note = [r.note, 'outputs not finite (diverged?)'].filter(Boolean).join('; ');
      }
    } catch {
      /* already reported */
    }
    a.dispose();
  }
}

async function gemmWorkload({ sizes, adapters, ceilings, gemmRunners, say }: Bench): Promise<void> {
  const rows: (Adapter | GemmRunner)[] = [...adapters, ...gemmRunners, ...ceilings];
  const runners = rows.filter((a): a is GemmRunner => a.gemm !== undefined);
  for (const [m, k, n] of sizes.gemmShapes) {
    for (const form of GEMM_FORMS) {
      const name = `gemm ${form} (m=${m},k=${k},n=${n})`;
      say(`  ${name}`);
      const gflop = (2 * m * k * n) / 1e9;
      const rates = await interleave(sizes, runners, sizes.rounds, (a) => [gflop, a.gemm(form, m, k, n)], 'cpu');
      const medianOf = (r: GemmRunner): number | null => {
        const v = rates.get(r);
        return Array.isArray(v) && v.length ? median(v) : null;
      };
      const ceiling = new Map(ceilings.map((c) => [c.form, medianOf(c)]));
      // keep the table's engine order, with '-' rows for engines without a hook
      const all = new Map<Adapter | GemmRunner, number[] | Error>(
        rows.map((a) => [a, rates.get(a as GemmRunner) ?? []]),
      );
      record(name, 'GFLOPS', rows, all, (a, med) => {
        // an engine on several threads is set against as many cores' ceilings
        const top = a.ceiling ? ceiling.get(a.ceiling) : null;
        return {
          clock: (a.threads ?? 1) > 1 ? 'wall' : 'cpu',
          ...(top ? { ceilingPercent: (100 * med) / (top * (a.threads ?? 1)) } : {}),
          ...(a.gemm ? {} : { note: 'no gemm hook' }),
        };
      });
    }
  }
}

async function trainWorkload(
  { sizes, adapters, say }: Bench,
  name: string,
  layers: number[],
  opts: NetOptions,
  data: Dataset,
  batch: number,
  lr: number,
  rounds: number,
): Promise<void> {
  say(`  ${name}`);
  const ready = await initAll(name, adapters, layers, opts);
  const rates = await interleave(sizes, ready, rounds, (a) => {
    a.trainEpoch(data.x, data.t, data.rows, batch, lr);
    return [data.rows, -1];
  });
  record(name, 'samples/s', ready, rates, (a) => (a.shortNote ? { note: a.shortNote } : {}));
  await finish(ready, data, name);
}

async function inferWorkload(
  { sizes, adapters, say }: Bench,
  name: string,
  layers: number[],
  opts: NetOptions,
  data: Dataset,
  perCall: number,
): Promise<void> {
  say(`  ${name}`);
  const ready = await initAll(name, adapters, layers, opts);
  const nIn = layers[0];
  const rowViews: Float32Array[] = [];
  if (perCall === 1) for (let r = 0; r < data.rows; r++) rowViews.push(data.x.subarray(r * nIn, (r + 1) * nIn));
  const rates = await interleave(sizes, ready, sizes.rounds, (a) => {
    if (perCall === 1) {
      let s = 0;
      for (let r = 0; r < rowViews.length; r++) {
        const y = a.predict(rowViews[r], 1);
        s += y[0];
      }
      keep(s);
      return [rowViews.length, -1];
    }
    const y = a.predict(data.x, perCall);
    keep(y[0] + y[y.length - 1]);
    return [perCall, -1];
  });
  record(name, 'samples/s', ready, rates, (_a, med) => ({ usPerRow: 1e6 / med }));
  await finish(ready, data, name);
}

/** Every workload in turn, on every adapter (or the small networks only); `say` reports progress. */
export async function runWorkloads(bench: Bench, smallOnly = false): Promise<void> {
  const { sizes } = bench;
  if (smallOnly) return smallWorkloads(bench);
  const relu: NetOptions = { hidden: 'relu', output: 'softmax', seed: 42 };

  // (a) GEMM
  await gemmWorkload(bench);

  // (b) 784-128-10 training, batch 32 and 128
  const mnist = makeClassification(sizes.mnistRows, 784, 10, 1234);
  for (const batch of [32, 128]) {
    await trainWorkload(bench, `train 784-128-10 b${batch}`, [784, 128, 10], relu, mnist, batch, 0.01, sizes.rounds);
  }

  // (c) deep net training
  const dl = sizes.deepLayers;
  const deep = makeClassification(sizes.deepRows, dl[0], dl[dl.length - 1], 4321);
  await trainWorkload(
    bench,
    `train ${dl.join('-')} b${sizes.deepBatch}`,
    dl,
    relu,
    deep,
    sizes.deepBatch,
    0.01,
    sizes.deepRounds,
  );

  // (d) inference: a batch of rows per call, and one row per call
  const inf = makeClassification(sizes.inferRows, 784, 10, 99);
  await inferWorkload(bench, `infer 784-128-10 batch ${sizes.inferRows}`, [784, 128, 10], relu, inf, sizes.inferRows);
  const inf1 = makeClassification(sizes.inferOneRows, 784, 10, 98);
  await inferWorkload(bench, `infer 784-128-10 1 row/call`, [784, 128, 10], relu, inf1, 1);

  // (e) small networks trained one row (or four) at a time, every engine from the same weights
  await smallWorkloads(bench);
}

/** A small network: every layer sigmoid (with the article's gain and threshold) or tanh, SSE. */
interface SmallNet {
  name: string;
  layers: number[];
  opts: NetOptions;
  data: Dataset;
}

function smallNet(
  name: string,
  layers: number[],
  act: 'sigmoid' | 'tanh',
  data: Dataset,
  extra: Partial<NetOptions> = {},
): SmallNet {
  const bias = extra.bias ?? true;
  const initial = initialWeights(layers, 17, extra.gain !== undefined ? 'normal' : 'uniform', bias);
  return { name, layers, data, opts: { hidden: act, output: act, seed: 42, bias, initial, ...extra } };
}

/**
 * The article's 3-4-3 network (gain 0.04, threshold 0.1, no bias, SSE, μ = 0.01, 1000 rows in
 * order) and three more small shapes with sigmoid and tanh, at batch 1 and 4; then one-row predict,
 * beside the Wasm engine's bare forward pass (the difference is the façade's overhead).
 * Before the timed rounds, every engine that can start from the same weights trains one epoch
 * and its outputs are compared with the lean MLP's (the note column): the engines do the same work.
 */
async function smallWorkloads(bench: Bench): Promise<void> {
  const rows = bench.sizes.smallRows,
    lr = 0.01;
  const article = smallNet('3-4-3 article', [3, 4, 3], 'sigmoid', makeArticle(rows, 1), {
    gain: 0.04,
    threshold: 0.1,
    bias: false,
  });
  const nets: SmallNet[] = [article];
  for (const act of ['sigmoid', 'tanh'] as const) {
    nets.push(smallNet(`2-3-1 ${act}`, [2, 3, 1], act, makeXor(rows, 3)));
    nets.push(smallNet(`10-20-5 ${act}`, [10, 20, 5], act, makeClassification(rows, 10, 5, 5)));
    nets.push(smallNet(`16-32-8 ${act}`, [16, 32, 8], act, makeClassification(rows, 16, 8, 6)));
  }
  const [textbook, ...rest] = bench.adapters;
  const simdnet = rest.filter((a) => a.takesInitialWeights);
  const peers = rest.filter((a) => !a.takesInitialWeights);
  const engines = [textbook, bench.lean, ...simdnet];
  for (const net of nets) {
    for (const batch of [1, 4]) {
      // peers run the article's sequential workload only (they ignore gain, threshold and bias: see their notes)
      const adapters = net === article && batch === 1 ? [...engines, ...peers] : engines;
      const name = `train ${net.name} b${batch} (${rows} rows)`;
      const agreement = await agreeWithLean(bench, net, batch, lr);
      await trainWorkload({ ...bench, adapters }, name, net.layers, net.opts, net.data, batch, lr, bench.sizes.rounds);
      for (const r of results)
        if (r.workload === name && agreement.has(r.engine))
          r.note = [r.note, agreement.get(r.engine)].filter(Boolean).join('; ');
    }
  }
  for (const net of nets.filter((n) => n.opts.hidden === 'sigmoid')) {
    await inferWorkload(
      { ...bench, adapters: [...engines, bench.forwardKernel] },
      `predict ${net.name} 1 row/call`,
      net.layers,
      net.opts,
      net.data,
      1,
    );
  }
}

/** After one epoch from the same weights: max |y - y_lean| over 64 rows, per engine that took the weights. */
async function agreeWithLean(bench: Bench, net: SmallNet, batch: number, lr: number): Promise<Map<string, string>> {
  const rows = Math.min(64, net.data.rows);
  const outputs = new Map<Adapter, Float32Array>();
  for (const a of [bench.lean, ...bench.adapters.filter((x) => x.takesInitialWeights)]) {
    await a.init(net.layers, net.opts);
    a.trainEpoch(net.data.x, net.data.t, net.data.rows, batch, lr);
    outputs.set(a, a.predict(net.data.x, rows).slice());
    a.dispose();
  }
  const lean = outputs.get(bench.lean)!;
  const notes = new Map<string, string>();
  for (const [a, y] of outputs) {
    if (a === bench.lean) continue;
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - lean[i]));
    notes.set(a.name, `after 1 epoch max |y - lean| = ${worst.toPrecision(2)}`);
  }
  return notes;
}
