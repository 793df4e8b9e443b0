/**
 * simdnet benchmark runner.
 *
 *   node dist/run.mjs [--quick] [--peers] [--json]
 *
 * Every workload runs all engines in the same process, interleaved round by
 * round (A, B, C, then B, C, A, ...: the starting engine rotates). Warm-up rounds are discarded; the reported
 * figure is the median of the measured rounds. A round keeps repeating its
 * unit of work until it has run for at least `minRoundMs`.
 */
import os from 'node:os';
import { BaselineMLP, GEMM_FORMS, gemmBaseline, gemmSizes } from './baseline.js';
import type { GemmForm } from './baseline.js';
import { makeBinary3, makeClassification, randomMatrix } from './data.js';
import type { Dataset } from './data.js';
import { loadPeers } from './peers.js';
import { SimdnetAdapter, simdnetEngineInfo } from './simdnet-adapter.js';
import type { Adapter, GemmHook, NetOptions } from './types.js';

// ------------------------------------------------------------------ flags ---

const argv = new Set(process.argv.slice(2));
for (const a of argv) {
  if (!['--quick', '--peers', '--json'].includes(a)) {
    process.stderr.write(`unknown flag ${a}\nusage: run [--quick] [--peers] [--json]\n`);
    process.exit(2);
  }
}
const QUICK = argv.has('--quick');
const PEERS = argv.has('--peers');
const JSON_OUT = argv.has('--json');

/** Human-readable output goes to stdout, or to stderr when --json owns stdout. */
const say = (s = ''): void => {
  (JSON_OUT ? process.stderr : process.stdout).write(s + '\n');
};

const CFG = QUICK
  ? {
      warmup: 1, rounds: 2, deepRounds: 2, minRoundMs: 20,
      gemmShapes: [[16, 64, 16], [32, 128, 128]] as [number, number, number][],
      mnistRows: 256, deepLayers: [256, 256, 256, 10], deepRows: 256, deepBatch: 128,
      inferRows: 256, inferOneRows: 64, tinyRows: 200,
    }
  : {
      warmup: 1, rounds: 7, deepRounds: 5, minRoundMs: 250,
      gemmShapes: [[128, 784, 128], [256, 1024, 1024]] as [number, number, number][],
      mnistRows: 2048, deepLayers: [1024, 1024, 1024, 10], deepRows: 256, deepBatch: 256,
      inferRows: 2000, inferOneRows: 2000, tinyRows: 1000,
    };

// --------------------------------------------------------------- engines ---

/** The textbook baseline, wrapped as an Adapter; its GEMM hook times gemmBaseline. */
class BaselineAdapter implements Adapter {
  readonly name = 'baseline';
  private net: BaselineMLP | null = null;
  private bufs = new Map<string, Float32Array[]>();

  async init(layers: number[], opts: NetOptions): Promise<void> {
    this.net = new BaselineMLP(layers, opts);
  }
  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void {
    this.net!.trainEpoch(x, t, rows, batch, lr);
  }
  predict(x: Float32Array, rows: number): Float32Array {
    return this.net!.predict(x, rows);
  }
  dispose(): void {
    this.net = null;
  }
  gemm: GemmHook = (form, m, k, n) => {
    const key = `${form}:${m}:${k}:${n}`;
    let b = this.bufs.get(key);
    if (!b) {
      const [sa, sb, sc] = gemmSizes(form, m, k, n);
      b = [randomMatrix(sa, 11), randomMatrix(sb, 12), new Float32Array(sc)];
      this.bufs.set(key, b);
    }
    const t0 = performance.now();
    gemmBaseline(form, b[0], b[1], b[2], m, k, n);
    const dt = performance.now() - t0;
    keep(b[2][0] + b[2][b[2].length - 1]);
    return dt / 1000;
  };
}

// ---------------------------------------------------- results & checksum ---

/** Sum of sampled outputs of every engine, so the JIT cannot drop the work. */
let checksum = 0;
const perEngineChecksum = new Map<string, number>();
function keep(v: number): void {
  checksum += v;
}
function keepFor(engine: string, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i += 7) s += y[i];
  perEngineChecksum.set(engine, (perEngineChecksum.get(engine) ?? 0) + s);
  checksum += s;
  return s;
}

