// The words of simdnet's domain, which every level shares: the names of activations, losses,
// initialisers, optimizers and normalisers, and a network's architecture in normal form. Types and
// lists only; the rules that check them are in model/architecture.ts.

export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'linear' | 'softmax';
export interface ActivationSpec {
  name: ActivationName;
  /** sigmoid gain α in 1/(1+exp(−α(s−θ))); default 1 */
  gain?: number;
  /** sigmoid threshold θ; default 0 */
  threshold?: number;
  /** leaky-ReLU slope for s < 0; default 0.01 */
  slope?: number;
}
export type Activation = ActivationName | ActivationSpec;
export type LossName = 'sse' | 'mse' | 'binary-cross-entropy' | 'cross-entropy';
export type InitName = 'auto' | 'xavier' | 'he' | 'uniform' | 'normal';
export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adam';
export type NormalizeKind = 'none' | 'minmax' | 'zscore';

export const ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'];
export const LOSSES: readonly LossName[] = ['sse', 'mse', 'binary-cross-entropy', 'cross-entropy'];
export const INITS: readonly InitName[] = ['auto', 'xavier', 'he', 'uniform', 'normal'];
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adam'];
export const NORMALIZERS: readonly NormalizeKind[] = ['none', 'minmax', 'zscore'];

/** The largest layer size accepted (a 2^24-wide layer already needs 64 MiB per row). */
export const MAX_LAYER_SIZE = 1 << 24;

export interface ResolvedActivation {
  name: ActivationName;
  gain: number;
  threshold: number;
  slope: number;
}

/** A network's architecture in normal form: what every model format stores and the runtime lays out. */
export interface NetworkConfig {
  layers: number[];
  activations: ResolvedActivation[];
  loss: LossName;
  bias: boolean;
  init: InitName;
  initScale: number | null;
  seed: number;
  normalize: NormalizeKind;
}

/** The two cross-entropy losses: classification, where accuracy is measured. */
export const classifies = (loss: LossName): boolean => loss === 'cross-entropy' || loss === 'binary-cross-entropy';
