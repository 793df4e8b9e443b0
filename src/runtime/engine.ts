// Engines: the Wasm module (relaxed-SIMD build where it validates, else plain SIMD) or the 'js'
// twin. Each engine is created once per process; all its networks share its linear memory. The
// Wasm module imports that memory: shared (so that helper threads can work on it) wherever the
// runtime allows, else the same module with its memory import patched to unshared.
import simdBytes from '../../build/simd.wasm';
import relaxedBytes from '../../build/relaxed.wasm';
import type { Kernels, WasmExports } from './abi.js';
import { Heap, MAX_BYTES, PAGE, createLinearMemory, type LinearMemory } from './heap.js';
import { ACT } from './layout.js';
import { HelperPool, sharedMemoryAvailable, threadImports, threadsPossible } from './threads.js';
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

/**
 * The build's bytes as this runtime instantiates them: as compiled (a shared memory import) where
 * memory can be shared, else with that import's limits flag turned to unshared (0x03 → 0x01, the
 * one byte in which the two modules differ; the atomics in the module are valid on either).
 */
function runnable(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  if (sharedMemory()) return bytes;
  const copy = bytes.slice();
  copy[memoryLimitsOffset(bytes)] = 0x01;
  return copy;
}

/** Where the limits flag of the module's memory import is (a walk over its import section). */
export function memoryLimitsOffset(bytes: Uint8Array): number {
  let at = 8; // magic and version
  const leb = (): number => { let v = 0, shift = 0, b: number; do { b = bytes[at++]!; v += (b & 127) * 2 ** shift; shift += 7; } while (b & 128); return v; };
  const skipName = (): void => { const length = leb(); at += length; };
  while (at < bytes.length) {
    const id = bytes[at++]!, size = leb(), end = at + size;
    if (id === 2) {
      for (let count = leb(); count > 0; count--) {
        skipName(); skipName();
        const kind = bytes[at++]!;
        if (kind === 2) return at;          // memory: limits flag, then initial (and maximum)
        if (kind === 0) leb();              // function: type index
        else if (kind === 1) { at++; const flag = leb(); leb(); if (flag & 1) leb(); } // table
        else at += 2;                       // global: value type, mutability
      }
    }
    at = end;
  }
  throw new Error('simdnet: the Wasm module imports no memory');
}

// validated once per process: the answer can't change, and validating a 36 KB module isn't free
let validated: { relaxed: boolean; simd: boolean } | undefined;
function validate(): { relaxed: boolean; simd: boolean } {
  const has = typeof WebAssembly !== 'undefined' && typeof WebAssembly.validate === 'function';
  validated ??= {
    relaxed: has && WebAssembly.validate(runnable(relaxedBytes)),
    simd: has && WebAssembly.validate(runnable(simdBytes)),
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

let wasmEngine: Engine | undefined;
let wasmPending: Promise<Engine> | undefined;
let jsEngine: Engine | undefined;

function wasmBytes(): Uint8Array<ArrayBuffer> {
  if (relaxedOk()) return relaxedBytes;
  if (simdOk()) return simdBytes;
  throw new TypeError("simdnet: engine 'wasm' needs WebAssembly SIMD, which this runtime lacks; use engine: 'js' or 'auto'");
}

/** A memory for the module: shared where the runtime allows, 2 GiB at most either way. */
function wasmMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: MAX_BYTES / PAGE, shared: sharedMemory() });
}

/**
 * The engine of one instance of a build on `memory`: its memory under a Heap, its exports as the
 * kernels, the calling thread's packing scratch and the control block its helpers share, and the
 * helper pool where memory is shared. The tests make a debug engine here from build/debug.wasm
 * (whose assertions import env.abort).
 */
export function wasmEngineOf(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory, build: BuildName): Engine {
  const exports = instance.exports as unknown as WasmExports;
  const heap = new Heap(memory, exports.heapBase());
  const controlPtr = heap.alloc(exports.CONTROL_BYTES.value as number);
  exports.threadInit(heap.alloc(exports.SCRATCH_BYTES.value as number), controlPtr);
  warmUp(heap, exports);
  const pool = threadsPossible(memory) ? new HelperPool(module, memory, heap, exports, controlPtr) : null;
  return { name: 'wasm', build, heap, kernels: exports, pool };
}

/** A Wasm engine from a build's bytes (`env`: further imports, the debug build's abort). */
export function createWasmEngine(bytes: Uint8Array<ArrayBuffer>, build: BuildName, env: Record<string, unknown> = {}): Engine {
  const module = new WebAssembly.Module(runnable(bytes));
  const memory = wasmMemory();
  return wasmEngineOf(module, new WebAssembly.Instance(module, { env: { ...env, memory, ...threadImports(memory) } }), memory, build);
}

/**
 * V8 first runs Wasm in its baseline compiler and moves hot functions to the optimizing one
 * later; a few milliseconds of products on small blocks at start-up move the kernels there
 * before the first real call instead of during it.
 */
function warmUp(heap: Heap, k: Kernels): void {
  const n = 64, bytes = n * n * 4;
  const a = heap.alloc(bytes), b = heap.alloc(bytes), c = heap.alloc(bytes), s = heap.alloc(8 * n * 4);
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

function buildOf(bytes: Uint8Array): BuildName { return bytes === relaxedBytes ? 'relaxed-simd' : 'simd'; }

export function wasmEngineSync(): Engine {
  if (!wasmEngine) {
    const bytes = wasmBytes();
    wasmEngine = createWasmEngine(bytes, buildOf(bytes));
  }
  return wasmEngine;
}

async function wasmEngineAsync(): Promise<Engine> {
  if (wasmEngine) return wasmEngine;
  wasmPending ??= (async () => {
    const bytes = wasmBytes();
    const memory = wasmMemory();
    const { module, instance } = await WebAssembly.instantiate(runnable(bytes), { env: { memory, ...threadImports(memory) } });
    wasmEngine ??= wasmEngineOf(module, instance, memory, buildOf(bytes));
    return wasmEngine;
  })();
  return wasmPending;
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
function resolveEngineName(requested: 'wasm' | 'js' | 'auto'): EngineName {
  if (requested !== 'auto') return requested;
  return relaxedOk() || simdOk() ? 'wasm' : 'js';
}

export async function loadEngine(requested: 'wasm' | 'js' | 'auto'): Promise<Engine> {
  return resolveEngineName(requested) === 'wasm' ? wasmEngineAsync() : jsEngineSync();
}

export function loadEngineSync(requested: 'wasm' | 'js' | 'auto'): Engine {
  return resolveEngineName(requested) === 'wasm' ? wasmEngineSync() : jsEngineSync();
}
