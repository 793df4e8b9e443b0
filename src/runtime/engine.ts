// Engines: the Wasm module (relaxed-SIMD build where it validates, else plain SIMD) or the 'js'
// twin. Each engine is created once per process; all its networks share its linear memory. The
// Wasm module imports that memory. Networks on one thread get an engine whose memory is not
// shared (the module with its memory import patched to unshared): V8 runs Wasm and copies from
// JavaScript faster on it (wasm-bytes.ts patches the import). Networks on several threads get a
// second engine, created on first use, whose memory is shared with its helper threads.
import simdBytes from '../../build/simd.wasm';
import relaxedBytes from '../../build/relaxed.wasm';
import type { Kernels, WasmExports } from '../abi/kernels.js';
import { Heap, MAX_BYTES, PAGE, createLinearMemory, type LinearMemory } from './heap.js';
import { ACT } from '../abi/kinds.js';
import { HelperPool, sharedMemoryAvailable, threadImports, threadsPossible } from './threads.js';
import { unshared } from './wasm-bytes.js';
import { workersAvailable } from './workers.js';
import { createJsKernels } from '../js/index.js';

export type EngineName = 'wasm' | 'js';
export type BuildName = 'relaxed-simd' | 'simd' | 'js';

export interface Engine {
  readonly name: EngineName;
  readonly build: BuildName;
  readonly heap: Heap;
  readonly kernels: Kernels;
  /** helper threads for the products; null for the 'js' engine and where memory can't be shared */
  readonly pool: HelperPool | null;
}

// Shared memory is decided once per process, like everything the builds are checked for.
let shared: boolean | undefined;
const sharedMemory = (): boolean => (shared ??= typeof WebAssembly !== 'undefined' && sharedMemoryAvailable());

/** The build's bytes as compiled (a shared memory import) for the threaded engine, else patched to unshared. */
const runnable = (bytes: Uint8Array<ArrayBuffer>, shared: boolean): Uint8Array<ArrayBuffer> =>
  shared ? bytes : unshared(bytes);

// validated once per process: the answer can't change, and validating a 36 KB module isn't free
let validated: { relaxed: boolean; simd: boolean } | undefined;
function validate(): { relaxed: boolean; simd: boolean } {
  const has = typeof WebAssembly !== 'undefined' && typeof WebAssembly.validate === 'function';
  validated ??= {
    relaxed: has && WebAssembly.validate(runnable(relaxedBytes, false)),
    simd: has && WebAssembly.validate(runnable(simdBytes, false)),
  };
  return validated;
}
const relaxedOk = (): boolean => validate().relaxed;
const simdOk = (): boolean => validate().simd;

/** Which builds this runtime accepts, and which one `engine: 'wasm'` and `'auto'` would use. */
export function availableEngines(): { available: BuildName[]; selected: BuildName } {
  const available: BuildName[] = [];
  if (relaxedOk()) available.push('relaxed-simd');
  if (simdOk()) available.push('simd');
  available.push('js');
  return { available, selected: available[0]! };
}

// the one-thread engine and the threaded one (shared memory, helper pool), each made on first use
const wasmEngines: { single?: Engine; threaded?: Engine } = {};
const wasmPending: { single?: Promise<Engine>; threaded?: Promise<Engine> } = {};
let jsEngine: Engine | undefined;

function wasmBytes(): Uint8Array<ArrayBuffer> {
  if (relaxedOk()) return relaxedBytes;
  if (simdOk()) return simdBytes;
  throw new TypeError(
    "simdnet: engine 'wasm' needs WebAssembly SIMD, which this runtime lacks; use engine: 'js' or 'auto'",
  );
}

/** A memory for the module, 2 GiB at most. */
function wasmMemory(shared: boolean): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: MAX_BYTES / PAGE, shared });
}

/** The module's imports: its memory, the helpers' wait and wake, and `env` (the debug build's abort). */
function moduleImports(memory: WebAssembly.Memory, env: Record<string, unknown> = {}): WebAssembly.Imports {
  return { env: { ...env, memory, ...threadImports(memory) } };
}

/**
 * The engine of one instance of a build on `memory`: its memory under a Heap, its exports as the
 * kernels, the calling thread's packing scratch and the control block its helpers share, and the
 * helper pool where memory is shared. The tests make a debug engine here from build/debug.wasm
 * (whose assertions import env.abort).
 */
export function wasmEngineOf(
  module: WebAssembly.Module,
  instance: WebAssembly.Instance,
  memory: WebAssembly.Memory,
  build: BuildName,
): Engine {
  const exports = instance.exports as unknown as WasmExports;
  const heap = new Heap(memory, exports.heapBase());
  const controlPtr = heap.alloc(exports.CONTROL_BYTES.value as number);
  exports.threadInit(heap.alloc(exports.SCRATCH_BYTES.value as number), controlPtr);
  warmUp(heap, exports);
  const pool = threadsPossible(memory) ? new HelperPool(module, memory, heap, exports, controlPtr) : null;
  return { name: 'wasm', build, heap, kernels: exports, pool };
}

