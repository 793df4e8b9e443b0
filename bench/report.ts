/**
 * The report: the machine, Node and simdnet build above the tables; one table of every result
 * (samples/s or GFLOPS, medians, ratios, spread); the wasm/js ratios; checksums; and with --json
 * the same as one machine-readable object on stdout.
 */
import os from 'node:os';
import { cpuDescription } from './cpu.js';
import type { OnnxRow } from './interop.js';
import type { Int8Row } from './int8.js';
import { checksums, results, spreadPercent } from './measure.js';
import type { WorkloadSizes } from './workloads.js';
import type { Adapter } from './types.js';

export interface Meta {
  machine: string;
  cores: number;
  os: string;
  node: string;
  date: string;
  engineInfo: string;
  loadavg: number[];
  quick: boolean;
  peers: boolean;
  notes: string[];
}

const loadAverage = (): number[] => os.loadavg().map((v) => Number(v.toFixed(2)));

/** What ran where: taken before the first workload. */
export function machineMeta(engineInfo: string, quick: boolean, peers: boolean, notes: string[]): Meta {
  const cpus = os.cpus();
  return {
    machine: cpuDescription(),
    cores: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    engineInfo,
    loadavg: loadAverage(),
    quick,
    peers,
    notes,
  };
}

export function printHeader(say: (s?: string) => void, meta: Meta, sizes: WorkloadSizes, adapters: Adapter[]): void {
  say(`# simdnet benchmark${meta.quick ? ' (quick)' : ''}`);
  say();
  say(`- machine: ${meta.machine}, ${meta.cores} cores, ${meta.os}`);
  say(`- node: ${meta.node}`);
  say(
    `- load average at start: ${meta.loadavg.join(', ')}${meta.loadavg[0] > 0.5 ? '  (WARNING: machine was busy; numbers may be noisy)' : ''}`,
  );
  say(`- date: ${meta.date}`);
  say(`- simdnet: ${meta.engineInfo}`);
  say(`- engines: ${adapters.map((a) => a.name).join(', ')}`);
  say(
    `- rounds: ${sizes.warmup} warm-up + ${sizes.rounds} measured (deep net: ${sizes.deepRounds}), >= ${sizes.minRoundMs} ms each, interleaved with rotating order; median reported`,
  );
  for (const n of meta.notes) say(`- note: ${n}`);
  if (!meta.peers) say('- peers not run (add --peers for tfjs-cpu, tfjs-wasm, brain.js)');
  say();
  say('running:');
}

