// Where a network runs, decided in one place: from the engine and threads asked for and the layer
// sizes, the engine ('wasm' or the 'js' twin), the build (relaxed SIMD, plain SIMD, or 'js') and
// the threads its products use in effect. The façade asks resolvePlacement and builds the network
// on engineFor's engine (engine.ts) with that thread count; nothing else decides any of the three.
import simdBytes from '../../build/simd.wasm';
import relaxedBytes from '../../build/relaxed.wasm';
import { SHARED } from '../abi/contract.js';
import type { EngineOption, ThreadsOption } from '../options.js';
import { hardwareThreads } from './threads.js';
import { unshared } from './wasm-bytes.js';
import { workersAvailable } from './workers.js';

export type EngineName = 'wasm' | 'js';
export type BuildName = 'relaxed-simd' | 'simd' | 'js';

/** Where a network runs, as resolved against this runtime and the network's size. */
export interface ResolvedPlacement {
  readonly engine: EngineName;
  readonly build: BuildName;
  /** threads its products use: more than 1 only where threads are possible and a layer is worth sharing */
  readonly threads: number;
}

// What this runtime can do is probed once per process: the answers cannot change.
let builds: { relaxed: boolean; simd: boolean } | undefined;
let threads: boolean | undefined;

function validBuilds(): { relaxed: boolean; simd: boolean } {
  const has = typeof WebAssembly !== 'undefined' && typeof WebAssembly.validate === 'function';
  builds ??= {
    relaxed: has && WebAssembly.validate(unshared(relaxedBytes)),
    simd: has && WebAssembly.validate(unshared(simdBytes)),
  };
  return builds;
}

/** The Wasm build this runtime runs best (relaxed SIMD where it validates), or null where none validates. */
function wasmBuild(): 'relaxed-simd' | 'simd' | null {
  const valid = validBuilds();
  return valid.relaxed ? 'relaxed-simd' : valid.simd ? 'simd' : null;
}

/** wasmBuild, or a TypeError that says what `engine: 'wasm'` needs. */
export function requiredWasmBuild(): 'relaxed-simd' | 'simd' {
  const build = wasmBuild();
  if (build) return build;
  throw new TypeError(
    "simdnet: engine 'wasm' needs WebAssembly SIMD, which this runtime lacks; use engine: 'js' or 'auto'",
  );
}

/** Which builds this runtime accepts, and which one `engine: 'wasm'` and `'auto'` would use. */
export function availableEngines(): { available: BuildName[]; selected: BuildName } {
  const valid = validBuilds();
  const available: BuildName[] = [];
  if (valid.relaxed) available.push('relaxed-simd');
  if (valid.simd) available.push('simd');
  available.push('js');
  return { available, selected: available[0]! };
}

/**
 * Whether this runtime can run helper threads: a WebAssembly.Memory shared between workers (Node
 * can; a browser page only when cross-origin isolated, with COOP same-origin and COEP
 * require-corp, and its workers alike), and workers to share it with.
 */
export function threadsPossible(): boolean {
  threads ??= sharedMemoryAvailable() && workersAvailable();
  return threads;
}

function sharedMemoryAvailable(): boolean {
  if (typeof WebAssembly === 'undefined' || typeof SharedArrayBuffer !== 'function') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * A layer with fewer weights than this reaches MIN_PARALLEL_MACS multiply-adds (the smallest
 * product parallel.ts shares) only in batches of more than SHARING_MIN_ROWS rows, where sharing
 * gains little; a network made only of such layers stays on the one-thread engine whatever
 * `threads` says, since V8 runs Wasm faster on an unshared memory (measured: bench/RESULTS.md).
 */
const SHARING_MIN_ROWS = 16;
const SHARED_LAYER_WEIGHTS = SHARED.MIN_PARALLEL_MACS / SHARING_MIN_ROWS;

const someLayerWorthSharing = (layers: readonly number[]): boolean =>
  layers.some((size, l) => l > 0 && size * layers[l - 1]! >= SHARED_LAYER_WEIGHTS);

/**
 * The engine, build and threads of a network of `layers` for the `engine` and `threads` options:
 * 'auto' is the Wasm engine where a build validates, else 'js'; threads 'auto' is the cores the
 * platform reports where threads are possible, else 1; more than 1 where they are not (a page that
 * is not cross-origin isolated) is an error that says what a page needs. The 'js' engine, and a
 * network with no layer worth sharing, runs on one thread.
 */
export function resolvePlacement(
  requested: { engine: EngineOption; threads: ThreadsOption },
  layers: readonly number[],
): ResolvedPlacement {
  const build = requested.engine === 'js' ? null : requested.engine === 'wasm' ? requiredWasmBuild() : wasmBuild();
  if (!build) return { engine: 'js', build: 'js', threads: 1 };
  const possible = threadsPossible();
  if (requested.threads !== 'auto' && requested.threads > 1 && !possible) {
    throw new Error(
      `simdnet: threads: ${requested.threads} needs WebAssembly memory shared between workers, which this runtime does not ` +
        "allow; a page must be cross-origin isolated, served with the headers 'Cross-Origin-Opener-Policy: same-origin' and " +
        "'Cross-Origin-Embedder-Policy: require-corp' (threads: 'auto' falls back to 1 where it is not)",
    );
  }
  const count = requested.threads === 'auto' ? (possible ? hardwareThreads() : 1) : requested.threads;
  return { engine: 'wasm', build, threads: count > 1 && someLayerWorthSharing(layers) ? count : 1 };
}
