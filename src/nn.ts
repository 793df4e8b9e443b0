// The public NN class: a handle over one model placed on an engine (a ResidentModel). It checks
// every argument, places networks (engine, build, threads), and hands training to the trainer and
// models to the formats. Nothing reaches a kernel before it has been validated.
import { type BuildName, type Engine, type EngineName, engineFor, engineForAsync } from './runtime/engine.js';
import { resolvePlacement } from './runtime/placement.js';
import type { FloatArray } from './float.js';
import { Network } from './runtime/network.js';
import {
  resolveLoadOptions,
  resolveNetworkOptions,
  resolveSaveOptions,
  type LoadOptions,
  type NetworkOptions,
  type Placement,
  type Undecided,
} from './options.js';
import type { TrainOptions } from './train-options.js';
import type { PresetName } from './defaults.js';
import {
  classifies,
  type Evaluation,
  type Label,
  type NamedRow,
  type NetworkConfig,
  type Row,
  type Rows,
  type Sample,
  type Targets,
} from './vocabulary.js';
import { isPlainObject, typeError } from './check.js';
import type { Model } from './model/model.js';
import { checkWeights, type Weights } from './model/weights.js';
import { classOf, confusionMatrix, regressionMetrics } from './model/metrics.js';
import { standardizeTargets } from './model/normalize.js';
import { isSamples, samplesToData } from './model/rows.js';
import { classCount } from './model/targets.js';
import { modelToJSON, parseModel, type ModelJSON } from './format/json.js';
import { encodeModel, decodeModel } from './format/binary.js';
import { summaryText } from './format/summary.js';
import { ResidentModel } from './resident.js';
import { train, trainAsync, type TrainReport } from './trainer.js';

declare global {
  interface SymbolConstructor {
    /** `using`'s method (ES2026 explicit resource management) */
    readonly dispose: unique symbol;
  }
}
/** Symbol.dispose, or where the runtime lacks it the registered symbol that transpiled `using` looks up. */
const DISPOSE: typeof Symbol.dispose = (Symbol.dispose ?? Symbol.for('Symbol.dispose')) as typeof Symbol.dispose;
/** Node's console.log and util.inspect call the method under this registered symbol. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Access to NN's internals for the module functions below (set in NN's static block). */
let residentOf: (net: NN) => ResidentModel;
let placeModel: (model: Model, options: unknown) => Promise<NN>;

// Networks dropped without dispose() give their memory back when they are collected.
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<ResidentModel>((model) => model.release())
    : null;

/** Data given as brain.js samples ([{ input, output }], then the options) or as inputs and targets. */
function unpack(a: unknown, b: unknown, c?: unknown): [unknown, unknown, unknown] {
  if (!isSamples(a)) return [a, b, c];
  const { inputs, targets } = samplesToData(a, 'samples');
  return [inputs, targets, b];
}

/** Where a network starts from: a new one's weights and what its first train decides, or a model. */
interface Origin {
  model: Model | null;
  undecided: Undecided | null;
  preset: PresetName | null;
}

export class NN {
  static {
    residentOf = (net) => net.check();
    placeModel = (model, options) =>
      NN.placed(resolveLoadOptions(options), model.config, { model, undecided: null, preset: model.preset ?? null });
  }

  private constructor(private readonly resident: ResidentModel) {
    registry?.register(this, resident, this);
  }

  /**
   * Creates a network (see NetworkOptions for every default); the Wasm module is compiled once per
   * process, asynchronously. With threads, it resolves once the helper threads run.
   */
  static async create(options: NetworkOptions): Promise<NN> {
    const { config, undecided, preset, ...placement } = resolveNetworkOptions(options);
    return NN.placed(placement, config, { model: null, undecided, preset });
  }

