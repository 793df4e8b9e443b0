// What a float network and a quantized one placed on an engine have in common: the data they read
// (rows and named rows through the feature names and the input normaliser, targets and labels
// through the classes), their outputs in the user's units, their names and their lifetime. NN's
// inference methods work on this; ResidentModel (resident.ts) adds training, QuantizedResident
// (quantized-resident.ts) int8 weights.
import { isPlainObject, rangeError } from './check.js';
import type { FloatArray } from './float.js';
import type { Undecided } from './options.js';
import { toMatrix, type Matrix } from './model/data.js';
import type { Model, ModelMetadata } from './model/model.js';
import { classOf, confusionMatrix, regressionMetrics } from './model/metrics.js';
import { standardizeTargets, unstandardize, type Normalizer, type TargetStandardizer } from './model/normalize.js';
import type { QuantizedModel } from './model/quantize.js';
import { isNamedRows, namedRows } from './model/rows.js';
import { classCount, readTargets } from './model/targets.js';
import type { Engine } from './runtime/engine.js';
import { classifies, type Evaluation, type Label, type NetworkConfig } from './vocabulary.js';

/** Inputs and targets read for this model, with the names they carried or taught. */
export interface Data {
  x: Matrix;
  /** targets in the user's units, labels encoded through the classes */
  t: Matrix;
  /** given as class labels */
  labelled: boolean;
  classes: Label[] | undefined;
  features: string[] | undefined;
}

/** A model's outputs for input rows, with the rows' count and the form they came in. */
export interface Outputs {
  out: FloatArray;
  rows: number;
  form: 'flat' | 'rows';
}

/** What runs a model's rows on an engine: a float Network or a QuantizedNetwork. */
export interface Runner {
  readonly engine: Engine;
  readonly threads: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** the outputs of every row of x (normalised inputs), as the network computes them */
  outputs(x: Matrix): FloatArray;
  /** the loss as trained over the rows (and the accuracy when asked) */
  metrics(x: Matrix, t: Matrix, withAccuracy: boolean): { error: number; accuracy: number };
  release(): void;
}

export abstract class PlacedModel {
  normalizer: Normalizer | null = null;
  /** the regression targets' standardizer (outputs answer in the user's units), or null */
  targetStandardizer: TargetStandardizer | null = null;
  /** epochs completed over the network's life (the article's T) */
  epochs = 0;
  metadata: ModelMetadata = {};
  /** what the first train() decides from its data (a new network's), or null */
  undecided: Undecided | null = null;
  /** a training session is open (train or trainAsync: one at a time) */
  training = false;
  /** the engine has its memory back */
  released = false;

  abstract net: Runner;
  abstract readonly precision: 'float32' | 'int8';
  abstract get config(): NetworkConfig;
  /** x through this model's input normaliser `n`, as a new matrix */
  protected abstract normalized(n: Normalizer, x: Matrix): Matrix;
  /** the model as it stands, for the formats: with `training`, a float model's training state too */
  abstract toModel(training: boolean): Model | QuantizedModel;

  get inputSize(): number {
    return this.net.inputSize;
  }
  get outputSize(): number {
    return this.net.outputSize;
  }

  /**
   * Input rows, read and checked, through the model's normaliser unless `raw`. Named rows are read
   * by the model's feature names (or, with `learn` and none yet, the first row's keys).
   */
  inputs(
    value: unknown,
    field: string,
    raw = false,
    learn = false,
    names = this.metadata.features,
  ): { x: Matrix; features: string[] | undefined } {
    let x: Matrix,
      features = names;
    if (isNamedRows(value)) ({ matrix: x, features } = namedRows(value, features, this.inputSize, field, learn));
    else x = toMatrix(value, this.inputSize, field);
    if (raw || this.config.normalize === 'none') return { x, features };
    if (!this.normalizer)
      throw new Error(
        `simdnet: normalize '${this.config.normalize}' is fitted by the first train() call; train the network first`,
      );
    return { x: this.normalized(this.normalizer, x), features };
  }

  /** Input rows as a matrix, through the normaliser (predict, classify). */
  rows(value: unknown, field: string): Matrix {
    return this.inputs(value, field).x;
  }

  /**
   * The outputs of input rows, with their count and form (predict; classify, which wants them
   * without `units`): read straight into engine memory where the model can (`direct`), else
   * through rows().
   */
  predictions(value: unknown, field: string, units = true): Outputs {
    const found = this.direct(value, field);
    if (found) {
      if (units && this.targetStandardizer) unstandardize(this.targetStandardizer, found.out);
      return found;
    }
    const x = this.rows(value, field);
    return { out: units ? this.outputs(x) : this.net.outputs(x), rows: x.rows, form: x.form };
  }

