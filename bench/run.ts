/**
 * simdnet benchmark runner: the command-line flags.
 *
 *   npm run bench -- [--quick] [--small] [--ort] [--int8] [--peers] [--json] [--threads <n|auto>]
 *
 * --quick: a smoke run of small sizes (seconds); --small: the small-network workloads only (the
 * lean MLP's table, in minutes, for repeated runs); --ort: the comparison with ONNX Runtime Web
 * alone (interop.ts; a full run includes it); --int8: quantized inference against float and
 * against ONNX Runtime Web's int8 alone (int8.ts; a full run includes it); --peers: TensorFlow.js (cpu and wasm) and
 * brain.js beside simdnet, the textbook MLP and the lean one; --json: results as JSON on stdout (the tables go to
 * stderr); --threads: the thread count of the threaded Wasm engine beside the one-thread one
 * (default 2, or 1 with --small and --ort; 1 leaves it out). Measurement is in measure.ts, the
 * workloads in workloads.ts, the tables in report.ts, the machine's parallel capacity in capacity.ts,
 * the core's SIMD ceiling in ceiling.ts, the CPU's description in cpu.ts.
 */
import { TextbookAdapter } from './textbook.js';
import { parallelCapacity } from './capacity.js';
import { ceilingRunners } from './ceiling.js';
import { compareWithOnnxRuntime, type OnnxRow } from './interop.js';
import { compareInt8, printInt8Table, type Int8Row } from './int8.js';
import { LeanAdapter } from './lean.js';
import { loadPeers } from './peers.js';
import { machineMeta, printFooter, printHeader, printOnnxTable, printTables } from './report.js';
import { ForwardKernelAdapter, PlainBuildGemm, SimdnetAdapter, simdnetEngineInfo } from './simdnet-adapter.js';
import type { Adapter, GemmRunner } from './types.js';
import { runWorkloads, workloadSizes } from './workloads.js';
import { threadsTargets } from './threads.js';

const FLAGS = ['--quick', '--small', '--ort', '--int8', '--peers', '--json'];
const USAGE = 'usage: run [--quick] [--small] [--ort] [--int8] [--peers] [--json] [--threads <n|auto>]';
const args = process.argv.slice(2);
const threadsAt = args.indexOf('--threads');
// the threaded engine by default beside the one-thread one, but not in --small runs (one thread each, for repeated runs)
const threadsArg =
  threadsAt >= 0
    ? args.splice(threadsAt, 2)[1]
    : ['--small', '--ort', '--int8'].some((a) => args.includes(a))
      ? '1'
      : '2';
const threads = threadsArg === 'auto' ? 'auto' : Number(threadsArg);
if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= 256)) {
  process.stderr.write(`--threads must be a whole number from 1 to 256 or auto, got ${threadsArg}\n${USAGE}\n`);
  process.exit(2);
}
const argv = new Set(args);
for (const a of argv) {
  if (!FLAGS.includes(a)) {
    process.stderr.write(`unknown flag ${a}\n${USAGE}\n`);
    process.exit(2);
  }
}
const quick = argv.has('--quick');
const peers = argv.has('--peers');
const json = argv.has('--json');
const smallOnly = argv.has('--small');
const ortOnly = argv.has('--ort');
const int8Only = argv.has('--int8');

/** Human-readable output goes to stdout, or to stderr when --json owns stdout. */
const say = (s = ''): void => {
  (json ? process.stderr : process.stdout).write(`${s}\n`);
};

async function main(): Promise<void> {
  const started = performance.now();
  const meta = machineMeta(await simdnetEngineInfo(), quick, peers, []);
  const wasm = new SimdnetAdapter('wasm');
  const adapters: Adapter[] = [new TextbookAdapter(), wasm];
  // the plain build's products beside the relaxed build's, where the runtime selects the relaxed one
  const gemmRunners: GemmRunner[] = wasm.ceiling === 'fma' ? [new PlainBuildGemm()] : [];
  const ceilings = ceilingRunners();
  meta.notes.push(
    `ceiling: ${ceilings.map((c) => c.name).join(' and ')} (bench/ceiling.ts: 12 independent f32x4 multiply-adds per iteration), ` +
      'measured in every GEMM workload, interleaved with the products',
  );
  const threaded = threads === 1 ? null : new SimdnetAdapter('wasm', threads);
  if (threaded && threaded.threads > 1) {
    adapters.push(threaded);
    const capacity = await parallelCapacity(threaded.threads);
    meta.notes.push(
      `${threaded.name}: the Wasm engine on ${threaded.threads} threads (threads: ${threads}). The machine's parallel capacity ` +
        `when the run started: ${threaded.threads} independent one-thread GEMMs in ${threaded.threads} workers did ${capacity.toFixed(2)}× ` +
        `the work of one (the ceiling for the threads ratios below)`,
    );
  }
  adapters.push(new SimdnetAdapter('js'));
  if (peers) {
    const p = await loadPeers();
    adapters.push(...p.adapters);
    meta.notes.push(...p.notes);
  }
  const sizes = workloadSizes(quick);
  const lean = new LeanAdapter();
  printHeader(say, meta, sizes, [...adapters, lean]);
  if (!ortOnly && !int8Only) {
    const bench = { sizes, adapters, lean, forwardKernel: new ForwardKernelAdapter(), ceilings, gemmRunners, say };
    await runWorkloads(bench, smallOnly);
  }
  const onnx: OnnxRow[] = smallOnly || int8Only ? [] : await compareWithOnnxRuntime(quick, say);
  const int8: Int8Row[] = smallOnly || ortOnly ? [] : await compareInt8(quick, say);
  const elapsed = (performance.now() - started) / 1000;
  say();
  printTables(say, [...adapters, lean]);
  printOnnxTable(say, onnx);
  printInt8Table(say, int8);
  if (threaded && threaded.threads > 1 && !smallOnly && !ortOnly && !int8Only) {
    const deepWorkload = `train ${sizes.deepLayers.join('-')} b${sizes.deepBatch}`;
    await threadsTargets({
      threads: threaded.threads,
      quick,
      rounds: sizes.rounds,
      minRoundMs: sizes.minRoundMs,
      deepWorkload,
      say,
    });
  }
  say();
  printFooter(say, meta, [...adapters, lean], elapsed, json, onnx, int8);
}

main().catch((e) => {
  process.stderr.write(`benchmark failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
