// The one table of defaults: what NN.create and train use for every option not given, and the
// presets that replace some of them. The command line reads the same table. The library's
// defaults come from measurement (relu, Glorot-uniform weights, Adam at 0.001 in batches of 32
// with weight decay 0.003, up to 200 epochs with a plateau stop, z-scored inputs and standardized
// regression targets held scikit-learn's accuracy on every reference data set and seed tried);
// the article preset is the seed article's network, bit for bit.
import type { ActivationSpec, InitName, LossName, OptimizerName } from './vocabulary.js';

/** Where the output layer and the loss come from when neither is given. */
export type Auto = 'auto';

/** NN.create's defaults. */
export interface NetworkDefaults {
  /** hidden activation */
  activation: ActivationSpec;
  /** 'auto': chosen from the targets at the first train; 'as-hidden': the hidden activation (the article's) */
  output: ActivationSpec | Auto | 'as-hidden';
  /** 'auto': follows the output (chosen from the targets, or given) */
  loss: LossName | Auto;
  bias: boolean;
  init: InitName;
  /** 'auto': z-scored inputs and standardized regression targets, fitted at the first train of a new network */
  normalize: 'auto' | 'none' | 'minmax' | 'zscore';
  engine: 'auto';
  threads: number;
}

/** The plateau stop: no improvement of the monitored loss by minDelta for `patience` epochs. */
export interface StopDefaults {
  patience: number;
  minDelta: number;
  restoreBest: boolean;
}

/** train's defaults. */
export interface TrainDefaults {
  /** the most epochs; an explicit `epochs` without a stop rule trains exactly that many */
  epochs: number;
  /** the stop rule when neither `epochs` nor `earlyStopping` is given (null: none) */
  earlyStopping: StopDefaults | null;
  batchSize: number | 'full';
  optimizer: OptimizerName;
  /** per optimizer */
  learningRate: Readonly<Record<OptimizerName, number>>;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  clipNorm: number;
  shuffle: boolean;
  errorThreshold: number;
  validationSplit: number;
  onDivergence: 'throw' | 'halve';
  evaluate: boolean;
}

export interface Defaults {
  network: Readonly<NetworkDefaults>;
  train: Readonly<TrainDefaults>;
}

/** The library's defaults: `network` for NN.create, `train` for train, trainAsync and trainInWorker. */
export const DEFAULTS: Readonly<Defaults> = {
  network: {
    activation: { name: 'relu' },
    output: 'auto',
    loss: 'auto',
    bias: true,
    init: 'xavier',
    normalize: 'auto',
    engine: 'auto',
    threads: 1,
  },
  train: {
    epochs: 200,
    earlyStopping: { patience: 10, minDelta: 1e-4, restoreBest: true },
    batchSize: 32,
    optimizer: 'adam',
    learningRate: { adam: 0.001, sgd: 0.01, momentum: 0.01, nesterov: 0.01 },
    momentum: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0.003,
    clipNorm: 0,
    shuffle: true,
    errorThreshold: 0,
    validationSplit: 0,
    onDivergence: 'throw',
    evaluate: true,
  },
};

/** The presets NN.create accepts. */
export type PresetName = 'article';
/** What each preset changes in DEFAULTS (the rest stays the library's). */
export const PRESETS: Readonly<
  Record<PresetName, { network: Partial<NetworkDefaults>; train: Partial<TrainDefaults> }>
> = {
  /**
   * The seed article: sigmoid with gain α = 0.04 and threshold θ = 0.1 on every layer, the summed
   * squared error, no bias, randn weights, raw inputs; plain gradient descent at μ = 0.01 over
   * all rows at once without shuffling (its code; batchSize 1 is its text's sequential rule),
   * until the error is at most eps = 1e-5 or 1000 epochs have run.
   */
  article: {
    network: {
      activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 },
      output: 'as-hidden',
      loss: 'sse',
      bias: false,
      init: 'normal',
      normalize: 'none',
    },
    train: {
      epochs: 1000,
      earlyStopping: null,
      errorThreshold: 1e-5,
      batchSize: 'full',
      shuffle: false,
      optimizer: 'sgd',
      weightDecay: 0,
    },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The defaults of a preset (or the library's). */
export function defaultsOf(preset: PresetName | null): Defaults {
  if (!preset) return DEFAULTS;
  const p = PRESETS[preset];
  return { network: { ...DEFAULTS.network, ...p.network }, train: { ...DEFAULTS.train, ...p.train } };
}
