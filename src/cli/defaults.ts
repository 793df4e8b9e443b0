// The command line's defaults, in one table: what `train` does when no flag says otherwise, the
// limit of the target detection, and the demo commands' settings. The library will get a table of
// its own defaults; this one is then to point at it, so that the two cannot drift apart.

/** `simdnet train`: flag values as typed (commander shows them in --help). */
export const TRAIN_DEFAULTS = {
  task: 'auto',
  layers: '100',
  activation: 'relu',
  optimizer: 'adam',
  lr: '0.001',
  batch: '32',
  epochs: '200',
  seed: '42',
  engine: 'auto',
  /** the fraction held out (stratified for classes) when no --validation-file is given */
  validation: '0.2',
  /** epochs without a better held-out loss before training stops; 0 trains every epoch */
  patience: '10',
  missing: 'error',
} as const;

/** A held-out loss must fall by more than this to count as better (scikit-learn's `tol`). */
export const MIN_IMPROVEMENT = 1e-4;

/**
 * Integer targets with at most this many distinct values are class labels (two for a yes/no column,
 * ten for digits); more make a regression. `--task` overrides either way.
 */
export const MAX_INTEGER_CLASSES = 10;

/** `simdnet mnist`: the demo's network and schedule. */
export const MNIST_DEFAULTS = { epochs: '5', batch: '32', lr: '0.001', seed: '1', engine: 'auto', outDir: 'out' };

/** `simdnet article`: the seed article's run. */
export const ARTICLE_DEFAULTS = { epochs: '2000', rows: '1000', engine: 'auto', seed: '1', every: '100' };