interface Result {
  workload: string;
  engine: string;
  metric: 'samples/s' | 'GFLOPS';
  median: number | null; // null: engine has no such hook / failed
  rounds: number[];
  usPerRow?: number | null;
  ratioVsBaseline: number | null;
  note?: string;
}
const results: Result[] = [];

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

// ----------------------------------------------------------- measurement ---

// No forced GC between slots: with six engines, repeated full GCs age the
// bytecode of the engines that are not running and V8 may flush it, which
// would charge re-compilation to them. Rotating the order spreads GC pauses
// caused by one engine's garbage over all engines instead.

/**
 * Interleaved rounds. `unit(adapter)` does one unit of work and returns
 * [amount of work (samples or FLOPs), seconds]; it may time itself (GEMM hooks)
 * or leave timing to us by returning seconds < 0.
 */
async function interleave(
  adapters: Adapter[],
  rounds: number,
  unit: (a: Adapter) => [number, number],
): Promise<Map<Adapter, number[] | Error>> {
  const rates = new Map<Adapter, number[] | Error>(adapters.map((a) => [a, [] as number[]]));
  for (let r = 0; r < CFG.warmup + rounds; r++) {
    // rotate the starting engine every round (A,B,C / B,C,A / C,A,B ...) so no
    // engine always runs right after the same neighbour
    for (let i = 0; i < adapters.length; i++) {
      const a = adapters[(i + r) % adapters.length];
      const acc = rates.get(a)!;
      if (acc instanceof Error) continue;
      try {
        await a.activate?.();
        let work = 0;
        let secs = 0;
        const t0 = performance.now();
        do {
          const [w, s] = unit(a);
          work += w;
          secs += s >= 0 ? s : 0;
        } while (performance.now() - t0 < CFG.minRoundMs);
        const wall = (performance.now() - t0) / 1000;
        const self = secs > 0 ? secs : wall;
        if (r >= CFG.warmup) acc.push(work / self);
      } catch (e) {
        rates.set(a, e as Error);
      }
    }
  }
  return rates;
}

function record(
  workload: string,
  metric: Result['metric'],
  adapters: Adapter[],
  rates: Map<Adapter, number[] | Error>,
  extra?: (a: Adapter, med: number) => Partial<Result>,
): void {
  const base = rates.get(adapters[0]);
  const baseMed = Array.isArray(base) && base.length ? median(base) : null;
  for (const a of adapters) {
    const v = rates.get(a);
    if (v === undefined || v instanceof Error || v.length === 0) {
      results.push({
        workload, engine: a.name, metric, median: null, rounds: [], ratioVsBaseline: null,
        note: v instanceof Error ? `error: ${v.message.split('\n')[0]}` : undefined,
      });
      continue;
    }
    const med = median(v);
    results.push({
      workload, engine: a.name, metric, median: med, rounds: v,
      ratioVsBaseline: baseMed ? med / baseMed : null,
      ...(extra ? extra(a, med) : {}),
    });
  }
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
      results.push({
        workload, engine: a.name, metric: 'samples/s', median: null, rounds: [], ratioVsBaseline: null,
        note: `init failed: ${(e as Error).message.split('\n')[0]}`,
      });
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

// ------------------------------------------------------------- workloads ---

async function gemmWorkload(adapters: Adapter[]): Promise<void> {
  for (const [m, k, n] of CFG.gemmShapes) {
    for (const form of GEMM_FORMS as GemmForm[]) {
      const name = `gemm ${form} (m=${m},k=${k},n=${n})`;
      say(`  ${name}`);
      const withHook = adapters.filter((a) => a.gemm);
      const flops = 2 * m * k * n;
      const rates = await interleave(withHook, CFG.rounds, (a) => [flops, a.gemm!(form, m, k, n)]);
      for (const v of rates.values()) if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] /= 1e9;
      // keep the table's engine order, with '-' rows for engines without a hook
      const all = new Map<Adapter, number[] | Error>(adapters.map((a) => [a, rates.get(a) ?? []]));
      record(name, 'GFLOPS', adapters, all, (a) => (a.gemm ? {} : { note: 'no gemm hook' }));
    }
  }
}

