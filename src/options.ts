// The public options of NN.create, NN.fromJSON and train, and their resolvers: defaults filled in,
// every field checked (through check.ts and model/architecture.ts) before any kernel runs.
import { boolean, checkKeys, isPlainObject, number, oneOf, rangeError, typeError } from './check.js';
import { checkArchitecture, resolveActivation, resolveInitScale, resolveLayers } from './model/architecture.js';
import {
  INITS,
  LOSSES,
  NORMALIZERS,
  OPTIMIZERS,
  type Activation,
  type LossName,
  type NetworkConfig,
  type NormalizeKind,
  type InitName,
  type OptimizerName,
  type ResolvedActivation,
} from './vocabulary.js';

export type EngineOption = 'wasm' | 'js' | 'auto';
/** Threads for the matrix products: a whole number, or 'auto' for the cores the platform reports. */
export type ThreadsOption = number | 'auto';

export interface NetworkOptions {
  /** layer sizes, input first; at least two */
  layers: readonly number[];
  /** hidden activation, or one per weight layer; default 'sigmoid' */
  activation?: Activation | readonly Activation[];
  /** activation of the last layer; default: softmax for cross-entropy, sigmoid for binary cross-entropy, else the hidden one */
  output?: Activation;
  /** default: 'cross-entropy' for a softmax output, else 'sse' */
  loss?: LossName;
  /** learned bias per neuron; default true */
  bias?: boolean;
  /** weight initialisation; default 'auto' (He for ReLU layers, Xavier otherwise) */
  init?: InitName;
  /** range r of 'uniform' (±r, default 0.5) or standard deviation of 'normal' (default 1) */
  initScale?: number;
  /** default 'auto' */
  engine?: EngineOption;
  /**
   * threads for the matrix products, 1 to 256, or 'auto' (the cores the platform reports); default 1.
   * Any count gives the same results, bit for bit. The 'js' engine runs on one.
   */
  threads?: ThreadsOption;
  /** seed of the network's generator (initialisation, shuffling); default: drawn at random and kept with the model (toJSON().seed) */
  seed?: number;
  /** input normaliser fitted on the first training data and saved with the model; default 'none' */
  normalize?: NormalizeKind;
}

export interface EpochInfo {
  /** epochs completed over the network's life, counting from 1 (the article's T) */
  epoch: number;
  /** loss over the whole training set with the weights after this epoch (the article's error) */
  loss: number;
  /** loss over the validation rows, or null without validation */
  validationLoss: number | null;
  /** fraction of training rows classified right, for the two cross-entropy losses (else null) */
  accuracy: number | null;
  validationAccuracy: number | null;
  /** the learning rate this epoch used (after the schedule) */
  learningRate: number;
  elapsedMs: number;
  samplesPerSecond: number;
  /** @deprecated the same as `loss` */
  error: number;
  /** @deprecated the same as `validationLoss` */
  validationError: number | null;
}

export interface BatchInfo {
  epoch: number;
  /** the batch's place within the epoch, from 0 */
  batchIndex: number;
  /** rows in this batch (batchSize, or fewer in the epoch's last batch) */
  rows: number;
  /** this batch's loss, as defined, before its update */
  loss: number;
  samplesPerSecond: number;
  /** @deprecated the same as `batchIndex` */
  batch: number;
}

export type Schedule = { type: 'step'; every: number; factor: number } | { type: 'exponential'; factor: number };

export interface EarlyStopping {
  /** epochs without improvement before stopping */
  patience: number;
  /** smallest decrease that counts as an improvement; default 0 */
  minDelta?: number;
  /** put back the best epoch's weights when stopping; default true */
  restoreBest?: boolean;
}

