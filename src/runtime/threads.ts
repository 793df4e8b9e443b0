// Helper threads of the Wasm engine: the same compiled module instantiated in workers on the
// engine's shared memory, each running helperLoop (assembly/parallel.ts) and taking parts of the
// matrix products that the calling thread publishes. One pool per engine, shared by every network:
// started lazily when a network asks for more than one thread, grown to the largest count asked,
// stopped when no network needs it; in Node its workers never keep the process alive.
import { MAX_THREADS } from '../options.js';
import type { WasmExports } from '../abi/kernels.js';
import type { Heap } from './heap.js';
import { startWorker, type WorkerPort } from './workers.js';

/** What a helper is started with. */
interface HelperStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  scratchPtr: number;
  controlPtr: number;
  /** the pool's epoch when it was started: it leaves once the pool stops (stopHelpers) */
  epoch: number;
}

/**
 * The module's imports besides its memory: the blocking wait of an idle helper and the wake-up
 * (Atomics on the word at Int32 index `index`; a negative count wakes every waiter), and the clock
 * an idle helper reads to decide how long to spin. The helper source below repeats these lines,
 * since it runs without the library.
 */
export function threadImports(memory: WebAssembly.Memory): {
  sleep(index: number, expected: number): void;
  wake(index: number, count: number): void;
  now(): number;
} {
  return {
    sleep: (index, expected) => {
      Atomics.wait(new Int32Array(memory.buffer), index, expected);
    },
    wake: (index, count) => {
      Atomics.notify(new Int32Array(memory.buffer), index, count < 0 ? Infinity : count);
    },
    now: () => performance.now(),
  };
}

/**
 * A helper's whole program, run in a worker without the library: instantiate the module on the
 * shared memory, say so, run helperLoop until the pool stops, end. Its source text is what the
 * worker runs (HELPER_SOURCE), so it uses nothing outside itself; its imports repeat
 * threadImports' lines (the abort import serves the debug build).
 */
function helperProgram(): void {
  type Port = { postMessage(m: unknown): void; once(e: string, f: (m: HelperStart) => void): void };
  const scope = globalThis as unknown as {
    process?: { getBuiltinModule?: (name: string) => { parentPort: Port } };
    postMessage(m: unknown): void;
    onmessage: ((e: { data: HelperStart }) => void) | null;
    close(): void;
  };
  const port = scope.process?.getBuiltinModule?.('node:worker_threads').parentPort ?? null;
  const start = (m: HelperStart): void => {
    const memory = m.memory;
    const env = {
      memory,
      sleep: (index: number, expected: number) => Atomics.wait(new Int32Array(memory.buffer), index, expected),
      wake: (index: number, count: number) =>
        Atomics.notify(new Int32Array(memory.buffer), index, count < 0 ? Infinity : count),
      now: () => performance.now(),
      abort() {
        throw new Error('simdnet: a helper thread failed an assertion');
      },
    };
    const exports = new WebAssembly.Instance(m.module, { env }).exports as unknown as WasmExports;
    exports.threadInit(m.scratchPtr, m.controlPtr);
    if (port) port.postMessage('running');
    else scope.postMessage('running');
    exports.helperLoop(m.epoch);
    if (!port) scope.close();
  };
  if (port) port.once('message', start);
  else
    scope.onmessage = (e) => {
      scope.onmessage = null;
      start(e.data);
    };
}

const HELPER_SOURCE = `"use strict";(${helperProgram.toString()})();`;

/** The cores the platform reports (os.availableParallelism in Node, navigator.hardwareConcurrency in browsers). */
export function hardwareThreads(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const cores = os?.availableParallelism?.() ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1);
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(cores || 1)));
}

export class HelperPool {
  private helpers: { port: WorkerPort<HelperStart, string>; scratchPtr: number }[] = [];
  private starting: Promise<void>[] = [];
  /** live networks on more than one thread */
  private users = 0;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly heap: Heap,
    private readonly exports: WasmExports,
    /** the control block the caller and its helpers share (parallel.ts) */
    readonly controlPtr: number,
  ) {}

  /** Helpers running or starting. */
  get size(): number {
    return this.helpers.length;
  }

  /** Parts of products that helpers computed since the engine started. */
  get partsByHelpers(): number {
    return this.exports.testHelperParts();
  }

  /** A network that runs on `threads` threads is alive: make sure threads − 1 helpers exist. */
  acquire(threads: number): void {
    this.users++;
    while (this.helpers.length < threads - 1) this.spawn();
  }

  /** That network is gone; the last one out stops every helper. */
  release(): void {
    if (--this.users === 0) this.stop();
  }

  /** Settles once every helper started so far runs (or failed to start: products then run without it). */
  async ready(): Promise<void> {
    await Promise.all(this.starting);
  }

  private spawn(): void {
    const scratchPtr = this.heap.alloc(this.exports.SCRATCH_BYTES.value as number);
    const port = startWorker<HelperStart, string>(HELPER_SOURCE, 'simdnet-helper');
    // Node: the worker holds the process open only until it runs (so that awaiting ready() can't
    // end the process early); unref comes after the listeners, since adding one refs it again
    this.starting.push(
      new Promise<void>((resolve) => {
        const started = (): void => {
          port.unref();
          resolve();
        };
        port.onMessage(started);
        port.onError(started);
      }),
    );
    port.post({
      module: this.module,
      memory: this.memory,
      scratchPtr,
      controlPtr: this.controlPtr,
      epoch: this.exports.helperEpoch(),
    });
    this.helpers.push({ port, scratchPtr });
  }

  private stop(): void {
    if (this.helpers.length === 0) return;
    // returns once no helper is inside helperLoop; one still starting leaves as soon as it enters
    this.exports.stopHelpers();
    for (const helper of this.helpers) {
      helper.port.terminate();
      this.heap.release(helper.scratchPtr);
    }
    this.helpers = [];
    this.starting = [];
  }
}
