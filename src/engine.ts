// Engines: the Wasm module (relaxed-SIMD build where it validates, else plain SIMD) or the 'js'
// twin. Each engine is created once per process; all its networks share its linear memory.
import simdBytes from '../build/simd.wasm';
import relaxedBytes from '../build/relaxed.wasm';
import { Heap, createLinearMemory, type LinearMemory } from './heap.js';
import { createJsKernels } from './js/index.js';

/** Every kernel of the Wasm ABI (assembly/index.ts); src/js/ implements the same list. */
export interface Kernels {
  matmul(xPtr: number, wPtr: number, bPtr: number, yPtr: number, m: number, k: number, n: number): void;
  matmulTransB(dPtr: number, wPtr: number, yPtr: number, m: number, n: number, k: number, scratchPtr: number): void;
  matmulTransA(xPtr: number, dPtr: number, gPtr: number, m: number, k: number, n: number, accumulate: number): void;
  columnSums(dPtr: number, bPtr: number, m: number, n: number): void;
  activate(kind: number, p0: number, p1: number, yPtr: number, rows: number, cols: number): void;
  activationGrad(kind: number, p0: number, yPtr: number, dPtr: number, count: number): void;
  vexp(xPtr: number, yPtr: number, count: number): void;
  lossSum(loss: number, yPtr: number, tPtr: number, rows: number, cols: number): number;
  outputDelta(loss: number, act: number, p0: number, yPtr: number, tPtr: number, dPtr: number, rows: number, cols: number): void;
  applyUpdate(opt: number, wPtr: number, gPtr: number, s1Ptr: number, s2Ptr: number, count: number,
    lr: number, beta1: number, beta2: number, epsilon: number, decay: number, gradScale: number, c1: number, c2: number): void;
  sumSquares(gPtr: number, count: number): number;
  forward(net: number, xPtr: number, rows: number): void;
  backward(net: number, tPtr: number, rows: number): void;
  update(net: number): void;
  gatherRows(srcPtr: number, orderPtr: number, start: number, count: number, rowLen: number, dstPtr: number): void;
  trainEpoch(net: number, xPtr: number, tPtr: number, orderPtr: number, rows: number, batch: number): void;
  smallEpochFits(descriptorPtr: number, batch: number): number;
  trainSmallEpoch(descriptorPtr: number, xPtr: number, tPtr: number, orderPtr: number, rows: number, batch: number): void;
}

/** The names in Kernels, for tests that walk both engines through the same list. */
export const KERNEL_NAMES = [
  'matmul', 'matmulTransB', 'matmulTransA', 'columnSums', 'activate', 'activationGrad', 'vexp', 'lossSum',
  'outputDelta', 'applyUpdate', 'sumSquares', 'forward', 'backward', 'update', 'gatherRows', 'trainEpoch',
  'smallEpochFits', 'trainSmallEpoch',
] as const satisfies readonly (keyof Kernels)[];

export interface WasmExports extends Kernels {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  readonly HEADER_WORDS: WebAssembly.Global;
  readonly LAYER_WORDS: WebAssembly.Global;
  readonly H_CAPACITY: WebAssembly.Global;
  readonly L_D: WebAssembly.Global;
}

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

const imports = {
  env: {
    // only the debug build imports abort (its assertions); release builds run with --noAssert
    abort(_msg: number, _file: number, line: number, column: number): never {
      throw new Error(`simdnet: Wasm assertion failed at ${line}:${column}`);
    },
  },
};

function wasmBytes(): Uint8Array<ArrayBuffer> {
  if (relaxedOk()) return relaxedBytes;
  if (simdOk()) return simdBytes;
  throw new TypeError("simdnet: engine 'wasm' needs WebAssembly SIMD, which this runtime lacks; use engine: 'js' or 'auto'");
}

function makeWasmEngine(instance: WebAssembly.Instance, build: BuildName): Engine {
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
    k.activate(1, 1, 0, c, n, n);
    k.activationGrad(1, 1, c, a, n * n);
  }
  for (const p of [a, b, c, s]) heap.release(p);
}

function buildOf(bytes: Uint8Array): BuildName { return bytes === relaxedBytes ? 'relaxed-simd' : 'simd'; }

export function wasmEngineSync(): Engine {
  if (!wasmEngine) {
    const bytes = wasmBytes();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
    wasmEngine = makeWasmEngine(instance, buildOf(bytes));
  }
  return wasmEngine;
}

export async function wasmEngineAsync(): Promise<Engine> {
  if (wasmEngine) return wasmEngine;
  wasmPending ??= (async () => {
    const bytes = wasmBytes();
    const { instance } = await WebAssembly.instantiate(bytes, imports);
    wasmEngine ??= makeWasmEngine(instance, buildOf(bytes));
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
export function resolveEngineName(requested: 'wasm' | 'js' | 'auto'): EngineName {
  if (requested !== 'auto') return requested;
  return relaxedOk() || simdOk() ? 'wasm' : 'js';
}

export async function loadEngine(requested: 'wasm' | 'js' | 'auto'): Promise<Engine> {
  return resolveEngineName(requested) === 'wasm' ? wasmEngineAsync() : jsEngineSync();
}

export function loadEngineSync(requested: 'wasm' | 'js' | 'auto'): Engine {
  return resolveEngineName(requested) === 'wasm' ? wasmEngineSync() : jsEngineSync();
}
