// Engines: the Wasm module (the build placement.ts chose) or the 'js' twin. Each engine is created
// once per process; all its networks share its linear memory, which the Wasm module imports.
// Networks on one thread get an engine whose memory is not shared (the module with its memory
// import patched to unshared, wasm-bytes.ts): V8 runs Wasm and copies from JavaScript faster on it.
// Networks on several threads get a second engine, created on first use, whose memory is shared
// with its helper threads.
import simdBytes from '../../build/simd.wasm';
import relaxedBytes from '../../build/relaxed.wasm';
import type { Kernels, QuantKernels, WasmExports } from '../abi/kernels.js';
import { ACT } from '../abi/kinds.js';
import { Heap, MAX_BYTES, PAGE, createLinearMemory, type LinearMemory } from './heap.js';
import {
  requiredWasmBuild,
  threadsPossible,
  type BuildName,
  type EngineName,
  type ResolvedPlacement,
} from './placement.js';
import { HelperPool, threadImports } from './threads.js';
import { unshared } from './wasm-bytes.js';
import { createJsKernels } from '../js/index.js';

export type { BuildName, EngineName } from './placement.js';

export interface Engine {
  readonly name: EngineName;
  readonly build: BuildName;
  readonly heap: Heap;
  /** the float kernels and the quantized ones */
  readonly kernels: Kernels & QuantKernels;
  /** helper threads for the products: on the engine whose memory is shared, else null */
  readonly pool: HelperPool | null;
}

/** The build's bytes as compiled (a shared memory import) for the threaded engine, else patched to unshared. */
const runnable = (bytes: Uint8Array<ArrayBuffer>, shared: boolean): Uint8Array<ArrayBuffer> =>
  shared ? bytes : unshared(bytes);

// the one-thread engine and the threaded one (shared memory, helper pool), each made on first use
const wasmEngines: { single?: Engine; threaded?: Engine } = {};
const wasmPending: { single?: Promise<Engine>; threaded?: Promise<Engine> } = {};
let jsEngine: Engine | undefined;

/** The bytes of the build placement.ts chooses for this runtime. */
function wasmBytes(): { bytes: Uint8Array<ArrayBuffer>; build: BuildName } {
  const build = requiredWasmBuild();
  return { bytes: build === 'relaxed-simd' ? relaxedBytes : simdBytes, build };
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
  const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  const pool = shared ? new HelperPool(module, memory, heap, exports, controlPtr) : null;
  return { name: 'wasm', build, heap, kernels: exports, pool };
}

/**
 * A Wasm engine from a build's bytes (`env`: further imports, the debug build's abort); `shared`:
 * on a shared memory with a helper pool (ask placement.ts's threadsPossible first).
 */
export function createWasmEngine(
  bytes: Uint8Array<ArrayBuffer>,
  build: BuildName,
  env: Record<string, unknown> = {},
  shared = false,
): Engine {
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

/** Which of the two Wasm engines: the threaded one exists only where threads are possible. */
const engineKey = (threaded: boolean): 'single' | 'threaded' => (threaded && threadsPossible() ? 'threaded' : 'single');

/**
 * The Wasm engine for networks on one thread, or (`threaded`) the one whose memory its helper
 * threads share; where threads are not possible the threaded one is the same as the other.
 */
export function wasmEngineSync(threaded = false): Engine {
  const key = engineKey(threaded);
  if (!wasmEngines[key]) {
    const { bytes, build } = wasmBytes();
    wasmEngines[key] = createWasmEngine(bytes, build, {}, key === 'threaded');
  }
  return wasmEngines[key];
}

async function wasmEngineAsync(threaded: boolean): Promise<Engine> {
  const key = engineKey(threaded);
  if (wasmEngines[key]) return wasmEngines[key];
  wasmPending[key] ??= (async () => {
    const { bytes, build } = wasmBytes(),
      shared = key === 'threaded';
    const memory = wasmMemory(shared);
    const { module, instance } = await WebAssembly.instantiate(runnable(bytes, shared), moduleImports(memory));
    wasmEngines[key] ??= wasmEngineOf(module, instance, memory, build);
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

/** The engine a placement names (placement.ts): the 'js' twin, or the Wasm engine with helpers when it has threads. */
export function engineFor(placement: ResolvedPlacement): Engine {
  return placement.engine === 'js' ? jsEngineSync() : wasmEngineSync(placement.threads > 1);
}

/** engineFor with an asynchronous Wasm compile (the one browsers allow for any module size). */
export async function engineForAsync(placement: ResolvedPlacement): Promise<Engine> {
  return placement.engine === 'js' ? jsEngineSync() : wasmEngineAsync(placement.threads > 1);
}
