// A float model placed on an engine: its Network (the weights, the optimizer's step and slots, in
// engine memory) and the rest of the model kept beside it (normaliser, target standardizer, epoch
// count, generator, metadata; reading data is PlacedModel's). It is the one owner of a network's
// training state: it is built from a Model and gives one back. NN is a handle over one; the trainer
// drives one through a training session, and the first session of a new network settles what its
// data decides (settle).
import type { PresetName } from './defaults.js';
import { sameArchitecture } from './model/architecture.js';
import type { Matrix } from './model/data.js';
import type { Model } from './model/model.js';
import { normalize, type Normalizer, type TargetStandardizer } from './model/normalize.js';
import { Random } from './model/random.js';
import type { TrainingState } from './model/training-state.js';
import { initialWeights } from './model/weights.js';
import { isNamedRows } from './model/rows.js';
import { scannedRows } from './runtime/inputs.js';
import { Network } from './runtime/network.js';
import type { Label, NetworkConfig } from './vocabulary.js';
import { PlacedModel, type Outputs } from './placed-model.js';

export type { Data } from './placed-model.js';

/** What a first training run settles: the architecture (its output and loss), the data's transforms, the names. */
export interface Settlement {
  config: NetworkConfig;
  normalizer: Normalizer | null;
  targetStandardizer: TargetStandardizer | null;
  classes: Label[] | undefined;
  features: string[] | undefined;
}

export class ResidentModel extends PlacedModel {
  readonly precision = 'float32';
  /** the generator that shuffles the next epoch's rows (and drew the initial weights) */
  random: Random;

  /** The network's model: `model` (checked) when given, else the config's initial weights from its seed. */
  constructor(
    public net: Network,
    model: Model | null,
    /** the preset whose training defaults apply, or null for the library's */
    readonly preset: PresetName | null,
  ) {
    super();
    this.random = new Random(net.config.seed);
    if (model) this.restore(model);
    else net.write('params', initialWeights(net.config, this.random));
  }

  get config(): NetworkConfig {
    return this.net.config;
  }

  protected normalized(n: Normalizer, x: Matrix): Matrix {
    return normalize(n, x);
  }

  /** The model as it stands: copies of the weights and, with `training`, of the training state. */
  /** Many unnamed rows without a normaliser go straight into engine memory and through the kernels' scan. */
  protected override direct(value: unknown, field: string): Outputs | null {
    if (this.config.normalize !== 'none' || isNamedRows(value)) return null;
    const source = scannedRows(value, this.inputSize, field);
    return source && { out: this.net.outputs(source), rows: source.rows, form: source.form };
  }

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
}
