// The options of train, trainAsync and trainInWorker, the callbacks' records and the report's
// history, and their resolver: defaults filled in from the network's table (defaults.ts: the
// library's, or its preset's), every field checked before any kernel runs.
import { boolean, checkKeys, isPlainObject, number, oneOf, rangeError, typeError } from './check.js';
import { defaultsOf, type PresetName, type TrainDefaults } from './defaults.js';
import { samplesToData } from './model/rows.js';
import { OPTIMIZERS, type OptimizerName, type Rows, type Targets, type ValidationData } from './vocabulary.js';

export interface EpochInfo {
  /** epochs completed over the network's life, counting from 1 (the article's T) */
  epoch: number;
  /** loss over the whole training set with the weights after this epoch (the article's error) */
  loss: number;
  /** loss over the validation rows, or null without validation */
  validationLoss: number | null;
  /** fraction of training rows classified right, for the two cross-entropy losses (else null) */
  accuracy: number | null;
  /** the same over the validation rows, or null */
  validationAccuracy: number | null;
  /** the learning rate this epoch used (after the schedule) */
  learningRate: number;
  /** milliseconds since this train() call started */
  elapsedMs: number;
  /** training rows processed per second in this call so far */
  samplesPerSecond: number;
  /** @deprecated the same as `loss` */
  error: number;
  /** @deprecated the same as `validationLoss` */
  validationError: number | null;
}

export interface BatchInfo {
  /** the epoch this batch belongs to, counted over the network's life from 1 */
  epoch: number;
  /** the batch's place within the epoch, from 0 */
  batchIndex: number;
  /** rows in this batch (batchSize, or fewer in the epoch's last batch) */
  rows: number;
  /** this batch's loss, as defined, before its update */
  loss: number;
  /** training rows processed per second in this call so far */
  samplesPerSecond: number;
  /** @deprecated the same as `batchIndex` */
  batch: number;
}

/** The learning rate per epoch: 'step' multiplies it by `factor` every `every` epochs, 'exponential' every epoch. */
export type Schedule = { type: 'step'; every: number; factor: number } | { type: 'exponential'; factor: number };

/** One epoch of a training run, as the report's history keeps it. */
export interface EpochRecord {
  /** epochs completed over the network's life, counting from 1 (the article's T) */
  epoch: number;
  /** loss over the training rows with the weights after this epoch; null where not measured (evaluate: false) */
  loss: number | null;
  /** loss over the validation rows; null without validation or where not measured */
  validationLoss: number | null;
  /** fraction of training rows classified right, for the two cross-entropy losses (else null) */
  accuracy: number | null;
  /** the same over the validation rows, or null */
  validationAccuracy: number | null;
  /** the learning rate this epoch used (after the schedule and any halving) */
  learningRate: number;
  /** milliseconds this epoch took, its measurement included */
  ms: number;
}

export interface EarlyStopping {
  /** epochs without improvement before stopping */
  patience: number;
  /** smallest decrease that counts as an improvement; default 0 */
  minDelta?: number;
  /** put back the best epoch's weights when stopping; default true */
  restoreBest?: boolean;
}

export interface TrainOptions {
  /**
   * most epochs to run; default 200 with the plateau stop (see earlyStopping). Given without a
   * stop rule, exactly that many. The article preset: 1000, or until errorThreshold 1e-5
   */
  epochs?: number;
  /** rows per update: 1 is the article's sequential update, 'full' its code; default 32 ('full' for the article preset) */
  batchSize?: number | 'full';
  /** multiplies the gradient of the loss as defined; default 0.001 for adam, 0.01 for the others */
  learningRate?: number;
  /** learning rate per epoch: 'step' multiplies by factor every `every` epochs, 'exponential' every epoch; default none */
  schedule?: Schedule;
  /** default 'adam' ('sgd' for the article preset) */
  optimizer?: OptimizerName;
  /** momentum coefficient of 'momentum' and 'nesterov' (0 allowed); default 0.9 */
  momentum?: number;
  /** Adam's β1; default 0.9 */
  beta1?: number;
  /** Adam's β2; default 0.999 */
  beta2?: number;
  /** Adam's ε; default 1e-8 */
  epsilon?: number;
  /** L2 weight decay added to the gradient (decay·w); default 0.003 (0 for the article preset) */
  weightDecay?: number;
  /** rescale the gradient to this global norm when it is longer; default 0 (off) */
  clipNorm?: number;
  /** reshuffle the rows every epoch from the network's generator; default true (false for the article preset) */
  shuffle?: boolean;
  /** stop once the epoch's loss is at or below this (the article's eps); default 0 (off; 1e-5 for the article preset) */
  errorThreshold?: number;
  /** hold out this last fraction of the rows (before shuffling) for validation; default 0 */
  validationSplit?: number;
  /** a separate validation set (instead of validationSplit): { inputs, targets } or samples; default none */
  validationData?: ValidationData;
  /**
   * stop when the validation loss (else the training loss) stops improving; false: never. Default,
   * when `epochs` is not given either: { patience: 10, minDelta: 1e-4, restoreBest: true }
   * (none for the article preset)
   */
  earlyStopping?: EarlyStopping | false;
  /** stop after the batch during which this many milliseconds have passed; default none */
  timeLimitMs?: number;
  /** aborting stops training after the current batch; train throws and trainAsync rejects with an AbortError; default none */
  signal?: AbortSignal;
  /** a non-finite loss or weight: 'throw' a DivergenceError (default) or 'halve' the learning rate and retry the epoch */
  onDivergence?: 'throw' | 'halve';
  /**
   * measure the training (and validation) loss after every epoch for the history and the report:
   * one forward pass over the rows each; false measures only what a stop rule or callback needs; default true
   */
  evaluate?: boolean;
  /** called after every epoch; returning false stops training; default none */
  onEpoch?: (info: EpochInfo) => void | boolean;
  /** called after every batch (forces one call per batch); returning false stops training; default none */
  onBatch?: (info: BatchInfo) => void | boolean;
}

