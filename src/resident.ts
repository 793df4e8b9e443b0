// A model placed on an engine: its Network (the weights, the optimizer's step and slots, in engine
// memory) and the rest of the model kept beside it (normaliser, epoch count, generator, metadata).
// It is the one owner of a network's training state: it is built from a Model and gives one back.
// NN is a handle over one; the trainer drives one through a training session.
import { rangeError } from './check.js';
import { sameArchitecture } from './model/architecture.js';
import { toMatrix, type Matrix } from './model/data.js';
import type { Model, ModelMetadata } from './model/model.js';
import { normalize, type Normalizer } from './model/normalize.js';
import { Random } from './model/random.js';
import type { TrainingState } from './model/training-state.js';
import { initialWeights } from './model/weights.js';
import { scannedRows } from './runtime/inputs.js';
import type { Network } from './runtime/network.js';
import type { FloatArray } from './float.js';
import type { NetworkConfig } from './vocabulary.js';

export class ResidentModel {
  readonly config: NetworkConfig;
  normalizer: Normalizer | null = null;
  /** epochs completed over the network's life (the article's T) */
  epochs = 0;
  /** the generator that shuffles the next epoch's rows (and drew the initial weights) */
  random: Random;
  metadata: ModelMetadata = {};
  /** a training session is open (train or trainAsync: one at a time) */
  training = false;
  /** the engine has its memory back */
  released = false;

  /** The network's model: `model` (checked) when given, else the config's initial weights from its seed. */
  constructor(
    readonly net: Network,
    model: Model | null,
  ) {
    this.config = net.config;
    this.random = new Random(this.config.seed);
    if (model) this.restore(model);
    else net.write('params', initialWeights(this.config, this.random));
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
      training: training ? this.trainingState() : null,
      metadata: this.metadata,
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

  /** Takes over a checked model of this architecture: weights, normaliser, metadata and (when saved) the training state. */
  private restore(model: Model): void {
    this.net.write('params', model.params);
    this.normalizer = model.normalizer;
    this.metadata = model.metadata;
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

  /** Input rows, read and checked, through the model's normaliser unless `raw`. */
  inputs(value: unknown, field: string, raw = false): Matrix {
    const x = toMatrix(value, this.inputSize, field);
    if (raw || this.config.normalize === 'none') return x;
    if (!this.normalizer)
      throw new Error(
        `simdnet: normalize '${this.config.normalize}' is fitted by the first train() call; train the network first`,
      );
    return normalize(this.normalizer, x);
  }

  /**
   * The outputs of input rows, their count and form: large inputs without a normaliser go straight
   * into engine memory and through the kernels' scan (runtime/inputs.ts), others through inputs().
   */
  outputs(value: unknown, field: string): { out: FloatArray; rows: number; form: 'flat' | 'rows' } {
    const x =
      (this.config.normalize === 'none' && scannedRows(value, this.inputSize, field)) || this.inputs(value, field);
    return { out: this.net.outputs(x), rows: x.rows, form: x.form };
  }

  /** Inputs and targets with one target row per input row (field: a prefix such as 'validationData.'). */
  pair(inputs: unknown, targets: unknown, field = '', raw = false): [Matrix, Matrix] {
    const x = this.inputs(inputs, `${field}inputs`, raw);
    const t = toMatrix(targets, this.outputSize, `${field}targets`);
    if (x.rows !== t.rows) throw rangeError(`${field}targets`, `${x.rows} rows, one per input row`, `${t.rows} rows`);
    return [x, t];
  }

  /** Gives the engine its memory back; calling it twice is harmless. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.net.release();
  }
}
