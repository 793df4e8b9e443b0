// The public NN class: a handle over one model placed on an engine (a ResidentModel, or for a
// quantized network a QuantizedResident). It checks every argument, places networks (engine, build,
// threads), and hands training to the trainer and models to the formats. Nothing reaches a kernel
// before it has been validated.
import { type BuildName, type Engine, type EngineName, engineFor, engineForAsync } from './runtime/engine.js';
import { resolvePlacement } from './runtime/placement.js';
import type { FloatArray } from './float.js';
import { Network } from './runtime/network.js';
import {
  resolveLoadOptions,
  resolveNetworkOptions,
  resolveQuantizeOptions,
  resolveSaveOptions,
  type LoadOptions,
  type NetworkOptions,
  type Placement,
  type QuantizeOptions,
  type Undecided,
} from './options.js';
import type { TrainOptions } from './train-options.js';
import type { PresetName } from './defaults.js';
import type { Evaluation, Label, NamedRow, NetworkConfig, Row, Rows, Sample, Targets } from './vocabulary.js';
import { typeError } from './check.js';
import type { Model } from './model/model.js';
import { isQuantized, quantizeModel, type QuantizedModel } from './model/quantize.js';
import { checkWeights, type Weights } from './model/weights.js';
import { isSamples, samplesToData } from './model/rows.js';
import { modelToJSON, parseModel, type ModelJSON } from './format/json.js';
import { encodeModel, decodeModel } from './format/binary.js';
import { summaryText } from './format/summary.js';
import type { PlacedModel } from './placed-model.js';
import { ResidentModel } from './resident.js';
import { QuantizedResident } from './quantized-resident.js';
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
let placedOf: (net: NN) => PlacedModel;
let residentOf: (net: NN) => ResidentModel;
let placeModel: (model: Model | QuantizedModel, options: unknown) => Promise<NN>;

// Networks dropped without dispose() give their memory back when they are collected.
const registry =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<PlacedModel>((model) => model.release()) : null;

/** Data given as brain.js samples ([{ input, output }], then the options) or as inputs and targets. */
function unpack(a: unknown, b: unknown, c?: unknown): [unknown, unknown, unknown] {
  if (!isSamples(a)) return [a, b, c];
  if (c !== undefined)
    throw new TypeError('train: with { input, output } samples the options come second: train(samples, options)');
  const { inputs, targets } = samplesToData(a, 'samples');
  return [inputs, targets, b];
}

/** Where a network starts from: a new one's weights and what its first train decides, or a model. */
interface Origin {
  model: Model | null;
  undecided: Undecided | null;
  preset: PresetName | null;
}

/** A float network of `config` from `origin`, to be placed on an engine with its thread count. */
const floatModel =
  (config: NetworkConfig, origin: Origin) =>
  (engine: Engine, threads: number): ResidentModel => {
    const resident = new ResidentModel(new Network(engine, config, threads), origin.model, origin.preset);
    resident.undecided = origin.undecided;
    return resident;
  };

export class NN {
  static {
    placedOf = (net) => net.check();
    residentOf = (net) => net.trainable('trainInWorker');
    placeModel = (model, options) =>
      NN.placed(
        resolveLoadOptions(options),
        model.config.layers,
        isQuantized(model)
          ? (engine, threads) => new QuantizedResident(engine, threads, model)
          : floatModel(model.config, { model, undecided: null, preset: model.preset ?? null }),
      );
  }

  private constructor(private readonly resident: PlacedModel) {
    registry?.register(this, resident, this);
  }

  /**
   * Creates a network (see NetworkOptions for every default); the Wasm module is compiled once per
   * process, asynchronously. With threads, it resolves once the helper threads run.
   */
  static async create(options: NetworkOptions): Promise<NN> {
    const { config, undecided, preset, ...placement } = resolveNetworkOptions(options);
    return NN.placed(placement, config.layers, floatModel(config, { model: null, undecided, preset }));
  }