async function trainWorkload(
  adapters: Adapter[], name: string, layers: number[], opts: NetOptions,
  data: Dataset, batch: number, lr: number, rounds: number,
): Promise<void> {
  say(`  ${name}`);
  const ready = await initAll(name, adapters, layers, opts);
  const rates = await interleave(ready, rounds, (a) => {
    a.trainEpoch(data.x, data.t, data.rows, batch, lr);
    return [data.rows, -1];
  });
  record(name, 'samples/s', ready, rates, (a) => (a.shortNote ? { note: a.shortNote } : {}));
  await finish(ready, data, name);
}

async function inferWorkload(
  adapters: Adapter[], name: string, layers: number[], opts: NetOptions,
  data: Dataset, perCall: number,
): Promise<void> {
  say(`  ${name}`);
  const ready = await initAll(name, adapters, layers, opts);
  const nIn = layers[0];
  const rowViews: Float32Array[] = [];
  if (perCall === 1) for (let r = 0; r < data.rows; r++) rowViews.push(data.x.subarray(r * nIn, (r + 1) * nIn));
  const rates = await interleave(ready, CFG.rounds, (a) => {
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

// ---------------------------------------------------------------- output ---

function fmt(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (digits === 0) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

function ratioStr(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  return v >= 0.1 ? `${v.toFixed(2)}x` : `${v.toPrecision(2)}x`;
}

function printTables(adapters: Adapter[]): void {
  const workloads = [...new Set(results.map((r) => r.workload))];
  say('| workload | engine | samples/s or GFLOPS | us/row | vs baseline | best round | spread | note |');
  say('|---|---|---:|---:|---:|---:|---:|---|');
  for (const w of workloads) {
    for (const r of results.filter((x) => x.workload === w)) {
      const val = r.metric === 'GFLOPS' ? (r.median === null ? '-' : `${fmt(r.median, 2)} GFLOPS`) : fmt(r.median);
      const us = r.usPerRow === undefined ? '' : fmt(r.usPerRow, 1);
      const spread = r.median ? `${Math.round(((Math.max(...r.rounds) - Math.min(...r.rounds)) / r.median) * 100)}%` : '-';
      const best = r.rounds.length ? fmt(Math.max(...r.rounds), r.metric === 'GFLOPS' ? 2 : 0) : '-';
      say(`| ${w} | ${r.engine} | ${val} | ${us} | ${ratioStr(r.ratioVsBaseline)} | ${best} | ${spread} | ${r.note ?? ''} |`);
    }
  }
  say();
  say('simdnet wasm vs js (median ratio):');
  say();
  say('| workload | simdnet-wasm / simdnet-js |');
  say('|---|---:|');
  for (const w of workloads) {
    const a = results.find((r) => r.workload === w && r.engine === 'simdnet-wasm')?.median ?? null;
    const b = results.find((r) => r.workload === w && r.engine === 'simdnet-js')?.median ?? null;
    say(`| ${w} | ${a !== null && b !== null ? ratioStr(a / b) : '-'} |`);
  }
  say();
  say('Values and "vs baseline" are medians of the measured rounds; "best round" is the fastest round;');
  say('spread = (max - min) / median over the measured rounds; a large spread means a noisy machine.');
  const notes = adapters.filter((a) => a.note).map((a) => `- ${a.name}: ${a.note}`);
  if (notes.length) {
    say();
    say('Workload differences:');
    for (const n of notes) say(n);
  }
}

// ------------------------------------------------------------------ main ---

async function main(): Promise<void> {
  const started = performance.now();
  const cpus = os.cpus();
  const engineInfo = await simdnetEngineInfo();
  const meta = {
    machine: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    engineInfo,
    loadavg: os.loadavg().map((v) => Number(v.toFixed(2))),
    quick: QUICK,
    peers: PEERS,
    notes: [] as string[],
  };

  const adapters: Adapter[] = [new BaselineAdapter(), new SimdnetAdapter('wasm'), new SimdnetAdapter('js')];
  if (PEERS) {
    const p = await loadPeers();
    adapters.push(...p.adapters);
    meta.notes.push(...p.notes);
  }

  say(`# simdnet benchmark${QUICK ? ' (quick)' : ''}`);
  say();
  say(`- machine: ${meta.machine}, ${meta.cores} cores, ${meta.os}`);
  say(`- node: ${meta.node}`);
  say(`- load average at start: ${meta.loadavg.join(', ')}${meta.loadavg[0] > 0.5 ? '  (WARNING: machine was busy; numbers may be noisy)' : ''}`);
  say(`- date: ${meta.date}`);
  say(`- simdnet: ${meta.engineInfo}`);
  say(`- engines: ${adapters.map((a) => a.name).join(', ')}`);
  say(`- rounds: ${CFG.warmup} warm-up + ${CFG.rounds} measured (deep net: ${CFG.deepRounds}), >= ${CFG.minRoundMs} ms each, interleaved with rotating order; median reported`);
  for (const n of meta.notes) say(`- note: ${n}`);
  if (!PEERS) say('- peers not run (add --peers for tfjs-cpu, tfjs-wasm, brain.js)');
  say();
  say('running:');

  const relu: NetOptions = { hidden: 'relu', output: 'softmax', seed: 42 };
  const sig: NetOptions = { hidden: 'sigmoid', output: 'sigmoid', seed: 42 };

  // (a) GEMM
  await gemmWorkload(adapters);

  // (b) 784-128-10 training, batch 32 and 128
  const mnist = makeClassification(CFG.mnistRows, 784, 10, 1234);
  for (const batch of [32, 128]) {
    await trainWorkload(adapters, `train 784-128-10 b${batch}`, [784, 128, 10], relu, mnist, batch, 0.01, CFG.rounds);
  }

  // (c) deep net training
  const dl = CFG.deepLayers;
  const deep = makeClassification(CFG.deepRows, dl[0], dl[dl.length - 1], 4321);
  await trainWorkload(adapters, `train ${dl.join('-')} b${CFG.deepBatch}`, dl, relu, deep, CFG.deepBatch, 0.01, CFG.deepRounds);

  // (d) inference: a batch of rows per call, and one row per call
  const inf = makeClassification(CFG.inferRows, 784, 10, 99);
  await inferWorkload(adapters, `infer 784-128-10 batch ${CFG.inferRows}`, [784, 128, 10], relu, inf, CFG.inferRows);
  const inf1 = makeClassification(CFG.inferOneRows, 784, 10, 98);
  await inferWorkload(adapters, `infer 784-128-10 1 row/call`, [784, 128, 10], relu, inf1, 1);

  // (e) the tiny 3-4-3 sigmoid network, sequential (batch 1) updates
  const tiny = makeBinary3(CFG.tinyRows, 7);
  await trainWorkload(adapters, `train 3-4-3 sigmoid b1 (${CFG.tinyRows} rows)`, [3, 4, 3], sig, tiny, 1, 0.1, CFG.rounds);

  const elapsed = (performance.now() - started) / 1000;
  say();
  printTables(adapters);
  say();
  say(`checksum: ${checksum.toPrecision(10)} (per engine: ${[...perEngineChecksum].map(([k, v]) => `${k}=${v.toPrecision(6)}`).join(', ')})`);
  const loadEnd = os.loadavg().map((v) => Number(v.toFixed(2)));
  say(`total time: ${elapsed.toFixed(1)} s; load average at end: ${loadEnd.join(', ')}`);

  if (JSON_OUT) {
    const engines = adapters.map((a) => ({ name: a.name, note: a.note ?? null, gemmHook: !!a.gemm }));
    process.stdout.write(
      JSON.stringify({ meta: { ...meta, loadavgEnd: loadEnd }, engines, results, checksum, perEngineChecksum: Object.fromEntries(perEngineChecksum), elapsedSeconds: elapsed }, null, 2) + '\n',
    );
  }
}

main().catch((e) => {
  process.stderr.write(`benchmark failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
