/** Shared shapes for the benchmark harness (imports nothing, so every bench module may import it). */

export type Hidden = 'relu' | 'sigmoid' | 'tanh';
export type Output = 'softmax' | 'sigmoid' | 'tanh';
/** The three products of backpropagation: A·W (forward), Δ·Wᵀ (error terms back), Aᵀ·Δ (weight gradient). */
export type GemmForm = 'AW' | 'DWt' | 'AtD';

export interface NetOptions {
  hidden: Hidden;
  output: Output;
  seed: number;
  /** sigmoid gain and threshold, the article's α and θ (default 1 and 0) */
  gain?: number;
  threshold?: number;
  /** learned biases (default true) */
  bias?: boolean;
  /** initial weights (fanIn × fanOut row-major per layer) for the engines that can take them */
  initial?: { weights: Float32Array[]; biases: (Float32Array | null)[] };
}

/**
 * Seconds for one call of the given GEMM form at (m, k, n); see gemmTextbook
 * in textbook.ts for the exact shapes. The provider owns its buffers.
 */
export type GemmHook = (form: GemmForm, m: number, k: number, n: number) => number;

/** The SIMD form a GEMM runs, and so the ceiling (bench/ceiling.ts) its GFLOPS are a share of. */
export type CeilingForm = 'mul+add' | 'fma';

/** Anything that takes part in interleaved rounds (measure.ts). */
export interface Runner {
  /** Row label in the tables. */
  readonly name: string;
  /** Threads it computes on (default 1); rounds of a runner on several threads are timed by the wall clock. */
  readonly threads?: number;
  /** Called untimed before every timed round (e.g. tfjs switches its global backend here). */
  activate?(): Promise<void>;
}

/** A runner of the GEMM rows only: a ceiling probe, or a second Wasm build of simdnet. */
export interface GemmRunner extends Runner {
  gemm: GemmHook;
  readonly ceiling?: CeilingForm;
}

/**
 * One engine under test. An adapter holds at most one network at a time:
 * init() builds it (and replaces any previous one), dispose() frees it.
 */
export interface Adapter extends Runner {
  /** How this engine's workload differs from the textbook MLP's (printed under the table). */
  readonly note?: string;
  /** A few words of `note` shown in the note column of training rows. */
  readonly shortNote?: string;
  /** Starts from NetOptions.initial when given (so its results can be compared with lean's). */
  readonly takesInitialWeights?: boolean;
  init(layers: number[], opts: NetOptions): Promise<void>;
  /** One in-order pass over `rows` rows, plain SGD, a step per `batch` rows. */
  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void;
  /** `rows` rows in (rows*inputs), rows*outputs out. */
  predict(x: Float32Array, rows: number): Float32Array;
  dispose(): void;
  gemm?: GemmHook;
  /** the ceiling its GEMM rows are compared with (simdnet's Wasm engines) */
  readonly ceiling?: CeilingForm;
}

/** A peer that loaded (or a note saying why not). */
export interface PeerLoad {
  adapters: Adapter[];
  notes: string[];
}
