// Engines: the Wasm module (relaxed-SIMD build where it validates, else plain SIMD) or the 'js'
// twin. Each engine is created once per process; all its networks share its linear memory.
import simdBytes from '../../build/simd.wasm';
import relaxedBytes from '../../build/relaxed.wasm';
import type { Kernels, WasmExports } from './abi.js';
import { Heap, createLinearMemory, type LinearMemory } from './heap.js';
import { ACT } from './layout.js';
import { createJsKernels } from '../js/index.js';

export type EngineName = 'wasm' | 'js';
export type BuildName = 'relaxed-simd' | 'simd' | 'js';

export interface Engine {
  readonly name: EngineName;
  readonly build: BuildName;
  readonly heap: Heap;
  readonly kernels: Kernels;
}

// validated once per process: the answer can't change, and validating a 36 KB module isn't free
let validated: { relaxed: boolean; simd: boolean } | undefined;
function validate(): { relaxed: boolean; simd: boolean } {
  const has = typeof WebAssembly !== 'undefined' && typeof WebAssembly.validate === 'function';
  validated ??= { relaxed: has && WebAssembly.validate(relaxedBytes), simd: has && WebAssembly.validate(simdBytes) };
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

/**
 * The engine of one instance of a build: its memory under a Heap, its exports as the kernels.
 * The release builds import nothing; the tests make a debug engine here from build/debug.wasm.
 */
export function wasmEngineOf(instance: WebAssembly.Instance, build: BuildName): Engine {
  const exports = instance.exports as unknown as WasmExports;
  const heap = new Heap(exports.memory, exports.heapBase());
  warmUp(heap, exports);
  return { name: 'wasm', build, heap, kernels: exports };
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
    wasmEngine = wasmEngineOf(new WebAssembly.Instance(new WebAssembly.Module(bytes)), buildOf(bytes));
  }
  return wasmEngine;
}

async function wasmEngineAsync(): Promise<Engine> {
  if (wasmEngine) return wasmEngine;
  wasmPending ??= (async () => {
    const bytes = wasmBytes();
    const { instance } = await WebAssembly.instantiate(bytes);
    wasmEngine ??= wasmEngineOf(instance, buildOf(bytes));
    return wasmEngine;
  })();
  return wasmPending;
}

export function jsEngineSync(): Engine {
  if (!jsEngine) {
    const memory: LinearMemory = createLinearMemory(1 << 16);
    const heap = new Heap(memory, 16);
    jsEngine = { name: 'js', build: 'js', heap, kernels: createJsKernels(heap) };
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
