/**
 * How many cores this machine really gives a compute-bound SIMD kernel right now: the same
 * single-threaded product (simdnet's plain-SIMD build, 256×512×512, each worker on its own memory)
 * runs in one worker alone, then in `count` workers at once, for the same time. The ratio of the
 * total work done is the parallel capacity: close to `count` on `count` free cores, near 1 where
 * the virtual CPUs share a physical core or the host is busy. A threads column means little
 * without it, so the report prints it beside the table.
 */
import simdBytes from '../build/simd.wasm';
import { nodeWorkerThreads } from '../src/runtime/workers.js';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, ms } = workerData;
const memory = new WebAssembly.Memory({ initial: 128, maximum: 128, shared: true });
const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory, sleep() {}, wake() {}, now: () => 0 } }).exports;
x.threadInit(1 << 16, 1 << 17);
let n = 0;
const until = Date.now() + ms;
while (Date.now() < until) { x.matmul(1 << 20, 2 << 20, 0, 3 << 20, 256, 512, 512); n++; }
parentPort.postMessage(n);`;

async function run(workers: number, ms: number): Promise<number> {
  const threads = nodeWorkerThreads()!;
  const counts = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new (
            threads.Worker as unknown as new (
              s: string,
              o: object,
            ) => { once(e: string, f: (v: never) => void): void }
          )(SOURCE, { eval: true, workerData: { bytes: simdBytes, ms } });
          w.once('message', resolve as (v: never) => void);
          w.once('error', reject as (v: never) => void);
        }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Total work of `count` concurrent single-threaded GEMM workers over one alone (best of two tries each). */
export async function parallelCapacity(count: number, ms = 600): Promise<number> {
  const one = Math.max(await run(1, ms), await run(1, ms));
  const many = Math.max(await run(count, ms), await run(count, ms));
  return many / one;
}