function fmt(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (digits === 0) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

function ratioStr(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  return v >= 0.1 ? `${v.toFixed(2)}x` : `${v.toPrecision(2)}x`;
}

export function printTables(say: (s?: string) => void, adapters: Adapter[]): void {
  const workloads = [...new Set(results.map((r) => r.workload))];
  say(
    '| workload | engine | samples/s or GFLOPS | us/row | vs textbook | vs lean | best round | spread | % of ceiling | note |',
  );
  say('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const w of workloads) {
    for (const r of results.filter((x) => x.workload === w)) {
      const val = r.metric === 'GFLOPS' ? (r.median === null ? '-' : `${fmt(r.median, 2)} GFLOPS`) : fmt(r.median);
      const us = r.usPerRow === undefined ? '' : fmt(r.usPerRow, 1);
      const spread = spreadPercent(r);
      const best = r.rounds.length ? fmt(Math.max(...r.rounds), r.metric === 'GFLOPS' ? 2 : 0) : '-';
      const lean = r.ratioVsLean === undefined ? '' : ratioStr(r.ratioVsLean);
      const ceiling = r.ceilingPercent == null ? '' : `${fmt(r.ceilingPercent)}%`;
      say(
        `| ${w} | ${r.engine} | ${val} | ${us} | ${ratioStr(r.ratioVsTextbook)} | ${lean} | ${best} | ${spread === null ? '-' : `${spread}%`} | ${ceiling} | ${r.note ?? ''} |`,
      );
    }
  }
  printCeilingTable(say, workloads);
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
  printThreadsTable(say, workloads, adapters);
  printSmallTable(
    say,
    workloads.filter((w) => results.some((r) => r.workload === w && r.ratioVsLean !== undefined)),
  );
  say();
  say('Values and "vs textbook" are medians of the measured rounds; "best round" is the fastest round;');
  say('spread = (max - min) / median over the measured rounds; a large spread means a noisy machine.');
  say('GEMM rounds on one thread are timed by the process CPU time, every other round by the wall clock.');
  const notes = adapters.filter((a) => a.note).map((a) => `- ${a.name}: ${a.note}`);
  if (notes.length) {
    say();
    say('Workload differences:');
    for (const n of notes) say(n);
  }
}

/**
 * The GEMM rows against the core's own ceiling (ceiling.ts, measured in the same rounds): each of
 * simdnet's Wasm engines as GFLOPS and as a share of the ceiling of the form its build runs (FMA for
 * the relaxed build, separate multiply and add for the plain one).
 */
function printCeilingTable(say: (s?: string) => void, workloads: string[]): void {
  const gemm = workloads.filter((w) => results.some((r) => r.workload === w && r.ceilingPercent != null));
  if (!gemm.length) return;
  const engines = [...new Set(results.filter((r) => r.ceilingPercent != null).map((r) => r.engine))];
  const ceilings = [...new Set(results.filter((r) => r.engine.startsWith('ceiling')).map((r) => r.engine))];
  say();
  say(
    "GEMM against the core's ceiling (GFLOPS, medians; in brackets the share of the ceiling of the form its build runs,",
  );
  say('times the threads of a threaded engine; the target is 75% on one thread):');
  say();
  say(`| product | ${[...ceilings, ...engines].join(' | ')} |`);
  say(`|---|${[...ceilings, ...engines].map(() => '---:|').join('')}`);
  for (const w of gemm) {
    const cell = (engine: string): string => {
      const r = results.find((x) => x.workload === w && x.engine === engine);
      if (!r || r.median === null) return '-';
      return r.ceilingPercent == null ? fmt(r.median, 1) : `${fmt(r.median, 1)} (${fmt(r.ceilingPercent)}%)`;
    };
    say(`| ${w.replace(/^gemm /, '')} | ${[...ceilings, ...engines].map(cell).join(' | ')} |`);
  }
}

/** simdnet against onnxruntime-web on the same imported model (interop.ts). */
export function printOnnxTable(say: (s?: string) => void, rows: OnnxRow[]): void {
  if (!rows.length) return;
  const names = Object.keys(rows[0]!.rates);
  say();
  say(
    'Against ONNX Runtime Web, the same PyTorch model, one thread each (predictions/s, medians of CPU-timed rounds):',
  );
  say();
  say(`| workload | ${names.join(' | ')} | simdnet wasm / onnxruntime (best rounds) |`);
  say(`|---|${names.map(() => '---:|').join('')}---:|`);
  for (const r of rows) {
    say(
      `| ${r.workload} | ${names.map((n) => fmt(r.rates[n])).join(' | ')} | ${ratioStr(r.ratio)} (${ratioStr(r.bestRatio)}) |`,
    );
  }
}

/** The threaded Wasm engine against the one-thread one, workload by workload (same run, interleaved). */
function printThreadsTable(say: (s?: string) => void, workloads: string[], adapters: Adapter[]): void {
  const threaded = adapters.find((a) => a.name.startsWith('simdnet-wasm-t'))?.name;
  if (!threaded) return;
  say();
  say(`threads (median ratio, same run, interleaved; the machine's parallel capacity is in the header):`);
  say();
  say(`| workload | ${threaded} / simdnet-wasm |`);
  say('|---|---:|');
  for (const w of workloads) {
    const a = results.find((r) => r.workload === w && r.engine === threaded)?.median ?? null;
    const b = results.find((r) => r.workload === w && r.engine === 'simdnet-wasm')?.median ?? null;
    if (a !== null && b !== null) say(`| ${w} | ${ratioStr(a / b)} |`);
  }
}

/**
 * Small networks against the lean hand-written MLP: samples/s for training, µs per call for
 * one-row predict (the lean column is its bare forward pass), and the ratios to lean; for predict
 * also the Wasm engine's bare forward pass and the façade's overhead (simdnet-wasm minus it).
 */
function printSmallTable(say: (s?: string) => void, workloads: string[]): void {
  if (!workloads.length) return;
  const engines = ['lean', 'textbook', 'simdnet-wasm', 'simdnet-js'];
  say();
  say('Small networks against the lean hand-written MLP (training: samples/s; predict: µs per call):');
  say();
  say(`| workload | ${engines.join(' | ')} | wasm / lean | js / lean | wasm forward kernel | façade overhead |`);
  say(`|---|${engines.map(() => '---:|').join('')}---:|---:|---:|---:|`);
  for (const w of workloads) {
    const row = (engine: string) => results.find((r) => r.workload === w && r.engine === engine);
    const cell = (engine: string): string => {
      const r = row(engine);
      if (!r) return '';
      return r.usPerRow === undefined ? fmt(r.median) : `${fmt(r.usPerRow, 2)} µs`;
    };
    const wasm = row('simdnet-wasm')?.usPerRow,
      kernel = row('wasm forward kernel')?.usPerRow;
    const overhead = wasm != null && kernel != null ? `${fmt(wasm - kernel, 2)} µs` : '';
    say(
      `| ${w} | ${engines.map(cell).join(' | ')} | ${ratioStr(row('simdnet-wasm')?.ratioVsLean ?? null)} | ${ratioStr(row('simdnet-js')?.ratioVsLean ?? null)} | ${cell('wasm forward kernel')} | ${overhead} |`,
    );
  }
}

/** The lines after the tables; with `json`, the whole run as one object on stdout. */
export function printFooter(
  say: (s?: string) => void,
  meta: Meta,
  adapters: Adapter[],
  elapsed: number,
  json: boolean,
  onnx: OnnxRow[] = [],
  int8: Int8Row[] = [],
): void {
  const { checksum, perEngine } = checksums();
  say(
    `checksum: ${checksum.toPrecision(10)} (per engine: ${[...perEngine].map(([k, v]) => `${k}=${v.toPrecision(6)}`).join(', ')})`,
  );
  const loadEnd = loadAverage();
  say(`total time: ${elapsed.toFixed(1)} s; load average at end: ${loadEnd.join(', ')}`);
  if (json) {
    const engines = adapters.map((a) => ({ name: a.name, note: a.note ?? null, gemmHook: !!a.gemm }));
    process.stdout.write(
      `${JSON.stringify(
        {
          meta: { ...meta, loadavgEnd: loadEnd },
          engines,
          results,
          onnxRuntime: onnx,
          int8,
          checksum,
          perEngineChecksum: Object.fromEntries(perEngine),
          elapsedSeconds: elapsed,
        },
        null,
        2,
      )}\n`,
    );
  }
}
