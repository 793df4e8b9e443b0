/** Shared shapes for the benchmark harness. */
import type { GemmForm, Hidden, Output } from './baseline.js';

export type { GemmForm, Hidden, Output };

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
 * Seconds for one call of the given GEMM form at (m, k, n); see gemmBaseline
 * in baseline.ts for the exact shapes. The provider owns its buffers.
 */
export type GemmHook = (form: GemmForm, m: number, k: number, n: number) => number;

/**
 * One engine under test. An adapter holds at most one network at a time:
 * init() builds it (and replaces any previous one), dispose() frees it.
 */
export interface Adapter {
  /** Row label in the tables. */
  readonly name: string;
  /** How this engine's workload differs from the baseline's (printed under the table). */
  readonly note?: string;
  /** A few words of `note` shown in the note column of training rows. */
  readonly shortNote?: string;
  /** Starts from NetOptions.initial when given (so its results can be compared with lean's). */
  readonly takesInitialWeights?: boolean;
  /** Called untimed before every timed round (e.g. tfjs switches its global backend here). */
  activate?(): Promise<void>;
  init(layers: number[], opts: NetOptions): Promise<void>;
  /** One in-order pass over `rows` rows, plain SGD, a step per `batch` rows. */
  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void;
  /** `rows` rows in (rows*inputs), rows*outputs out. */
  predict(x: Float32Array, rows: number): Float32Array;
  dispose(): void;
  gemm?: GemmHook;
}

/** A peer that loaded (or a note saying why not). */
export interface PeerLoad {
  adapters: Adapter[];
  notes: string[];
}
