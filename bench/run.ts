/**
 * simdnet benchmark runner: the command-line flags.
 *
 *   npm run bench -- [--quick] [--small] [--peers] [--json] [--threads <n|auto>]
 *
 * --quick: a smoke run of small sizes (seconds); --small: the small-network workloads only (the
 * lean baseline's table, in minutes, for repeated runs); --peers: TensorFlow.js (cpu and wasm) and
 * brain.js beside simdnet and the baselines; --json: results as JSON on stdout (the tables go to
 * stderr); --threads: the thread count of the threaded Wasm engine beside the one-thread one
 * (default 2, or 1 with --small; 1 leaves it out). Measurement is in measure.ts, the workloads in workloads.ts, the
 * tables in report.ts, the machine's parallel capacity in capacity.ts.
 */
import { BaselineAdapter } from './baseline.js';
import { parallelCapacity } from './capacity.js';
import { LeanAdapter } from './lean.js';
import { loadPeers } from './peers.js';
import { machineMeta, printFooter, printHeader, printTables } from './report.js';
import { ForwardKernelAdapter, SimdnetAdapter, simdnetEngineInfo } from './simdnet-adapter.js';
import type { Adapter } from './types.js';
import { runWorkloads, workloadSizes } from './workloads.js';
import { threadsTargets } from './threads.js';

const FLAGS = ['--quick', '--small', '--peers', '--json'];
const USAGE = 'usage: run [--quick] [--small] [--peers] [--json] [--threads <n|auto>]';
const args = process.argv.slice(2);
const threadsAt = args.indexOf('--threads');
// the threaded engine by default beside the one-thread one, but not in --small runs (one thread each, for repeated runs)
const threadsArg = threadsAt >= 0 ? args.splice(threadsAt, 2)[1] : args.includes('--small') ? '1' : '2';
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

/** Human-readable output goes to stdout, or to stderr when --json owns stdout. */
const say = (s = ''): void => {
  (json ? process.stderr : process.stdout).write(`${s}\n`);
};

async function main(): Promise<void> {
  const started = performance.now();
  const meta = machineMeta(await simdnetEngineInfo(), quick, peers, []);
  const adapters: Adapter[] = [new BaselineAdapter(), new SimdnetAdapter('wasm')];
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
  await runWorkloads({ sizes, adapters, lean, forwardKernel: new ForwardKernelAdapter(), say }, smallOnly);
  const elapsed = (performance.now() - started) / 1000;
  say();
  printTables(say, [...adapters, lean]);
  if (threaded && threaded.threads > 1 && !smallOnly) {
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
  printFooter(say, meta, [...adapters, lean], elapsed, json);
}

main().catch((e) => {
  process.stderr.write(`benchmark failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
