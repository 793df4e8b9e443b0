// The public NN class: checks every argument, then drives its Network (memory and descriptor)
// and the trainer. Nothing reaches a kernel before it has been validated here.
import { type BuildName, type Engine, type EngineName, engineFor, engineForAsync } from './runtime/engine.js';
import { availableEngines, resolvePlacement } from './runtime/placement.js';
import type { FloatArray } from './float.js';
import { Network } from './runtime/network.js';
import {
  resolveLoadOptions,
  resolveNetworkOptions,
  resolveTrainOptions,
  type EngineOption,
  type NetworkConfig,
  type NetworkOptions,
  type Placement,
  type ThreadsOption,
  type TrainOptions,
} from './options.js';
import { checkKeys, isPlainObject, rangeError, typeError } from './check.js';
import { toMatrix, type Matrix } from './model/data.js';
import { Random } from './model/random.js';
import { checkWeights, initialWeights, type Weights } from './model/weights.js';
import { Normalizer } from './model/normalize.js';
import { confusionMatrix } from './model/metrics.js';
import type { TrainingState } from './model/training-state.js';
import { parseModel, serializeModel, type ModelJSON } from './format/json.js';
import { openSession, closeSession, run, now, type TrainReport } from './trainer.js';
import { functionSource } from './format/function.js';
import { encodeModel, decodeModel } from './format/binary.js';
import { abortError } from './errors.js';
import { interopCodecs, type ImportOptionsOf, type TFJSModel } from './format/interop.js';

/** What a saved model brings besides its architecture. */
type SavedModel = { weights: Weights; normalizer: Normalizer | null; training: TrainingState | null };

// Networks dropped without dispose() give their memory back when they are collected.
const registry =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Network>((network) => network.release()) : null;

export class NN {
  private readonly net: Network;
  /** the part of the training state kept in JavaScript; the step and optimizer slots live in engine memory */
  private readonly trainingState: Pick<TrainingState, 'epochs' | 'random'>;
  private normalizer: Normalizer | null;
  private disposed = false;
  private training = false;

  private constructor(
    engine: Engine,
    threads: number,
    readonly config: NetworkConfig,
    saved: SavedModel | null,
  ) {
    this.net = new Network(engine, config, threads);
    this.trainingState = { random: new Random(config.seed), epochs: 0 };
    this.normalizer = null;
    if (saved) this.restore(saved);
    else this.net.write('params', initialWeights(config, this.trainingState.random));
    registry?.register(this, this.net, this);
  }

  /**
   * Creates a network; the Wasm module is compiled once per process, asynchronously. With threads,
   * it resolves once the helper threads run.
   */
  static async create(options: NetworkOptions): Promise<NN> {
    const { config, engine, threads } = resolveNetworkOptions(options);
    return NN.placed({ engine, threads }, config, null);
  }

  /**
   * Creates a network with a synchronous Wasm compile (fine in Node; browsers limit sync compiles).
   * Helper threads start in the background: products run on the calling thread until they join.
   */
  static createSync(options: NetworkOptions): NN {
    const { config, ...requested } = resolveNetworkOptions(options);
    const placement = resolvePlacement(requested, config.layers);
    return new NN(engineFor(placement), placement.threads, config, null);
  }

  /** A network on the engine and threads asked for, once its helpers (if any) run. */
  private static async placed(requested: Placement, config: NetworkConfig, saved: SavedModel | null): Promise<NN> {
    const placement = resolvePlacement(requested, config.layers);
    const engine = await engineForAsync(placement);
    const net = new NN(engine, placement.threads, config, saved);
    await engine.pool?.ready();
    return net;
  }

  /** Which builds this runtime can run, and which one 'auto' picks. */
  static engines(): { available: BuildName[]; selected: BuildName } {
    return availableEngines();
  }

  /** Rebuilds a network saved with toJSON (a JSON string or the parsed object), training state included. */
  static async fromJSON(
    json: string | ModelJSON,
    options: { engine?: EngineOption; threads?: ThreadsOption } = {},
  ): Promise<NN> {
    const saved = parseModel(json);
    return NN.placed(resolveLoadOptions(options), saved.config, saved);
  }