/**
 * A Wasm engine from a build's bytes (`env`: further imports, the debug build's abort); `shared`:
 * on a shared memory with a helper pool, where the runtime allows.
 */
export function createWasmEngine(
  bytes: Uint8Array<ArrayBuffer>,
  build: BuildName,
  env: Record<string, unknown> = {},
  shared = false,
): Engine {
  shared &&= sharedMemory();
  const module = new WebAssembly.Module(runnable(bytes, shared));
  const memory = wasmMemory(shared);
  return wasmEngineOf(module, new WebAssembly.Instance(module, moduleImports(memory, env)), memory, build);
}

/**
 * V8 first runs Wasm in its baseline compiler and moves hot functions to the optimizing one
 * later; a few milliseconds of products on small blocks at start-up move the kernels there
 * before the first real call instead of during it.
 */
function warmUp(heap: Heap, k: Kernels): void {
  const n = 64,
    bytes = n * n * 4;
  const a = heap.alloc(bytes),
    b = heap.alloc(bytes),
    c = heap.alloc(bytes),
    s = heap.alloc(8 * n * 4);
  for (let i = 0; i < 20; i++) {
    k.matmul(a, b, 0, c, n, n, n);
    k.matmulTransB(a, b, c, n, n, n, s);
    k.matmulTransA(a, b, c, n, n, n, 0);
    k.matmul(a, b, 0, c, 1, n, n);
    k.activate(ACT.sigmoid, 1, 0, c, n, n);
    k.activationGrad(ACT.sigmoid, 1, c, a, n * n);
  }
  for (const p of [a, b, c, s]) heap.release(p);
}

function buildOf(bytes: Uint8Array): BuildName {
  return bytes === relaxedBytes ? 'relaxed-simd' : 'simd';
}

/** Which of the two Wasm engines: the threaded one exists only where memory can be shared. */
const engineKey = (threaded: boolean): 'single' | 'threaded' => (threaded && sharedMemory() ? 'threaded' : 'single');

/**
 * The Wasm engine for networks on one thread, or (`threaded`) the one whose memory its helper
 * threads share; where memory cannot be shared the threaded one is the same as the other.
 */
export function wasmEngineSync(threaded = false): Engine {
  const key = engineKey(threaded);
  if (!wasmEngines[key]) {
    const bytes = wasmBytes();
    wasmEngines[key] = createWasmEngine(bytes, buildOf(bytes), {}, key === 'threaded');
  }
  return wasmEngines[key];
}

async function wasmEngineAsync(threaded: boolean): Promise<Engine> {
  const key = engineKey(threaded);
  if (wasmEngines[key]) return wasmEngines[key];
  wasmPending[key] ??= (async () => {
    const bytes = wasmBytes(),
      shared = key === 'threaded';
    const memory = wasmMemory(shared);
    const { module, instance } = await WebAssembly.instantiate(runnable(bytes, shared), moduleImports(memory));
    wasmEngines[key] ??= wasmEngineOf(module, instance, memory, buildOf(bytes));
    return wasmEngines[key];
  })();
  return wasmPending[key];
}

export function jsEngineSync(): Engine {
  if (!jsEngine) {
    const memory: LinearMemory = createLinearMemory(1 << 16);
    const heap = new Heap(memory, 16);
    jsEngine = { name: 'js', build: 'js', heap, kernels: createJsKernels(heap), pool: null };
  }
  return jsEngine;
}

/** The engine for an `engine` option: 'auto' falls back to 'js' where no Wasm build validates. */
export function engineNameFor(requested: 'wasm' | 'js' | 'auto'): EngineName {
  if (requested !== 'auto') return requested;
  return relaxedOk() || simdOk() ? 'wasm' : 'js';
}

/** Whether this runtime can run helper threads on a shared memory. */
export function threadsAvailable(): boolean {
  return sharedMemory() && workersAvailable();
}

/**
 * A layer's weights below this count: its product reaches the size worth sharing (parallel.ts's
 * 65,536 multiply-adds) only in batches of more than 16 rows, where sharing saves a microsecond or
 * two. A network made of such layers stays on the one-thread engine whatever `threads` says, since
 * V8 runs Wasm on an unshared memory faster (10-18% on the article's 3-4-3, 7-12% on 16-32-8).
 */
const SHARED_LAYER_WEIGHTS = 4096;

/** Whether a network of `layers` on `threads` threads (threadsFor's count) belongs on the threaded engine. */
function wantsThreads(threads: number, layers: readonly number[]): boolean {
  return threads > 1 && layers.some((size, l) => l > 0 && size * layers[l - 1]! >= SHARED_LAYER_WEIGHTS);
}

export async function loadEngine(
  requested: 'wasm' | 'js' | 'auto',
  threads = 1,
  layers: readonly number[] = [],
): Promise<Engine> {
  return engineNameFor(requested) === 'wasm' ? wasmEngineAsync(wantsThreads(threads, layers)) : jsEngineSync();
}

export function loadEngineSync(requested: 'wasm' | 'js' | 'auto', threads = 1, layers: readonly number[] = []): Engine {
  return engineNameFor(requested) === 'wasm' ? wasmEngineSync(wantsThreads(threads, layers)) : jsEngineSync();
}