export interface TrainOptions {
  /** most epochs to run; default 10 */
  epochs?: number;
  /** rows per update: 1 is the article's sequential update, 'full' its code; default 32 */
  batchSize?: number | 'full';
  /** multiplies the gradient of the loss as defined; default 0.01 (0.001 for adam) */
  learningRate?: number;
  /** learning rate per epoch: 'step' multiplies by factor every `every` epochs, 'exponential' every epoch */
  schedule?: Schedule;
  /** default 'sgd' */
  optimizer?: OptimizerName;
  /** momentum coefficient of 'momentum' and 'nesterov' (0 allowed); default 0.9 */
  momentum?: number;
  /** Adam's β1, β2, ε; defaults 0.9, 0.999, 1e-8 */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 weight decay added to the gradient (decay·w); default 0 */
  weightDecay?: number;
  /** rescale the gradient to this global norm when it is longer; default 0 (off) */
  clipNorm?: number;
  /** reshuffle the rows every epoch from the network's generator; default true */
  shuffle?: boolean;
  /** stop once the epoch's loss is at or below this (the article's eps); default 0 (off) */
  errorThreshold?: number;
  /** hold out this last fraction of the rows (before shuffling) for validation; default 0 */
  validationSplit?: number;
  /** a separate validation set (instead of validationSplit) */
  validationData?: { inputs: unknown; targets: unknown };
  /** stop when the validation loss (else the training loss) stops improving */
  earlyStopping?: EarlyStopping;
  /** stop after the batch during which this many milliseconds have passed; default none */
  timeLimitMs?: number;
  /** aborting stops training after the current batch; train throws and trainAsync rejects with an AbortError */
  signal?: AbortSignal;
  /** a non-finite loss or weight: 'throw' a DivergenceError (default) or 'halve' the learning rate and retry the epoch */
  onDivergence?: 'throw' | 'halve';
  /** evaluate the final loss for the report (one forward pass over the training rows); false reports NaN unless something else evaluated it; default true */
  evaluate?: boolean;
  /** called after every epoch; returning false stops training */
  onEpoch?: (info: EpochInfo) => void | boolean;
  /** called after every batch (forces one call per batch); returning false stops training */
  onBatch?: (info: BatchInfo) => void | boolean;
}

export interface ResolvedTrainOptions {
  epochs: number;
  batchSize: number | 'full';
  learningRate: number;
  schedule: Schedule | null;
  optimizer: OptimizerName;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  clipNorm: number;
  shuffle: boolean;
  errorThreshold: number;
  validationSplit: number;
  validationData: { inputs: unknown; targets: unknown } | null;
  earlyStopping: Required<EarlyStopping> | null;
  timeLimitMs: number;
  signal: AbortSignal | null;
  onDivergence: 'throw' | 'halve';
  evaluate: boolean;
  onEpoch: ((info: EpochInfo) => void | boolean) | null;
  onBatch: ((info: BatchInfo) => void | boolean) | null;
}

const ENGINES: readonly EngineOption[] = ['wasm', 'js', 'auto'];

const NETWORK_KEYS = [
  'layers',
  'activation',
  'output',
  'loss',
  'bias',
  'init',
  'initScale',
  'engine',
  'threads',
  'seed',
  'normalize',
];

/** The most threads a network may ask for. */
export const MAX_THREADS = 256;

/** Where a network runs: its engine and its thread count, as asked (resolved against the runtime when it is built). */
export interface Placement {
  engine: EngineOption;
  threads: ThreadsOption;
}

function resolveThreads(value: unknown): ThreadsOption {
  if (value === undefined) return 1;
  if (value === 'auto') return 'auto';
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw rangeError('threads', `a whole number from 1 to ${MAX_THREADS}, or 'auto'`, value);
  }
  return value;
}