  /** The raw outputs of many unnamed rows checked by the kernels' scan, or null where rows() reads them. */
  protected direct(_value: unknown, _field: string): Outputs | null {
    return null;
  }

  /** The network's outputs for checked input rows, in the user's units (through the target standardizer). */
  outputs(x: Matrix): FloatArray {
    const out = this.net.outputs(x);
    if (this.targetStandardizer) unstandardize(this.targetStandardizer, out);
    return out;
  }

  /**
   * Inputs and targets with one target row per input row (field: a prefix such as
   * 'validationData.'), targets in the user's units. With `learn`, a network without names takes
   * them from these rows: feature names from named rows, classes from labels (kept once settled).
   */
  data(
    inputs: unknown,
    targets: unknown,
    field = '',
    raw = false,
    learn = false,
    names: { classes?: Label[] | undefined; features?: string[] | undefined } = this.metadata,
  ): Data {
    const { x, features } = this.inputs(inputs, `${field}inputs`, raw, learn, names.features);
    const read = readTargets(targets, x.rows, this.outputSize, names.classes, `${field}targets`, learn);
    if (x.rows !== read.t.rows)
      throw rangeError(`${field}targets`, `${x.rows} rows, one per input row`, `${read.t.rows} rows`);
    return { x, t: read.t, labelled: read.labelled, classes: read.classes, features };
  }

  // ---- what NN's inference methods answer (their arguments as given; brain.js samples unpacked) ----

  /** The class labels in output order, or null for a regression model (net.classes). */
  classes(): Label[] | null {
    if (this.metadata.classes) return this.metadata.classes.slice();
    if (!classifies(this.config.loss) || this.undecided?.head) return null;
    return Array.from({ length: classCount(this.outputSize) }, (_, i) => i);
  }

  /** net.predict: outputs in the user's units, in the form the input came in. */
  predict(input: unknown): FloatArray | FloatArray[] {
    const x = this.predictions(isPlainObject(input) ? [input] : input, 'input');
    const out = x.out;
    if (x.form === 'flat' || isPlainObject(input)) return out;
    const rows: FloatArray[] = [],
      k = this.outputSize;
    for (let r = 0; r < x.rows; r++) rows.push(out.slice(r * k, (r + 1) * k));
    return rows;
  }

  /** net.classify: one label for one row, an array for several. */
  classify(input: unknown): Label | Label[] {
    const classes = this.classes();
    if (!classes)
      throw new TypeError(
        this.undecided?.head
          ? 'classify: the output layer is chosen by the first train(); train the network first'
          : `classify: this network is not a classifier (its loss is '${this.config.loss}'); use predict, or train it on class labels`,
      );
    const x = this.predictions(isPlainObject(input) ? [input] : input, 'input', false);
    const out = x.out,
      k = this.outputSize;
    const labels = Array.from({ length: x.rows }, (_, r) => classes[classOf(out, r * k, k)]!);
    return (x.form === 'flat' && x.rows === 1) || isPlainObject(input) ? labels[0]! : labels;
  }

  /** net.evaluate: { loss, accuracy } for a classifier, { loss, rmse, mae, r2 } otherwise. */
  evaluate(inputs: unknown, targets: unknown): Evaluation {
    const { x, t } = this.data(inputs, targets);
    if (classifies(this.config.loss)) {
      const m = this.net.metrics(x, t, true);
      return { loss: m.error, accuracy: m.accuracy };
    }
    const std = this.targetStandardizer;
    const loss = this.net.metrics(x, std ? standardizeTargets(std, t) : t, false).error;
    return { loss, ...regressionMetrics(this.outputs(x), t.data, t.cols) };
  }

  /** net.accuracy: the fraction of rows whose predicted class is the target's. */
  accuracy(inputs: unknown, targets: unknown): number {
    const { x, t } = this.data(inputs, targets);
    return this.net.metrics(x, t, true).accuracy;
  }

  /** net.confusionMatrix: counts[actual][predicted]. */
  confusionMatrix(inputs: unknown, targets: unknown): number[][] {
    const { x, t } = this.data(inputs, targets);
    return confusionMatrix(this.net.outputs(x), t.data, this.outputSize);
  }

  /** Gives the engine its memory back; calling it twice is harmless. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.net.release();
  }
}