  /** Rebuilds a network saved with toBinary(); the checksum, version and every size are checked. */
  static async fromBinary(
    bytes: Uint8Array,
    options: { engine?: EngineOption; threads?: ThreadsOption } = {},
  ): Promise<NN> {
    const saved = decodeModel(bytes);
    return NN.placed(resolveLoadOptions(options), saved.config, saved);
  }

  get engine(): EngineName {
    return this.net.engine.name;
  }
  /**
   * Threads the network's matrix products use, in effect: as asked (or the cores, for 'auto') where
   * a layer is large enough to share its products, else 1; 1 on the 'js' engine.
   */
  get threads(): number {
    return this.net.threads;
  }
  get build(): BuildName {
    return this.net.engine.build;
  }
  get seed(): number {
    return this.config.seed;
  }
  get layers(): number[] {
    return this.config.layers.slice();
  }
  get inputSize(): number {
    return this.net.inputSize;
  }
  get outputSize(): number {
    return this.net.outputSize;
  }
  /** Epochs trained over the network's life (restored from checkpoints). */
  get epochs(): number {
    return this.trainingState.epochs;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---- parameters --------------------------------------------------------------------------

  /** Copies of the weights (fanIn × fanOut, row-major: s = x·W) and biases (null without bias). */
  getWeights(): Weights {
    this.check();
    return this.net.read('params')!;
  }

  /** Replaces the weights and biases; shapes and values are checked before anything changes. */
  setWeights(w: Weights): void {
    this.check();
    if (this.training)
      throw new Error('simdnet: cannot set weights while the network trains (a rollback would undo them)');
    this.net.write('params', checkWeights(w, this.config, 'weights'));
  }

  // ---- inference ---------------------------------------------------------------------------

  /**
   * Outputs for one row or many. A flat array (Float32Array or number[]) of k rows gives a flat
   * Float32Array of k output rows; an array of rows gives an array of Float32Array rows.
   * During trainAsync it answers with the weights of the last completed batch.
   */
  predict(input: readonly ArrayLike<number>[]): FloatArray[];
  predict(input: ArrayLike<number>): FloatArray;
  predict(input: unknown): FloatArray | FloatArray[] {
    this.check();
    const x = this.inputs(input, 'input');
    const out = this.net.outputs(x);
    if (x.form === 'flat') return out;
    const rows: FloatArray[] = [];
    for (let r = 0; r < x.rows; r++) rows.push(out.slice(r * this.outputSize, (r + 1) * this.outputSize));
    return rows;
  }

  /** The loss of the network on a data set (same definition as the training error). */
  evaluate(inputs: unknown, targets: unknown): number {
    this.check();
    const [x, t] = this.pair(inputs, targets);
    return this.net.metrics(x, t, false).error;
  }

  /** Fraction of rows whose predicted class (argmax, or ≥ 0.5 for one output) is the target's. */
  accuracy(inputs: unknown, targets: unknown): number {
    this.check();
    const [x, t] = this.pair(inputs, targets);
    return this.net.metrics(x, t, true).accuracy;
  }

  /** counts[actual][predicted] over the rows of inputs. */
  confusionMatrix(inputs: unknown, targets: unknown): number[][] {
    this.check();
    const [x, t] = this.pair(inputs, targets);
    return confusionMatrix(this.net.outputs(x), t.data, this.outputSize);
  }

  /** Input rows through the model's normaliser. */
  private inputs(value: unknown, field: string): Matrix {
    const x = toMatrix(value, this.inputSize, field);
    if (this.config.normalize === 'none') return x;
    if (!this.normalizer)
      throw new Error(
        `simdnet: normalize '${this.config.normalize}' is fitted by the first train() call; train the network first`,
      );
    return this.normalizer.apply(x);
  }

  private pair(inputs: unknown, targets: unknown, field = '', raw = false): [Matrix, Matrix] {
    const x = raw ? toMatrix(inputs, this.inputSize, `${field}inputs`) : this.inputs(inputs, `${field}inputs`);
    const t = toMatrix(targets, this.outputSize, `${field}targets`);
    if (x.rows !== t.rows) throw rangeError(`${field}targets`, `${x.rows} rows, one per input row`, `${t.rows} rows`);
    return [x, t];
  }

  // ---- training ----------------------------------------------------------------------------

  /** Trains synchronously (see TrainOptions) and reports what happened. */
  train(inputs: unknown, targets: unknown, options?: TrainOptions): TrainReport {
    const { session, release } = this.begin(inputs, targets, options);
    try {
      const steps = run(this.net, this.trainingState, session, false);
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
      }
    } finally {
      release();
    }
  }