export function resolveNetworkOptions(options: unknown): { config: NetworkConfig } & Placement {
  if (!isPlainObject(options)) throw typeError('options', 'an object with at least { layers }', options);
  checkKeys('options', options, NETWORK_KEYS);
  const layers = resolveLayers(options.layers);
  const weightLayers = layers.length - 1;

  let activations: ResolvedActivation[];
  const act = options.activation;
  if (Array.isArray(act)) {
    if (act.length !== weightLayers) {
      throw rangeError(
        'activation',
        `one activation per weight layer (${weightLayers} for ${layers.length} layer sizes)`,
        act,
      );
    }
    activations = Array.from(act, (a: unknown, i) => resolveActivation(`activation[${i}]`, a)); // visits holes, unlike map
  } else {
    const one = resolveActivation('activation', act ?? 'sigmoid');
    activations = Array.from({ length: weightLayers }, () => ({ ...one }));
  }

  const explicitLoss = options.loss === undefined ? undefined : oneOf('loss', options.loss, LOSSES, 'sse');
  if (options.output !== undefined) {
    activations[weightLayers - 1] = resolveActivation('output', options.output);
  } else if (!Array.isArray(act)) {
    if (explicitLoss === 'cross-entropy') activations[weightLayers - 1] = resolveActivation('output', 'softmax');
    if (explicitLoss === 'binary-cross-entropy') activations[weightLayers - 1] = resolveActivation('output', 'sigmoid');
  }
  const outputName = activations[weightLayers - 1]!.name;
  const loss = explicitLoss ?? (outputName === 'softmax' ? 'cross-entropy' : 'sse');
  checkArchitecture(layers, activations, 'activation', 'output');

  const init = oneOf('init', options.init, INITS, 'auto');
  const initScale = resolveInitScale(init, options.initScale, '');
  const seed =
    options.seed === undefined
      ? Math.floor(Math.random() * 0x100000000)
      : number('seed', options.seed, 0, 0, 0xffffffff, { integer: true });
  return {
    config: {
      layers,
      activations,
      loss,
      bias: boolean('bias', options.bias, true),
      init,
      initScale,
      seed,
      normalize: oneOf('normalize', options.normalize, NORMALIZERS, 'none'),
    },
    engine: oneOf('engine', options.engine, ENGINES, 'auto'),
    threads: resolveThreads(options.threads),
  };
}

/** The options of toJSON and toBinary: whether to save the training state (the default). */
export function resolveSaveOptions(options: unknown): boolean {
  if (options === undefined) return true;
  if (!isPlainObject(options)) throw typeError('toJSON options', '{ training }', options);
  checkKeys('toJSON options', options, ['training']);
  return boolean('toJSON options.training', options.training, true);
}

/** Where a loaded network runs: the options of NN.fromJSON and NN.fromBinary. */
export interface LoadOptions {
  /** default 'auto' */
  engine?: EngineOption;
  /** threads for the matrix products, as in NN.create; default 1 */
  threads?: ThreadsOption;
}

/** The options of NN.fromJSON and NN.fromBinary: `engine` and `threads`. */
export function resolveLoadOptions(options: unknown): Placement {
  if (!isPlainObject(options)) throw typeError('options', '{ engine, threads }', options);
  checkKeys('options', options, ['engine', 'threads']);
  return { engine: oneOf('engine', options.engine, ENGINES, 'auto'), threads: resolveThreads(options.threads) };
}

const TRAIN_KEYS = [
  'epochs',
  'batchSize',
  'learningRate',
  'schedule',
  'optimizer',
  'momentum',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
  'clipNorm',
  'shuffle',
  'errorThreshold',
  'validationSplit',
  'validationData',
  'earlyStopping',
  'timeLimitMs',
  'signal',
  'onDivergence',
  'evaluate',
  'onEpoch',
  'onBatch',
];

function callback<T>(field: string, value: unknown): T | null {
  if (value === undefined) return null;
  if (typeof value !== 'function') throw typeError(field, 'a function', value);
  return value as T;
}

function resolveSchedule(value: unknown): Schedule | null {
  if (value === undefined) return null;
  if (!isPlainObject(value))
    throw typeError('schedule', "{ type: 'step', every, factor } or { type: 'exponential', factor }", value);
  const type = oneOf('schedule.type', value.type, ['step', 'exponential'] as const, 'step');
  if (value.type === undefined) throw typeError('schedule.type', "'step' or 'exponential'", undefined);
  if (type === 'step') {
    checkKeys('schedule', value, ['type', 'every', 'factor']);
    if (value.every === undefined) throw typeError('schedule.every', 'a positive integer', undefined);
    return {
      type,
      every: number('schedule.every', value.every, 1, 1, 1e9, { integer: true }),
      factor: number('schedule.factor', value.factor, 0.5, 0, 1e6, { exclusiveMin: true }),
    };
  }
  checkKeys('schedule', value, ['type', 'factor']);
  if (value.factor === undefined) throw typeError('schedule.factor', 'a positive number', undefined);
  return { type, factor: number('schedule.factor', value.factor, 1, 0, 1e6, { exclusiveMin: true }) };
}