  /**
   * Creates a network with a synchronous Wasm compile (fine in Node; browsers limit sync compiles).
   * Helper threads start in the background: products run on the calling thread until they join.
   */
  static createSync(options: NetworkOptions): NN {
    const { config, undecided, preset, ...requested } = resolveNetworkOptions(options);
    const placement = resolvePlacement(requested, config.layers);
    return NN.onEngine(engineFor(placement), placement.threads, config, { model: null, undecided, preset });
  }

  /** A network on the engine and threads asked for, once its helpers (if any) run. */
  private static async placed(requested: Placement, config: NetworkConfig, origin: Origin): Promise<NN> {
    const placement = resolvePlacement(requested, config.layers);
    const engine = await engineForAsync(placement);
    const net = NN.onEngine(engine, placement.threads, config, origin);
    await engine.pool?.ready();
    return net;
  }

  private static onEngine(engine: Engine, threads: number, config: NetworkConfig, origin: Origin): NN {
    const resident = new ResidentModel(new Network(engine, config, threads), origin.model, origin.preset);
    resident.undecided = origin.undecided;
    return new NN(resident);
  }

  /** Rebuilds a network saved with toJSON (a JSON string or the parsed object), training state included. */
  static async fromJSON(json: string | ModelJSON, options: LoadOptions = {}): Promise<NN> {
    const model = parseModel(json);
    return placeModel(model, options);
  }

  /** Rebuilds a network saved with toBinary(); the checksum, version and every size are checked. */
  static async fromBinary(bytes: Uint8Array, options: LoadOptions = {}): Promise<NN> {
    const model = decodeModel(bytes);
    return placeModel(model, options);
  }

  /** The engine the network runs on: 'wasm' or 'js'. */
  get engine(): EngineName {
    return this.resident.net.engine.name;
  }
  /**
   * Threads the network's matrix products use, in effect: as asked (or the cores, for 'auto') where
   * a layer is large enough to share its products, else 1; 1 on the 'js' engine.
   */
  get threads(): number {
    return this.resident.net.threads;
  }
  /** The Wasm build ('relaxed' or 'simd'), or 'js'. */
  get build(): BuildName {
    return this.resident.net.engine.build;
  }
  /** Layer sizes, input first. */
  get layers(): number[] {
    return this.resident.config.layers.slice();
  }
  /** Epochs trained over the network's life (restored from checkpoints). */
  get epochs(): number {
    return this.resident.epochs;
  }
  /** Whether dispose() has given the network's memory back. */
  get isDisposed(): boolean {
    return this.resident.released;
  }

  /**
   * The class labels in output order (what classify answers): those learned from labels at the
   * first train or kept with the model, else the output indices of a classifier (0 and 1 for one
   * sigmoid output); null for a regression model.
   */
  get classes(): Label[] | null {
    const m = this.check();
    if (m.metadata.classes) return m.metadata.classes.slice();
    if (!classifies(m.config.loss) || m.undecided?.head) return null;
    return Array.from({ length: classCount(m.outputSize) }, (_, i) => i);
  }

  /** Copies of the weights (fanIn × fanOut, row-major: s = x·W) and biases (null without bias). */
  getWeights(): Weights {
    return this.check().net.read('params')!;
  }

  /**
   * Replaces the weights and biases; shapes and values are checked before anything changes. A new
   * network then keeps its inputs and outputs as they are: its first train fits no normaliser.
   */
  setWeights(w: Weights): void {
    const model = this.check();
    if (model.training)
      throw new Error('simdnet: cannot set weights while the network trains (a rollback would undo them)');
    model.net.write('params', checkWeights(w, model.config, 'weights'));
    model.weightsSet();
  }

  /**
   * Outputs for one row or many, in the targets' units. A flat array (Float32Array or number[]) of
   * k rows gives a flat Float32Array of k output rows; an array of rows gives an array of
   * Float32Array rows; one named row gives one output row. During trainAsync it answers with the
   * weights of the last completed batch.
   */
  predict(input: readonly Row[] | readonly NamedRow[]): FloatArray[];
  predict(input: Row | NamedRow): FloatArray;
  predict(input: unknown): FloatArray | FloatArray[] {
    const model = this.check();
    const named = isPlainObject(input);
    const x = model.predictions(named ? [input] : input, 'input');
    if (x.form === 'flat' || named) return x.out;
    const rows: FloatArray[] = [],
      k = model.outputSize;
    for (let r = 0; r < x.rows; r++) rows.push(x.out.slice(r * k, (r + 1) * k));
    return rows;
  }

