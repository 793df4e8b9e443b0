// The public NN class: checks every argument, then drives its Network (memory and descriptor)
// and the trainer. Nothing reaches a kernel before it has been validated here.
import { type EngineName, type BuildName, loadEngine, loadEngineSync, availableEngines } from './engine.js';
import { FloatArray } from './float.js';
import { Network, type Weights } from './network.js';
import {
  resolveNetworkOptions, resolveTrainOptions, isPlainObject, checkKeys, typeError, rangeError,
  type NetworkConfig, type NetworkOptions, type TrainOptions, type EngineOption,
} from './options.js';
import { toMatrix, type Matrix } from './data.js';
import { Random } from './random.js';
import { initialWeights } from './init.js';
import { Normalizer } from './normalize.js';
import { confusionMatrix } from './metrics.js';
import { parseModel, serializeModel, type ModelJSON, type TrainingState } from './serialize.js';
import { openSession, closeSession, run, now, type Life, type TrainReport } from './trainer.js';
import { functionSource } from './codegen.js';
import { encodeModel, decodeModel } from './binary.js';
import { abortError } from './errors.js';
import { interopCodecs, type ImportOptionsOf, type TFJSModel } from './format/interop.js';

export type { Weights } from './network.js';
export type { TrainReport } from './trainer.js';

// Networks dropped without dispose() give their memory back when they are collected.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Network>((network) => network.release())
  : null;

export class NN {
  private readonly net: Network;
  private readonly life: Life;
  private normalizer: Normalizer | null;
  private disposed = false;
  private training = false;

  private constructor(engine: Awaited<ReturnType<typeof loadEngine>>, readonly config: NetworkConfig,
    saved: { weights: Weights; normalizer: Normalizer | null; training: TrainingState | null } | null) {
    this.net = new Network(engine, config);
    this.life = { random: new Random(config.seed), epochs: 0 };
    this.normalizer = null;
    if (saved) this.restore(saved);
    else this.net.write('params', initialWeights(config, this.life.random));
    registry?.register(this, this.net, this);
  }

  /** Creates a network; the Wasm module is compiled once per process, asynchronously. */
  static async create(options: NetworkOptions): Promise<NN> {
    const { config, engine } = resolveNetworkOptions(options);
    return new NN(await loadEngine(engine), config, null);
  }

  /** Creates a network with a synchronous Wasm compile (fine in Node; browsers limit sync compiles). */
  static createSync(options: NetworkOptions): NN {
    const { config, engine } = resolveNetworkOptions(options);
    return new NN(loadEngineSync(engine), config, null);
  }

  /** Which builds this runtime can run, and which one 'auto' picks. */
  static engines(): { available: BuildName[]; selected: BuildName } { return availableEngines(); }

  /** Rebuilds a network saved with toJSON (a JSON string or the parsed object), training state included. */
  static async fromJSON(json: string | ModelJSON, options: { engine?: EngineOption } = {}): Promise<NN> {
    const saved = parseModel(json);
    return new NN(await loadEngine(engineOption(options)), saved.config, saved);
  }

  /** Rebuilds a network saved with toBinary(); the checksum, version and every size are checked. */
  static async fromBinary(bytes: Uint8Array, options: { engine?: EngineOption } = {}): Promise<NN> {
    const saved = decodeModel(bytes);
    return new NN(await loadEngine(engineOption(options)), saved.config, saved);
  }

  get engine(): EngineName { return this.net.engine.name; }
  get build(): BuildName { return this.net.engine.build; }
  get seed(): number { return this.config.seed; }
  get layers(): number[] { return this.config.layers.slice(); }
  get inputSize(): number { return this.net.inputSize; }
  get outputSize(): number { return this.net.outputSize; }
  /** Epochs trained over the network's life (restored from checkpoints). */
  get epochs(): number { return this.life.epochs; }
  get isDisposed(): boolean { return this.disposed; }

  // ---- parameters --------------------------------------------------------------------------

  /** Copies of the weights (fanIn × fanOut, row-major: s = x·W) and biases (null without bias). */
  getWeights(): Weights {
    this.check();
    return this.net.read('params')!;
  }

