// The command line's defaults: what `train` does when no flag says otherwise. Everything it shares
// with the library (activation, optimizer and its learning rate, batch size, epochs, the plateau
// stop's patience and tolerance, and through NN.create the initialiser, weight decay, input and
// target scaling and the output layer) is read from the library's table, DEFAULTS; only what is
// the command line's own is set here. docs/cli.md says where the two differ, and why.
import { DEFAULTS, type OptimizerName } from '../index.js';

const stop = DEFAULTS.train.earlyStopping!;
const hidden = DEFAULTS.network.activation;

/** `simdnet train`: flag values as typed (commander shows them in --help). */
export const TRAIN_DEFAULTS = {
  task: 'auto',
  /** the command line's own: one hidden layer of 100 units, as scikit-learn's MLPClassifier */
  layers: '100',
  activation: typeof hidden === 'string' ? hidden : hidden.name,
  optimizer: DEFAULTS.train.optimizer,
  batch: String(DEFAULTS.train.batchSize),
  epochs: String(DEFAULTS.train.epochs),
  /** the command line's own: a run is reproducible unless --seed says otherwise */
  seed: '42',
  engine: 'auto',
  /** the command line's own: the fraction held out (stratified for classes) when no --validation-file is given */
  validation: '0.2',
  /** epochs without a better held-out loss before training stops; 0 trains every epoch */
  patience: String(stop.patience),
  missing: 'error',
} as const;

/** The learning rate of an optimizer when --lr is not given. */
export const learningRateOf = (optimizer: OptimizerName): number => DEFAULTS.train.learningRate[optimizer];

/** A held-out loss must fall by more than this to count as better (the plateau stop's minDelta). */
export const MIN_IMPROVEMENT = stop.minDelta;

/**
 * Integer targets with at most this many distinct values are class labels (two for a yes/no column,
 * ten for digits); more make a regression. `--task` overrides either way.
 */
export const MAX_INTEGER_CLASSES = 10;

/** `simdnet mnist`: the demo's network and schedule (the settings its documented figures were measured with). */
export const MNIST_DEFAULTS = { epochs: '5', batch: '32', lr: '0.001', seed: '1', engine: 'auto', outDir: 'out' };

/** `simdnet article`: the seed article's run. */
export const ARTICLE_DEFAULTS = { epochs: '2000', rows: '1000', engine: 'auto', seed: '1', every: '100' };