function resolveEarlyStopping(value: unknown): Required<EarlyStopping> | null {
  if (value === undefined) return null;
  if (!isPlainObject(value)) throw typeError('earlyStopping', '{ patience, minDelta, restoreBest }', value);
  checkKeys('earlyStopping', value, ['patience', 'minDelta', 'restoreBest']);
  if (value.patience === undefined) throw typeError('earlyStopping.patience', 'a positive integer', undefined);
  return {
    patience: number('earlyStopping.patience', value.patience, 1, 1, 1e9, { integer: true }),
    minDelta: number('earlyStopping.minDelta', value.minDelta, 0, 0, Infinity),
    restoreBest: boolean('earlyStopping.restoreBest', value.restoreBest, true),
  };
}

function resolveValidationData(value: unknown): { inputs: unknown; targets: unknown } | null {
  if (value === undefined) return null;
  if (!isPlainObject(value)) throw typeError('validationData', '{ inputs, targets }', value);
  checkKeys('validationData', value, ['inputs', 'targets']);
  return { inputs: value.inputs, targets: value.targets };
}

export function resolveTrainOptions(options: unknown): ResolvedTrainOptions {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) throw typeError('train options', 'an object', options);
  checkKeys('train options', options, TRAIN_KEYS);
  const optimizer = oneOf('optimizer', options.optimizer, OPTIMIZERS, 'sgd');
  let batchSize: number | 'full';
  if (options.batchSize === 'full') batchSize = 'full';
  else if (typeof options.batchSize === 'string')
    throw rangeError('batchSize', "a positive integer or 'full'", options.batchSize);
  else batchSize = number('batchSize', options.batchSize, 32, 1, 1 << 24, { integer: true });
  const signal = options.signal;
  if (
    signal !== undefined &&
    (signal === null || typeof signal !== 'object' || typeof (signal as AbortSignal).aborted !== 'boolean')
  ) {
    throw typeError('signal', 'an AbortSignal', signal);
  }
  if (options.validationSplit !== undefined && options.validationData !== undefined) {
    throw new TypeError('validationSplit and validationData: give one or the other, not both');
  }
  return {
    epochs: number('epochs', options.epochs, 10, 1, 1e9, { integer: true }),
    batchSize,
    learningRate: number('learningRate', options.learningRate, optimizer === 'adam' ? 0.001 : 0.01, 0, 1e6, {
      exclusiveMin: true,
    }),
    schedule: resolveSchedule(options.schedule),
    optimizer,
    momentum: number('momentum', options.momentum, 0.9, 0, 1),
    beta1: number('beta1', options.beta1, 0.9, 0, 0.999999),
    beta2: number('beta2', options.beta2, 0.999, 0, 0.999999),
    epsilon: number('epsilon', options.epsilon, 1e-8, 0, 1, { exclusiveMin: true }),
    weightDecay: number('weightDecay', options.weightDecay, 0, 0, 1e6),
    clipNorm: number('clipNorm', options.clipNorm, 0, 0, 1e12),
    shuffle: boolean('shuffle', options.shuffle, true),
    errorThreshold: number('errorThreshold', options.errorThreshold, 0, 0, Infinity),
    validationSplit: number('validationSplit', options.validationSplit, 0, 0, 0.99),
    validationData: resolveValidationData(options.validationData),
    earlyStopping: resolveEarlyStopping(options.earlyStopping),
    timeLimitMs: number('timeLimitMs', options.timeLimitMs, 0, 0, Infinity, { exclusiveMin: true }),
    signal: (signal as AbortSignal | undefined) ?? null,
    onDivergence: oneOf('onDivergence', options.onDivergence, ['throw', 'halve'] as const, 'throw'),
    evaluate: boolean('evaluate', options.evaluate, true),
    onEpoch: callback('onEpoch', options.onEpoch),
    onBatch: callback('onBatch', options.onBatch),
  };
}