  /** Replaces the weights and biases; shapes and values are checked before anything changes. */
  setWeights(w: Weights): void {
    this.check();
    if (this.training) throw new Error('simdnet: cannot set weights while the network trains (a rollback would undo them)');
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
    if (!this.normalizer) throw new Error(`simdnet: normalize '${this.config.normalize}' is fitted by the first train() call; train the network first`);
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
      const steps = run(this.net, this.life, session, false);
      for (;;) { const step = steps.next(); if (step.done) return step.value; }
    } finally {
      release();
    }
  }

  /** Trains like train() but yields to the event loop between batches; an aborted signal rejects with an AbortError. */
  async trainAsync(inputs: unknown, targets: unknown, options?: TrainOptions): Promise<TrainReport> {
    const { session, release } = this.begin(inputs, targets, options);
    try {
      const steps = run(this.net, this.life, session, true);
      let paused = now();
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        if (now() - paused > 4) { await yieldToEventLoop(); paused = now(); }
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
    let vx: Matrix | null = null, vt: Matrix | null = null;
    if (opts.validationData) {
      [vx, vt] = this.pair(opts.validationData.inputs, opts.validationData.targets, 'validationData.', true);
    } else if (opts.validationSplit > 0) {
      const held = Math.floor(x.rows * opts.validationSplit);
      if (held < 1) throw rangeError('validationSplit', `a fraction that holds out at least one of ${x.rows} rows`, opts.validationSplit);
      [x, vx] = splitRows(x, x.rows - held);
      [t, vt] = splitRows(t, t.rows - held);
    }
    // the first training rows fit the normaliser, which is then kept with the model
    const kind = this.config.normalize;
    const normalizer = this.normalizer ?? (kind === 'none' ? null : Normalizer.fit(kind, x));
    if (normalizer) { x = normalizer.apply(x); if (vx) vx = normalizer.apply(vx); }
    const session = openSession(this.net, x, t, vx, vt, opts);
    this.normalizer = normalizer;
    this.training = true;
    return { session, release: () => { this.training = false; if (!this.disposed) closeSession(this.net, session); } };
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
      if (options.training !== undefined && typeof options.training !== 'boolean') throw typeError('toJSON options.training', 'true or false', options.training);
    }
    const withTraining = typeof options === 'object' ? options.training !== false : true;
    const first = this.net.read('state1'), second = this.net.read('state2');
    return serializeModel(this.config, this.net.read('params')!, this.normalizer, withTraining ? {
      epochs: this.life.epochs, step: this.net.step, random: this.life.random.state,
      state: first && second ? { first, second } : null,
    } : null);
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
  static async fromTFJS(modelJSON: object | string, weightData: Uint8Array | ArrayBuffer | ArrayBuffer[], options?: ImportOptionsOf<typeof NN.fromJSON>): Promise<NN> {
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
    const a = saved.config, b = this.config;
    const same = a.layers.join() === b.layers.join() && a.loss === b.loss && a.bias === b.bias && a.normalize === b.normalize
      && a.activations.every((x, i) => { const y = b.activations[i]!; return x.name === y.name && x.gain === y.gain && x.threshold === y.threshold && x.slope === y.slope; });
    if (!same) throw new RangeError('model: its architecture (layers, activations, loss, bias, normalize) differs from this network\'s');
    this.restore(saved);
  }

  /** Weights, normaliser and (when saved) the training state of a checked model. */
  private restore(saved: { weights: Weights; normalizer: Normalizer | null; training: TrainingState | null }): void {
    this.net.write('params', saved.weights);
    this.normalizer = saved.normalizer;
    if (!saved.training) return;
    this.life.epochs = saved.training.epochs;
    this.life.random = new Random(saved.training.random);
    this.net.step = saved.training.step;
    if (saved.training.state) {
      this.net.write('state1', saved.training.state.first);
      this.net.write('state2', saved.training.state.second);
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
    return new Function(`return ${functionSource(this.config, this.net.read('params')!, this.normalizer)}`)() as (row: ArrayLike<number>) => Float64Array;
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

function engineOption(options: unknown): EngineOption {
  if (!isPlainObject(options)) throw typeError('options', '{ engine }', options);
  checkKeys('options', options, ['engine']);
  return resolveNetworkOptions({ layers: [1, 1], engine: options.engine }).engine;
}

function splitRows(m: Matrix, at: number): [Matrix, Matrix] {
  return [
    { ...m, data: m.data.subarray(0, at * m.cols), rows: at },
    { ...m, data: m.data.subarray(at * m.cols), rows: m.rows - at },
  ];
}

/** Checks a { weights, biases } object against the architecture; returns it as Float32Arrays. */
export function checkWeights(w: unknown, c: NetworkConfig, field: string): Weights {
  if (!isPlainObject(w)) throw typeError(field, '{ weights, biases }', w);
  checkKeys(field, w, ['weights', 'biases']);
  const { weights, biases } = w;
  const n = c.layers.length - 1;
  if (!Array.isArray(weights) || weights.length !== n) throw rangeError(`${field}.weights`, `an array of ${n} matrices`, weights);
  if (c.bias ? !Array.isArray(biases) || biases.length !== n : biases != null && (!Array.isArray(biases) || biases.some((b) => b !== null))) {
    throw rangeError(`${field}.biases`, c.bias ? `an array of ${n} vectors` : 'null entries (the network has no bias)', biases);
  }
  const out: Weights = { weights: [], biases: [] };
  for (let l = 0; l < n; l++) {
    const fanIn = c.layers[l]!, fanOut = c.layers[l + 1]!;
    const m = toMatrix(weights[l], fanOut, `${field}.weights[${l}]`);
    if (m.rows !== fanIn) throw rangeError(`${field}.weights[${l}]`, `${fanIn} x ${fanOut} values (fanIn x fanOut)`, `${m.rows} rows of ${fanOut}`);
    out.weights.push(m.data === weights[l] ? m.data.slice() : m.data);
    if (c.bias) {
      const b = toMatrix((biases as unknown[])[l], fanOut, `${field}.biases[${l}]`);
      if (b.rows !== 1) throw rangeError(`${field}.biases[${l}].length`, `${fanOut}`, b.data.length);
      out.biases.push(b.data);
    } else out.biases.push(null);
  }
  return out;
}


function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else if (typeof MessageChannel === 'function') {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
      ch.port2.postMessage(null);
    } else setTimeout(resolve, 0);
  });
}