  /**
   * The class label of each row (the largest output, or output ≥ 0.5 for one sigmoid output, named
   * by net.classes): one label for one row (a flat row or a named row), an array for several.
   */
  classify(input: Row | NamedRow): Label;
  classify(input: readonly Row[] | readonly NamedRow[]): Label[];
  classify(input: unknown): Label | Label[] {
    const classes = this.classes;
    const model = this.resident;
    if (!classes)
      throw new TypeError(
        model.undecided?.head
          ? 'classify: the output layer is chosen by the first train(); train the network first'
          : `classify: this network is not a classifier (its loss is '${model.config.loss}'); use predict, or train it on class labels`,
      );
    const named = isPlainObject(input);
    const { out, rows, form } = model.predictions(named ? [input] : input, 'input', false),
      k = model.outputSize;
    const labels = Array.from({ length: rows }, (_, r) => classes[classOf(out, r * k, k)]!);
    return (form === 'flat' && rows === 1) || named ? labels[0]! : labels;
  }

  /**
   * The loss (as trained) and the metrics of the task: { loss, accuracy } for a classifier (a
   * cross-entropy loss), { loss, rmse, mae, r2 } otherwise, rmse and mae in the targets' units.
   */
  evaluate(inputs: Rows, targets: Targets): Evaluation;
  evaluate(samples: readonly Sample[]): Evaluation;
  evaluate(a: unknown, b?: unknown): Evaluation {
    const model = this.check();
    const [inputs, targets] = unpack(a, b);
    const { x, t } = model.data(inputs, targets);
    if (classifies(model.config.loss)) {
      const m = model.net.metrics(x, t, true);
      return { loss: m.error, accuracy: m.accuracy };
    }
    const std = model.targetStandardizer;
    const loss = model.net.metrics(x, std ? standardizeTargets(std, t) : t, false).error;
    return { loss, ...regressionMetrics(model.outputs(x), t.data, t.cols) };
  }

  /** Fraction of rows whose predicted class (argmax, or ≥ 0.5 for one output) is the target's. */
  accuracy(inputs: Rows, targets: Targets): number;
  accuracy(samples: readonly Sample[]): number;
  accuracy(a: unknown, b?: unknown): number {
    const model = this.check();
    const [inputs, targets] = unpack(a, b);
    const { x, t } = model.data(inputs, targets);
    return model.net.metrics(x, t, true).accuracy;
  }

  /** counts[actual][predicted] over the rows, classes in the order of net.classes (or output indices). */
  confusionMatrix(inputs: Rows, targets: Targets): number[][];
  confusionMatrix(samples: readonly Sample[]): number[][];
  confusionMatrix(a: unknown, b?: unknown): number[][] {
    const model = this.check();
    const [inputs, targets] = unpack(a, b);
    const { x, t } = model.data(inputs, targets);
    return confusionMatrix(model.net.outputs(x), t.data, model.outputSize);
  }

  /**
   * Trains synchronously and reports what happened, with a history per epoch. Targets may be class
   * labels; a new network takes its output layer, loss and data transforms from this first data
   * (see NetworkOptions); every option's default is in TrainOptions.
   */
  train(inputs: Rows, targets: Targets, options?: TrainOptions): TrainReport;
  train(samples: readonly Sample[], options?: TrainOptions): TrainReport;
  train(a: unknown, b?: unknown, c?: unknown): TrainReport {
    return train(this.check(), ...unpack(a, b, c));
  }