  /**
   * Creates a network with a synchronous Wasm compile (fine in Node; browsers limit sync compiles).
   * Helper threads start in the background: products run on the calling thread until they join.
   */
  static createSync(options: NetworkOptions): NN {
    const { config, undecided, preset, ...requested } = resolveNetworkOptions(options);
    return NN.placedSync(requested, config.layers, floatModel(config, { model: null, undecided, preset }));
  }

  /** A network of `layers` made by `make` on the engine and threads asked for, once its helpers (if any) run. */
  private static async placed(requested: Placement, layers: readonly number[], make: Make): Promise<NN> {
    const placement = resolvePlacement(requested, layers);
    const engine = await engineForAsync(placement);
    const net = new NN(make(engine, placement.threads));
    await engine.pool?.ready();
    return net;
  }

  /** placed() with a synchronous Wasm compile; helper threads join in the background. */
  private static placedSync(requested: Placement, layers: readonly number[], make: Make): NN {
    const placement = resolvePlacement(requested, layers);
    return new NN(make(engineFor(placement), placement.threads));
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
  /** 'int8' for a network from quantize() (or a quantized file), else 'float32'. */
  get precision(): 'float32' | 'int8' {
    return this.resident.precision;
  }

  /**
   * The class labels in output order (what classify answers): those learned from labels at the
   * first train or kept with the model, else the output indices of a classifier (0 and 1 for one
   * sigmoid output); null for a regression model.
   */
  get classes(): Label[] | null {
    return this.check().classes();
  }

  /** Copies of the weights (fanIn × fanOut, row-major: s = x·W) and biases (null without bias). */
  getWeights(): Weights {
    return this.trainable('getWeights').net.read('params')!;
  }

  /**
   * Replaces the weights and biases; shapes and values are checked before anything changes. A new
   * network then keeps its inputs and outputs as they are: its first train fits no normaliser.
   */
  setWeights(w: Weights): void {
    const model = this.trainable('setWeights');
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
    return this.check().predict(input);
  }

  /**
   * The class label of each row (the largest output, or output ≥ 0.5 for one sigmoid output, named
   * by net.classes): one label for one row (a flat row or a named row), an array for several.
   */
  classify(input: Row | NamedRow): Label;
  classify(input: readonly Row[] | readonly NamedRow[]): Label[];
  classify(input: unknown): Label | Label[] {
    return this.check().classify(input);
  }

  /**
   * The loss (as trained) and the metrics of the task: { loss, accuracy } for a classifier (a
   * cross-entropy loss), { loss, rmse, mae, r2 } otherwise, rmse and mae in the targets' units.
   */
  evaluate(inputs: Rows, targets: Targets): Evaluation;
  evaluate(samples: readonly Sample[]): Evaluation;
  evaluate(a: unknown, b?: unknown): Evaluation {
    const [inputs, targets] = unpack(a, b);
    return this.check().evaluate(inputs, targets);
  }

  /** Fraction of rows whose predicted class (argmax, or ≥ 0.5 for one output) is the target's. */
  accuracy(inputs: Rows, targets: Targets): number;
  accuracy(samples: readonly Sample[]): number;
  accuracy(a: unknown, b?: unknown): number {
    const [inputs, targets] = unpack(a, b);
    return this.check().accuracy(inputs, targets);
  }

  /** counts[actual][predicted] over the rows, classes in the order of net.classes (or output indices). */
  confusionMatrix(inputs: Rows, targets: Targets): number[][];
  confusionMatrix(samples: readonly Sample[]): number[][];
  confusionMatrix(a: unknown, b?: unknown): number[][] {
    const [inputs, targets] = unpack(a, b);
    return this.check().confusionMatrix(inputs, targets);
  }

  /**
   * Trains synchronously and reports what happened, with a history per epoch. Targets may be class
   * labels; a new network takes its output layer, loss and data transforms from this first data
   * (see NetworkOptions); every option's default is in TrainOptions.
   */
  train(inputs: Rows, targets: Targets, options?: TrainOptions): TrainReport;
  train(samples: readonly Sample[], options?: TrainOptions): TrainReport;
  train(a: unknown, b?: unknown, c?: unknown): TrainReport {
    return train(this.trainable('train'), ...unpack(a, b, c));
  }

  /** Trains like train() but yields to the event loop between batches; an aborted signal rejects with an AbortError. */
  trainAsync(inputs: Rows, targets: Targets, options?: TrainOptions): Promise<TrainReport>;
  trainAsync(samples: readonly Sample[], options?: TrainOptions): Promise<TrainReport>;
  async trainAsync(a: unknown, b?: unknown, c?: unknown): Promise<TrainReport> {
    return trainAsync(this.trainable('trainAsync'), ...unpack(a, b, c));
  }

  /**
   * An inference network with int8 weights (one scale per output neuron) and activations quantized
   * per row at run time, or with `calibration` rows by static ranges fitted once; it answers
   * predict, classify, evaluate and the rest like this one, with the same bits on every engine,
   * build and thread count, and saves in a quarter of the size. This network is unchanged.
   */
  quantize(options?: QuantizeOptions): NN {
    const model = this.trainable('quantize');
    if (model.undecided?.head)
      throw new Error('simdnet: quantize: the output layer is chosen by the first train(); train the network first');
    const { calibration, ...requested } = resolveQuantizeOptions(options, {
      engine: this.engine,
      threads: this.threads,
    });
    const rows = calibration === undefined ? null : model.inputs(calibration, 'options.calibration', true).x;
    const q = quantizeModel(model.toModel(false), rows);
    return NN.placedSync(requested, q.config.layers, (engine, threads) => new QuantizedResident(engine, threads, q));
  }

  /** A table of the layers, activations and parameter counts, the loss, classes, and where the network runs. */
  summary(): string {
    const model = this.check();
    const placed = { engine: this.engine, build: this.build, threads: this.threads, precision: model.precision };
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
    const resident = this.trainable('load');
    if (resident.training) throw new Error('simdnet: cannot load a model into a network while it trains');
    const read = model instanceof Uint8Array ? decodeModel(model) : parseModel(model);
    if (isQuantized(read))
      throw new TypeError(
        'model: a quantized model (precision int8) loads with NN.fromJSON or NN.fromBinary, not into a float network',
      );
    resident.load(read);
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
      ...(m.precision === 'int8' ? { precision: m.precision } : {}),
      ...(m.metadata.classes ? { classes: m.metadata.classes } : {}),
    };
    return `NN ${typeof inspect === 'function' ? inspect(view, options) : JSON.stringify(view)}`;
  }

