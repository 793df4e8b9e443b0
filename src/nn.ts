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
  type TrainOptions,
} from './options.js';
import type { NetworkConfig } from './vocabulary.js';
import { typeError } from './check.js';
import type { Model } from './model/model.js';
import { checkWeights, type Weights } from './model/weights.js';
import { confusionMatrix } from './model/metrics.js';
import { modelToJSON, parseModel, type ModelJSON } from './format/json.js';
import { encodeModel, decodeModel } from './format/binary.js';
import { ResidentModel } from './resident.js';
import { train, trainAsync, type TrainReport } from './trainer.js';

/** Access to NN's internals for the module functions below (set in NN's static block). */
let residentOf: (net: NN) => ResidentModel;
let placeModel: (model: Model, options: unknown) => Promise<NN>;

// Networks dropped without dispose() give their memory back when they are collected.
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<ResidentModel>((model) => model.release())
    : null;

export class NN {
  static {
    residentOf = (net) => net.check();
    placeModel = (model, options) => NN.placed(resolveLoadOptions(options), model.config, model);
  }

  private constructor(private readonly resident: ResidentModel) {
    registry?.register(this, resident, this);
  }

  /**
   * Creates a network; the Wasm module is compiled once per process, asynchronously. With threads,
   * it resolves once the helper threads run.
   */
  static async create(options: NetworkOptions): Promise<NN> {
    const { config, ...placement } = resolveNetworkOptions(options);
    return NN.placed(placement, config, null);
  }

  /**
   * Creates a network with a synchronous Wasm compile (fine in Node; browsers limit sync compiles).
   * Helper threads start in the background: products run on the calling thread until they join.
   */
  static createSync(options: NetworkOptions): NN {
    const { config, ...requested } = resolveNetworkOptions(options);
    const placement = resolvePlacement(requested, config.layers);
    return NN.onEngine(engineFor(placement), placement.threads, config, null);
  }

  /** A network on the engine and threads asked for, once its helpers (if any) run. */
  private static async placed(requested: Placement, config: NetworkConfig, model: Model | null): Promise<NN> {
    const placement = resolvePlacement(requested, config.layers);
    const engine = await engineForAsync(placement);
    const net = NN.onEngine(engine, placement.threads, config, model);
    await engine.pool?.ready();
    return net;
  }

  private static onEngine(engine: Engine, threads: number, config: NetworkConfig, model: Model | null): NN {
    return new NN(new ResidentModel(new Network(engine, config, threads), model));
  }

  /** Rebuilds a network saved with toJSON (a JSON string or the parsed object), training state included. */
  static async fromJSON(json: string | ModelJSON, options: LoadOptions = {}): Promise<NN> {
    const model = parseModel(json);
    return NN.placed(resolveLoadOptions(options), model.config, model);
  }

  /** Rebuilds a network saved with toBinary(); the checksum, version and every size are checked. */
  static async fromBinary(bytes: Uint8Array, options: LoadOptions = {}): Promise<NN> {
    const model = decodeModel(bytes);
    return NN.placed(resolveLoadOptions(options), model.config, model);
  }

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
  get build(): BuildName {
    return this.resident.net.engine.build;
  }
  get layers(): number[] {
    return this.resident.config.layers.slice();
  }
  /** Epochs trained over the network's life (restored from checkpoints). */
  get epochs(): number {
    return this.resident.epochs;
  }
  get isDisposed(): boolean {
    return this.resident.released;
  }

  /** Copies of the weights (fanIn × fanOut, row-major: s = x·W) and biases (null without bias). */
  getWeights(): Weights {
    return this.check().net.read('params')!;
  }

  /** Replaces the weights and biases; shapes and values are checked before anything changes. */
  setWeights(w: Weights): void {
    const model = this.check();
    if (model.training)
      throw new Error('simdnet: cannot set weights while the network trains (a rollback would undo them)');
    model.net.write('params', checkWeights(w, model.config, 'weights'));
  }

  /**
   * Outputs for one row or many. A flat array (Float32Array or number[]) of k rows gives a flat
   * Float32Array of k output rows; an array of rows gives an array of Float32Array rows.
   * During trainAsync it answers with the weights of the last completed batch.
   */
  predict(input: readonly ArrayLike<number>[]): FloatArray[];
  predict(input: ArrayLike<number>): FloatArray;
  predict(input: unknown): FloatArray | FloatArray[] {
    const model = this.check();
    const x = model.outputs(input, 'input');
    if (x.form === 'flat') return x.out;
    const rows: FloatArray[] = [],
      k = model.outputSize;
    for (let r = 0; r < x.rows; r++) rows.push(x.out.slice(r * k, (r + 1) * k));
    return rows;
  }

  /** The loss of the network on a data set (same definition as the training loss). */
  evaluate(inputs: unknown, targets: unknown): number {
    const model = this.check();
    return model.net.metrics(...model.pair(inputs, targets), false).error;
  }

  /** Fraction of rows whose predicted class (argmax, or ≥ 0.5 for one output) is the target's. */
  accuracy(inputs: unknown, targets: unknown): number {
    const model = this.check();
    return model.net.metrics(...model.pair(inputs, targets), true).accuracy;
  }

  /** counts[actual][predicted] over the rows of inputs. */
  confusionMatrix(inputs: unknown, targets: unknown): number[][] {
    const model = this.check();
    const [x, t] = model.pair(inputs, targets);
    return confusionMatrix(model.net.outputs(x), t.data, model.outputSize);
  }

  /** Trains synchronously (see TrainOptions) and reports what happened. */
  train(inputs: unknown, targets: unknown, options?: TrainOptions): TrainReport {
    return train(this.check(), inputs, targets, options);
  }

  /** Trains like train() but yields to the event loop between batches; an aborted signal rejects with an AbortError. */
  async trainAsync(inputs: unknown, targets: unknown, options?: TrainOptions): Promise<TrainReport> {
    return trainAsync(this.check(), inputs, targets, options);
  }

  /**
   * The model as a plain, versioned object (JSON.stringify-able): architecture, weights, the
   * normaliser and, unless { training: false }, the training state (epoch, optimizer state,
   * generator state), so a reloaded network continues exactly where this one stopped.
   */
  toJSON(options?: { training?: boolean } | string): ModelJSON {
    // JSON.stringify calls toJSON with the property key (a string), which is not an options object
    return modelToJSON(this.check().toModel(typeof options === 'string' || resolveSaveOptions(options)));
  }

  /** The same model as toJSON() in the compact binary format (float32 little-endian, CRC-32 checked). */
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
