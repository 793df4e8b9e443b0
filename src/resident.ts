// A model placed on an engine: its Network (the weights, the optimizer's step and slots, in engine
// memory) and the rest of the model kept beside it (normaliser, target standardizer, epoch count,
// generator, metadata). It is the one owner of a network's training state: it is built from a
// Model and gives one back. NN is a handle over one; the trainer drives one through a training
// session, and the first session of a new network settles what its data decides (settle).
import { rangeError } from './check.js';
import type { FloatArray } from './float.js';
import type { PresetName } from './defaults.js';
import type { Undecided } from './options.js';
import { sameArchitecture } from './model/architecture.js';
import { toMatrix, type Matrix } from './model/data.js';
import type { Model, ModelMetadata } from './model/model.js';
import { normalize, unstandardize, type Normalizer, type TargetStandardizer } from './model/normalize.js';
import { Random } from './model/random.js';
import { isNamedRows, namedRows } from './model/rows.js';
import { readTargets } from './model/targets.js';
import type { TrainingState } from './model/training-state.js';
import { initialWeights } from './model/weights.js';
import { scannedRows, type RowSource } from './runtime/inputs.js';
import { Network } from './runtime/network.js';
import type { Label, NetworkConfig } from './vocabulary.js';

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

/** What a first training run settles: the architecture (its output and loss), the data's transforms, the names. */
export interface Settlement {
  config: NetworkConfig;
  normalizer: Normalizer | null;
  targetStandardizer: TargetStandardizer | null;
  classes: Label[] | undefined;
  features: string[] | undefined;
}

export class ResidentModel {
  normalizer: Normalizer | null = null;
  /** the regression targets' standardizer (outputs answer in the user's units), or null */
  targetStandardizer: TargetStandardizer | null = null;
  /** epochs completed over the network's life (the article's T) */
  epochs = 0;
  /** the generator that shuffles the next epoch's rows (and drew the initial weights) */
  random: Random;
  metadata: ModelMetadata = {};
  /** what the first train() decides from its data (a new network's), or null */
  undecided: Undecided | null = null;
  /** a training session is open (train or trainAsync: one at a time) */
  training = false;
  /** the engine has its memory back */
  released = false;

  /** The network's model: `model` (checked) when given, else the config's initial weights from its seed. */
  constructor(
    public net: Network,
    model: Model | null,
    /** the preset whose training defaults apply, or null for the library's */
    readonly preset: PresetName | null,
  ) {
    this.random = new Random(net.config.seed);
    if (model) this.restore(model);
    else net.write('params', initialWeights(net.config, this.random));
  }

  get config(): NetworkConfig {
    return this.net.config;
  }
  get inputSize(): number {
    return this.net.inputSize;
  }
  get outputSize(): number {
    return this.net.outputSize;
  }

  /** The model as it stands: copies of the weights and, with `training`, of the training state. */
  toModel(training: boolean): Model {
    return {
      config: this.config,
      params: this.net.read('params')!,
      normalizer: this.normalizer,
      targetStandardizer: this.targetStandardizer,
      training: training ? this.trainingState() : null,
      metadata: this.metadata,
      preset: this.preset,
    };
  }

  private trainingState(): TrainingState {
    const m = this.net.read('m'),
      v = this.net.read('v');
    return { epochs: this.epochs, random: this.random.state, step: this.net.step, slots: m && v ? { m, v } : null };
  }

  /** Takes over a saved model (load()), which must have this network's architecture. */
  load(model: Model): void {
    if (!sameArchitecture(model.config, this.config))
      throw new RangeError(
        "model: its architecture (layers, activations, loss, bias, normalize) differs from this network's",
      );
    this.restore(model);
  }

  /** Takes over a checked model of this architecture: weights, normaliser, target standardizer, metadata and (when saved) the training state. */
  private restore(model: Model): void {
    this.net.write('params', model.params);
    this.normalizer = model.normalizer;
    this.targetStandardizer = model.targetStandardizer;
    this.metadata = model.metadata;
    this.undecided = null;
    const t = model.training;
    if (!t) return;
    this.epochs = t.epochs;
    this.random = new Random(t.random);
    this.net.step = t.step;
    if (t.slots) {
      this.net.write('m', t.slots.m);
      this.net.write('v', t.slots.v);
    }
  }

  /** Weights set by the user: the inputs and outputs stay as they are (only the output layer may still follow the targets). */
  weightsSet(): void {
    if (this.undecided) this.undecided = this.undecided.head ? { head: true, data: false } : null;
  }

  /** A Network for `config`: this one when it is the current config, else a new one holding the same weights and optimizer state. */
  networkFor(config: NetworkConfig): Network {
    if (config === this.config) return this.net;
    const next = new Network(this.net.engine, config, this.net.threads);
    next.write('params', this.net.read('params')!);
    next.step = this.net.step;
    for (const slot of ['m', 'v'] as const) {
      const w = this.net.read(slot);
      if (w) next.write(slot, w);
    }
    return next;
  }

  /** Takes what a first training run decided (on `net`, from networkFor): the architecture, the data's transforms and names. */
  settle(s: Settlement, net: Network): void {
    if (net !== this.net) {
      this.net.release();
      this.net = net;
    }
    this.normalizer = s.normalizer;
    this.targetStandardizer = s.targetStandardizer;
    const metadata = { ...this.metadata };
    if (s.classes && !metadata.classes) metadata.classes = s.classes;
    if (s.features && !metadata.features) metadata.features = s.features;
    this.metadata = metadata;
    this.undecided = null;
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
    return { x: normalize(this.normalizer, x), features };
  }

  /** Input rows as a matrix, through the normaliser. */
  rows(value: unknown, field: string): Matrix {
    return this.inputs(value, field).x;
  }

  /**
   * The outputs of input rows, with their count and form (predict; classify, which wants them
   * without `units`): many unnamed rows without a normaliser go straight into engine memory and
   * through the kernels' scan (runtime/inputs.ts), others through rows().
   */
  predictions(value: unknown, field: string, units = true): { out: FloatArray; rows: number; form: 'flat' | 'rows' } {
    const x =
      (this.config.normalize === 'none' && !isNamedRows(value) && scannedRows(value, this.inputSize, field)) ||
      this.rows(value, field);
    return { out: units ? this.outputs(x) : this.net.outputs(x), rows: x.rows, form: x.form };
  }

  /** The network's outputs for input rows (checked, or checked by the scan), in the user's units (through the target standardizer). */
  outputs(x: Matrix | RowSource): FloatArray {
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

  /** Gives the engine its memory back; calling it twice is harmless. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.net.release();
  }
}