  /** The network's model, unless the network has been disposed. */
  private check(): PlacedModel {
    if (this.resident.released) throw new Error('simdnet: this network has been disposed; create a new one');
    return this.resident;
  }

  /** The float network's model for `method`, which a quantized network refuses. */
  private trainable(method: string): ResidentModel {
    const model = this.check();
    if (model instanceof ResidentModel) return model;
    throw new Error(
      `simdnet: ${method}: this network is quantized (precision 'int8'), for inference only; ${method === 'quantize' ? 'quantize the float network it came from' : 'train the float network and quantize it again'}`,
    );
  }
}

/** Makes a model placed on an engine with its thread count. */
type Make = (engine: Engine, threads: number) => PlacedModel;

/**
 * @internal The model of a network, without its training state: what the interop exporters write.
 * Refuses anything but a network that is not disposed.
 */
export function modelOf(net: unknown): Model | QuantizedModel {
  if (!(net instanceof NN)) throw typeError('net', 'an NN (a network from NN.create or a loader)', net);
  return placedOf(net).toModel(false);
}

/** @internal A network from a checked model, placed as `options` ({ engine, threads }, as fromJSON's) ask. */
export function fromModel(model: Model | QuantizedModel, options: unknown = {}): Promise<NN> {
  return placeModel(model, options);
}

/** @internal The resident model of a network (trainInWorker prepares its data on it). */
export function residentModelOf(net: NN): ResidentModel {
  return residentOf(net);
}