/** train's options resolved: the table's defaults (one learning rate, the stop rule resolved) and the rest. */
export interface ResolvedTrainOptions extends Omit<TrainDefaults, 'learningRate' | 'earlyStopping'> {
  learningRate: number;
  earlyStopping: Required<EarlyStopping> | null;
  schedule: Schedule | null;
  validationData: { inputs: Rows; targets: Targets } | null;
  timeLimitMs: number;
  signal: AbortSignal | null;
  onEpoch: ((info: EpochInfo) => void | boolean) | null;
  onBatch: ((info: BatchInfo) => void | boolean) | null;
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

function resolveEarlyStopping(
  value: unknown,
  fallback: Required<EarlyStopping> | null,
): Required<EarlyStopping> | null {
  if (value === undefined) return fallback;
  if (value === false) return null;
  if (!isPlainObject(value)) throw typeError('earlyStopping', '{ patience, minDelta, restoreBest } or false', value);
  checkKeys('earlyStopping', value, ['patience', 'minDelta', 'restoreBest']);
  if (value.patience === undefined) throw typeError('earlyStopping.patience', 'a positive integer', undefined);
  return {
    patience: number('earlyStopping.patience', value.patience, 1, 1, 1e9, { integer: true }),
    minDelta: number('earlyStopping.minDelta', value.minDelta, 0, 0, Infinity),
    restoreBest: boolean('earlyStopping.restoreBest', value.restoreBest, true),
  };
}

function resolveValidationData(value: unknown): { inputs: Rows; targets: Targets } | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) return samplesToData(value, 'validationData');
  if (!isPlainObject(value))
    throw typeError('validationData', '{ inputs, targets } or an array of { input, output }', value);
  checkKeys('validationData', value, ['inputs', 'targets']);
  return { inputs: value.inputs as Rows, targets: value.targets as Targets };
}

/** train's options with the defaults of the network's table (its preset's, or the library's) filled in. */
export function resolveTrainOptions(options: unknown, preset: PresetName | null = null): ResolvedTrainOptions {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) throw typeError('train options', 'an object', options);
  checkKeys('train options', options, TRAIN_KEYS);
  const d = defaultsOf(preset).train;
  const optimizer = oneOf('optimizer', options.optimizer, OPTIMIZERS, d.optimizer);
  let batchSize: number | 'full';
  if (options.batchSize === 'full') batchSize = 'full';
  else if (typeof options.batchSize === 'string')
    throw rangeError('batchSize', "a positive integer or 'full'", options.batchSize);
  else if (options.batchSize === undefined) batchSize = d.batchSize;
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
    epochs: number('epochs', options.epochs, d.epochs, 1, 1e9, { integer: true }),
    batchSize,
    learningRate: number('learningRate', options.learningRate, d.learningRate[optimizer], 0, 1e6, {
      exclusiveMin: true,
    }),
    schedule: resolveSchedule(options.schedule),
    optimizer,
    momentum: number('momentum', options.momentum, d.momentum, 0, 1),
    beta1: number('beta1', options.beta1, d.beta1, 0, 0.999999),
    beta2: number('beta2', options.beta2, d.beta2, 0, 0.999999),
    epsilon: number('epsilon', options.epsilon, d.epsilon, 0, 1, { exclusiveMin: true }),
    weightDecay: number('weightDecay', options.weightDecay, d.weightDecay, 0, 1e6),
    clipNorm: number('clipNorm', options.clipNorm, d.clipNorm, 0, 1e12),
    shuffle: boolean('shuffle', options.shuffle, d.shuffle),
    errorThreshold: number('errorThreshold', options.errorThreshold, d.errorThreshold, 0, Infinity),
    validationSplit: number('validationSplit', options.validationSplit, d.validationSplit, 0, 0.99),
    validationData: resolveValidationData(options.validationData),
    // the plateau stop belongs to the default epoch count: an explicit count without a stop rule runs in full
    earlyStopping: resolveEarlyStopping(options.earlyStopping, options.epochs === undefined ? d.earlyStopping : null),
    timeLimitMs: number('timeLimitMs', options.timeLimitMs, 0, 0, Infinity, { exclusiveMin: true }),
    signal: (signal as AbortSignal | undefined) ?? null,
    onDivergence: oneOf('onDivergence', options.onDivergence, ['throw', 'halve'] as const, d.onDivergence),
    evaluate: boolean('evaluate', options.evaluate, d.evaluate),
    onEpoch: callback('onEpoch', options.onEpoch),
    onBatch: callback('onBatch', options.onBatch),
  };
}