  /** Trains like train() but yields to the event loop between batches; an aborted signal rejects with an AbortError. */
  trainAsync(inputs: Rows, targets: Targets, options?: TrainOptions): Promise<TrainReport>;
  trainAsync(samples: readonly Sample[], options?: TrainOptions): Promise<TrainReport>;
  async trainAsync(a: unknown, b?: unknown, c?: unknown): Promise<TrainReport> {
    return trainAsync(this.check(), ...unpack(a, b, c));
  }

  /** A table of the layers, activations and parameter counts, the loss, classes, and where the network runs. */
  summary(): string {
    const model = this.check();
    const placed = { engine: this.engine, build: this.build, threads: this.threads, precision: 'float32' as const };
    return summaryText(model.toModel(false), placed, model.undecided);
  }

  /**
   * The model as a plain, versioned object (JSON.stringify-able): architecture, weights, the
   * normaliser and target standardizer, names and, unless { training: false }, the training state
   * (epoch, optimizer state, generator state), so a reloaded network continues exactly where this
   * one stopped.
   */
  toJSON(options?: { training?: boolean } | string): ModelJSON {
    // JSON.stringify calls toJSON with the property key (a string), which is not an options object
    return modelToJSON(this.check().toModel(typeof options === 'string' || resolveSaveOptions(options)));
  }

  /** The same model as toJSON() in the compact binary format (float32 little-endian, CRC-32 checked); { training } defaults to true. */
  toBinary(options?: { training?: boolean }): Uint8Array {
    return encodeModel(this.check().toModel(resolveSaveOptions(options ?? {})));
  }

  /**
   * Takes over the weights, normaliser and training state of a model saved by toJSON() or
   * toBinary() from a network of the same architecture, so that training continues exactly where
   * that one stopped. trainInWorker brings a worker's training home with it.
   */
  load(model: string | ModelJSON | Uint8Array): void {
    const resident = this.check();
    if (resident.training) throw new Error('simdnet: cannot load a model into a network while it trains');
    resident.load(model instanceof Uint8Array ? decodeModel(model) : parseModel(model));
  }

  /** Returns the network's memory to its engine. Calling it twice is harmless. */
  dispose(): void {
    if (this.resident.released) return;
    if (this.resident.training)
      throw new Error('simdnet: cannot dispose a network while it trains; abort its training first');
    registry?.unregister(this);
    this.resident.release();
  }

  /** dispose(), for `using net = await NN.create(...)`. */
  [DISPOSE](): void {
    this.dispose();
  }

  /** What console.log shows in Node: the network's shape and placement, not its internals. */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    const m = this.resident;
    if (m.released) return 'NN { disposed }';
    const c = m.config;
    const view = {
      layers: c.layers,
      activations: m.undecided?.head ? 'output from the targets' : c.activations.map((a) => a.name).join(' → '),
      loss: m.undecided?.head ? 'from the targets' : c.loss,
      engine: this.engine,
      build: this.build,
      threads: this.threads,
      epochs: m.epochs,
      ...(m.metadata.classes ? { classes: m.metadata.classes } : {}),
    };
    return `NN ${typeof inspect === 'function' ? inspect(view, options) : JSON.stringify(view)}`;
  }

  /** The network's model, unless the network has been disposed. */
  private check(): ResidentModel {
    if (this.resident.released) throw new Error('simdnet: this network has been disposed; create a new one');
    return this.resident;
  }
}

/**
 * @internal The model of a network, without its training state: what the interop exporters write.
 * Refuses anything but a network that is not disposed.
 */
export function modelOf(net: unknown): Model {
  if (!(net instanceof NN)) throw typeError('net', 'an NN (a network from NN.create or a loader)', net);
  return residentOf(net).toModel(false);
}

/** @internal A network from a checked model, placed as `options` ({ engine, threads }, as fromJSON's) ask. */
export function fromModel(model: Model, options: unknown = {}): Promise<NN> {
  return placeModel(model, options);
}

/** @internal The resident model of a network (trainInWorker prepares its data on it). */
export function residentModelOf(net: NN): ResidentModel {
  return residentOf(net);
}