  /** Trains like train() but yields to the event loop between batches; an aborted signal rejects with an AbortError. */
  async trainAsync(inputs: unknown, targets: unknown, options?: TrainOptions): Promise<TrainReport> {
    const { session, release } = this.begin(inputs, targets, options);
    try {
      const steps = run(this.net, this.trainingState, session, true);
      let paused = now();
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        if (now() - paused > 4) {
          await yieldToEventLoop();
          paused = now();
        }
      }
    } finally {
      release();
    }
  }

  private begin(inputs: unknown, targets: unknown, options: TrainOptions | undefined) {
    this.check();
    if (this.training) throw new Error('simdnet: this network is already training (one train or trainAsync at a time)');
    const opts = resolveTrainOptions(options);
    if (opts.signal?.aborted) throw abortError(opts.signal);
    let [x, t] = this.pair(inputs, targets, '', true);
    let vx: Matrix | null = null,
      vt: Matrix | null = null;
    if (opts.validationData) {
      [vx, vt] = this.pair(opts.validationData.inputs, opts.validationData.targets, 'validationData.', true);
    } else if (opts.validationSplit > 0) {
      const held = Math.floor(x.rows * opts.validationSplit);
      if (held < 1)
        throw rangeError(
          'validationSplit',
          `a fraction that holds out at least one of ${x.rows} rows`,
          opts.validationSplit,
        );
      [x, vx] = splitRows(x, x.rows - held);
      [t, vt] = splitRows(t, t.rows - held);
    }
    // the first training rows fit the normaliser, which is then kept with the model
    const kind = this.config.normalize;
    const normalizer = this.normalizer ?? (kind === 'none' ? null : Normalizer.fit(kind, x));
    if (normalizer) {
      x = normalizer.apply(x);
      if (vx) vx = normalizer.apply(vx);
    }
    const session = openSession(this.net, x, t, vx, vt, opts);
    this.normalizer = normalizer;
    this.training = true;
    return {
      session,
      release: () => {
        this.training = false;
        if (!this.disposed) closeSession(session);
      },
    };
  }

  // ---- persistence and lifetime ------------------------------------------------------------

  /**
   * The model as a plain, versioned object (JSON.stringify-able): architecture, weights, the
   * normaliser and, unless { training: false }, the training state (epoch, optimizer state,
   * generator state), so a reloaded network continues exactly where this one stopped.
   */
  toJSON(options?: { training?: boolean } | string): ModelJSON {
    this.check();
    // JSON.stringify calls toJSON with the property key (a string), which is not an options object
    if (options !== undefined && typeof options !== 'string') {
      if (!isPlainObject(options)) throw typeError('toJSON options', '{ training }', options);
      checkKeys('toJSON options', options, ['training']);
      if (options.training !== undefined && typeof options.training !== 'boolean')
        throw typeError('toJSON options.training', 'true or false', options.training);
    }
    const withTraining = typeof options === 'object' ? options.training !== false : true;
    const m = this.net.read('m'),
      v = this.net.read('v');
    return serializeModel(
      this.config,
      this.net.read('params')!,
      this.normalizer,
      withTraining
        ? {
            epochs: this.trainingState.epochs,
            random: this.trainingState.random,
            step: this.net.step,
            optimizerState: m && v ? { m, v } : null,
          }
        : null,
    );
  }

  /** The same model as toJSON() in the compact binary format (float32 little-endian, CRC-32 checked). */
  toBinary(options?: { training?: boolean }): Uint8Array {
    return encodeModel(this.toJSON(options ?? {}));
  }

  // ---- ONNX and TensorFlow.js (codecs registered by importing 'simdnet/interop') ------------

  /** The network as an ONNX ModelProto (input 'input' [batch, inputs], output 'output'), for ONNX Runtime and others. */
  toONNX(): Uint8Array {
    const model = this.toJSON({ training: false }); // a disposed network says so first
    return interopCodecs<ModelJSON>('toONNX').toONNX(model);
  }

  /** The network as a TensorFlow.js layers model: model.json's content and weights.bin's bytes. */
  toTFJS(): TFJSModel {
    const model = this.toJSON({ training: false });
    return interopCodecs<ModelJSON>('toTFJS').toTFJS(model);
  }

  /** A network from an ONNX file (PyTorch's exporters, toONNX); options: { loss } and those of fromJSON. */
  static async fromONNX(bytes: Uint8Array, options?: ImportOptionsOf<typeof NN.fromJSON>): Promise<NN> {
    const { model, options: rest } = interopCodecs<ModelJSON>('fromONNX').fromONNX(bytes, options);
    return NN.fromJSON(model, rest);
  }

  /** A network from a TensorFlow.js layers model (model.json object or text; weights.bin bytes, or tf.io artifacts' weightData). */
  static async fromTFJS(
    modelJSON: object | string,
    weightData: Uint8Array | ArrayBuffer | ArrayBuffer[],
    options?: ImportOptionsOf<typeof NN.fromJSON>,
  ): Promise<NN> {
    const { model, options: rest } = interopCodecs<ModelJSON>('fromTFJS').fromTFJS(modelJSON, weightData, options);
    return NN.fromJSON(model, rest);
  }

  /**
   * Takes over the weights, normaliser and training state of a model saved by toJSON() or
   * toBinary() from a network of the same architecture, so that training continues exactly where
   * that one stopped. trainInWorker brings a worker's training home with it.
   */
  load(model: string | ModelJSON | Uint8Array): void {
    this.check();
    if (this.training) throw new Error('simdnet: cannot load a model into a network while it trains');
    const saved = model instanceof Uint8Array ? decodeModel(model) : parseModel(model);
    const a = saved.config,
      b = this.config;
    const same =
      a.layers.join() === b.layers.join() &&
      a.loss === b.loss &&
      a.bias === b.bias &&
      a.normalize === b.normalize &&
      a.activations.every((x, i) => {
        const y = b.activations[i]!;
        return x.name === y.name && x.gain === y.gain && x.threshold === y.threshold && x.slope === y.slope;
      });
    if (!same)
      throw new RangeError(
        "model: its architecture (layers, activations, loss, bias, normalize) differs from this network's",
      );
    this.restore(saved);
  }

  /** Weights, normaliser and (when saved) the training state of a checked model. */
  private restore(saved: SavedModel): void {
    this.net.write('params', saved.weights);
    this.normalizer = saved.normalizer;
    if (!saved.training) return;
    this.trainingState.epochs = saved.training.epochs;
    this.trainingState.random = saved.training.random;
    this.net.step = saved.training.step;
    if (saved.training.optimizerState) {
      this.net.write('m', saved.training.optimizerState.m);
      this.net.write('v', saved.training.optimizerState.v);
    }
  }

  /**
   * Standalone inference as a JavaScript function (no dependencies, no Wasm) that matches
   * predict() to float32 rounding: (row: ArrayLike<number>) => Float64Array. Its source is
   * `fn.toString()`; the code holds only numbers taken from the model.
   */
  toFunction(): (row: ArrayLike<number>) => Float64Array {
    this.check();
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function(`return ${functionSource(this.config, this.net.read('params')!, this.normalizer)}`)() as (
      row: ArrayLike<number>,
    ) => Float64Array;
  }

  /** Returns the network's memory to its engine. Calling it twice is harmless. */
  dispose(): void {
    if (this.disposed) return;
    if (this.training) throw new Error('simdnet: cannot dispose a network while it trains; abort its training first');
    this.disposed = true;
    registry?.unregister(this);
    this.net.release();
  }

  private check(): void {
    if (this.disposed) throw new Error('simdnet: this network has been disposed; create a new one');
  }
}

function splitRows(m: Matrix, at: number): [Matrix, Matrix] {
  return [
    { ...m, data: m.data.subarray(0, at * m.cols), rows: at },
    { ...m, data: m.data.subarray(at * m.cols), rows: m.rows - at },
  ];
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else if (typeof MessageChannel === 'function') {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    } else setTimeout(resolve, 0);
  });
}
