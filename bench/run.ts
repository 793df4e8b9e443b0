/**
 * simdnet benchmark runner: the command-line flags.
 *
 *   npm run bench -- [--quick] [--small] [--peers] [--json]
 *
 * --quick: a smoke run of small sizes (seconds); --small: the small-network workloads only (the
 * lean baseline's table, in minutes, for repeated runs); --peers: TensorFlow.js (cpu and wasm) and
 * brain.js beside simdnet and the baselines; --json: results as JSON on stdout (the tables go to
 * stderr). Measurement is in measure.ts, the workloads in workloads.ts, the tables in report.ts.
 */
import { BaselineAdapter } from './baseline.js';
import { LeanAdapter } from './lean.js';
import { loadPeers } from './peers.js';
import { machineMeta, printFooter, printHeader, printTables } from './report.js';
import { ForwardKernelAdapter, SimdnetAdapter, simdnetEngineInfo } from './simdnet-adapter.js';
import type { Adapter } from './types.js';
import { runWorkloads, workloadSizes } from './workloads.js';

const FLAGS = ['--quick', '--small', '--peers', '--json'];
const argv = new Set(process.argv.slice(2));
for (const a of argv) {
  if (!FLAGS.includes(a)) {
    process.stderr.write(`unknown flag ${a}\nusage: run [--quick] [--small] [--peers] [--json]\n`);
    process.exit(2);
  }
}
const quick = argv.has('--quick');
const peers = argv.has('--peers');
const json = argv.has('--json');
const smallOnly = argv.has('--small');

/** Human-readable output goes to stdout, or to stderr when --json owns stdout. */
const say = (s = ''): void => {
  (json ? process.stderr : process.stdout).write(s + '\n');
};

async function main(): Promise<void> {
  const started = performance.now();
  const meta = machineMeta(await simdnetEngineInfo(), quick, peers, []);
  const adapters: Adapter[] = [new BaselineAdapter(), new SimdnetAdapter('wasm'), new SimdnetAdapter('js')];
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
  say();
  printFooter(say, meta, [...adapters, lean], elapsed, json);
}

main().catch((e) => {
  process.stderr.write(`benchmark failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
