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
/** NN.create's `normalize`: a kind, or 'auto' (z-scored inputs and standardized regression targets, fitted at the first train) */
export type NormalizeOption = NormalizeKind | 'auto';

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

// ---- the shapes of data the public API accepts -------------------------------------------------

/** One row of numbers: a number[] or a typed array (a Float32Array of finite values is read without a copy). */
export type Row = ArrayLike<number>;

/**
 * A row of named inputs, `{ age: 41, income: 52000 }`: the keys are the feature names. The first
 * training rows fix the names and their order (kept with the model); later rows are read by name.
 */
export type NamedRow = { readonly [feature: string]: number };

/**
 * Input rows: an array of rows (`number[][]`, `Float32Array[]`), one flat row-major array whose
 * length is a multiple of the input size (`Float32Array` or `number[]`), or an array of named rows.
 */
export type Rows = readonly Row[] | Row | readonly NamedRow[];

/** A class label: a string, or a number (an integer from 0 for the output of that index, or any value). */
export type Label = string | number;

/**
 * Targets, one per input row: rows like the inputs' (one-hot rows or one 0/1 column for classes,
 * values for regression), one flat row-major array, or class labels (`string[]` or integer
 * `number[]`, one per row; with one output, numbers are values and strings are labels).
 */
export type Targets = readonly Row[] | Row | readonly Label[];

/** brain.js's training sample, `{ input: [0, 1], output: [1] }`; `input` may be a named row and `output` a label. */
export interface Sample {
  input: Row | NamedRow;
  output: Row | Label;
}

/** Separate validation data: inputs and targets, or samples. */
export type ValidationData = { inputs: Rows; targets: Targets } | readonly Sample[];

/** What net.evaluate measures on a classifier (a cross-entropy loss). */
export interface ClassifierMetrics {
  /** the loss as trained, over every row */
  loss: number;
  /** fraction of rows whose predicted class is the target's */
  accuracy: number;
}

/** What net.evaluate measures on a regression model, in the targets' units. */
export interface RegressionMetrics {
  /** the loss as trained (on the standardized targets when the model standardizes them) */
  loss: number;
  /** root mean squared error over every output value, in the targets' units */
  rmse: number;
  /** mean absolute error, in the targets' units */
  mae: number;
  /** coefficient of determination, averaged over the outputs (1 is perfect, 0 predicts the mean) */
  r2: number;
}

/** What net.evaluate measures: a classifier's loss and accuracy, or a regression model's loss, rmse, mae and r2. */
export type Evaluation =
  | (ClassifierMetrics & { rmse?: undefined; mae?: undefined; r2?: undefined })
  | (RegressionMetrics & { accuracy?: undefined });
