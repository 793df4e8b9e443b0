// The public NN class: owns one network's regions of its engine's memory, writes the descriptor
// the kernels read, and runs training and inference through whole-batch or whole-epoch calls.
import { type Engine, type EngineName, type BuildName, loadEngine, loadEngineSync, availableEngines } from './engine.js';
import { FloatArray } from './float.js';
import { MAX_BYTES } from './heap.js';
import { ACT, H, HEADER_WORDS, L, LAYER_WORDS, LOSS, OPT, planModel, planWork, type ModelPlan, type WorkPlan } from './layout.js';
import {
  resolveNetworkOptions, resolveTrainOptions, isPlainObject, typeError, rangeError,
  type NetworkConfig, type NetworkOptions, type ResolvedTrainOptions, type TrainOptions, type EngineOption, type EpochInfo,
} from './options.js';
import { toMatrix, type Matrix } from './data.js';
import { Random } from './random.js';
import { initialWeights } from './init.js';
import { Normalizer } from './normalize.js';
import { accuracy, confusionMatrix } from './metrics.js';
import { parseModel, type ModelJSON, FORMAT, VERSION } from './serialize.js';

export interface Weights {
  /** weights[l] is fanIn × fanOut, row-major: s = x · W (the article's layout) */
  weights: FloatArray[];
  biases: (FloatArray | null)[];
}

export interface TrainReport {
  /** epochs run in this call */
  epochs: number;
  /** the last epoch's error (loss over the training set) */
  error: number;
  /** why training stopped */
  stoppedBy: 'epochs' | 'errorThreshold' | 'callback';
  elapsedMs: number;
  samplesPerSecond: number;
}

/** Training data at most this size is copied into Wasm memory once, so an epoch is one call. */
const RESIDENT_BYTES = 4 << 20;
/** Rows per forward call when predicting or evaluating many rows. */
const PREDICT_CHUNK = 256;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

interface Session {
  x: Matrix;
  t: Matrix;
  opts: ResolvedTrainOptions;
  batch: number;
  /** resident copies of x and t, and the shuffle order, in engine memory (0 when streamed) */
  region: number;
  xPtr: number;
  tPtr: number;
  orderPtr: number;
  order: Int32Array;
}

export class NN {
  private readonly heap;
  private readonly kernels;
  private readonly plan: ModelPlan;
  private readonly model: number;
  private work = 0;
  private workPlan: WorkPlan | null = null;
  private state = 0;
  private disposed = false;
  private readonly random: Random;
  /** epochs trained so far over the network's life */
  private epochsTrained = 0;

  /** the input normaliser (fitted by the first train() when config.normalize is not 'none') */
  private normalizer: Normalizer | null;

  private constructor(private readonly engineRef: Engine, readonly config: NetworkConfig, weights: Weights | null, normalizer: Normalizer | null = null) {
    this.normalizer = normalizer;
    this.heap = engineRef.heap;
    this.kernels = engineRef.kernels;
    this.random = new Random(config.seed);
    this.plan = planModel(config.layers, config.bias);
    checkBytes(this.plan.bytes, 'layers', config.layers);
    this.model = this.heap.alloc(this.plan.bytes);
    this.writeDescriptor();
    this.setParameters(weights ?? initialWeights(config, this.random));
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

  /** Rebuilds a network saved with toJSON (a JSON string or the parsed object). */
  static async fromJSON(json: string | ModelJSON, options: { engine?: EngineOption } = {}): Promise<NN> {
    const { config, weights, normalizer } = parseModel(json);
    const engine = resolveNetworkOptions({ layers: config.layers, engine: options.engine }).engine;
    return new NN(await loadEngine(engine), config, weights, normalizer);
  }

  get engine(): EngineName { return this.engineRef.name; }
  get build(): BuildName { return this.engineRef.build; }
  get seed(): number { return this.config.seed; }
  get layers(): number[] { return this.config.layers.slice(); }
  get inputSize(): number { return this.config.layers[0]!; }
  get outputSize(): number { return this.config.layers[this.config.layers.length - 1]!; }

  // ---- descriptor --------------------------------------------------------------------------

  private get weightLayers(): number { return this.config.layers.length - 1; }
  private word(l: number, w: number): number { return (this.model >> 2) + HEADER_WORDS + l * LAYER_WORDS + w; }

  private writeDescriptor(): void {
    const { i32, f32 } = this.heap;
    const h = this.model >> 2, p = this.plan, base = this.model;
    i32[h + H.LAYERS] = this.weightLayers;
    i32[h + H.LOSS] = LOSS[this.config.loss];
    i32[h + H.SCRATCH] = base + p.scratch;
    i32[h + H.PARAMS] = base + p.params;
    i32[h + H.GRADS] = base + p.grads;
    i32[h + H.PARAM_COUNT] = p.paramFloats;
    const gradShift = p.grads - p.params;
    for (let l = 0; l < this.weightLayers; l++) {
      const a = this.config.activations[l]!;
      i32[this.word(l, L.FAN_IN)] = this.config.layers[l]!;
      i32[this.word(l, L.FAN_OUT)] = this.config.layers[l + 1]!;
      i32[this.word(l, L.ACT)] = ACT[a.name];
      f32[this.word(l, L.P0)] = a.name === 'leaky-relu' ? a.slope : a.gain;
      f32[this.word(l, L.P1)] = a.threshold;
      i32[this.word(l, L.W)] = base + p.weights[l]!;
      i32[this.word(l, L.GW)] = base + p.weights[l]! + gradShift;
      const b = p.biases[l];
      i32[this.word(l, L.B)] = b === null || b === undefined ? 0 : base + b;
      i32[this.word(l, L.GB)] = b === null || b === undefined ? 0 : base + b + gradShift;
    }
  }

  /** Makes the per-batch buffers hold at least `rows` rows (reallocating them when smaller). */
  private ensureCapacity(rows: number): WorkPlan {
    if (this.workPlan && this.workPlan.capacity >= rows) return this.workPlan;
    const plan = planWork(this.config.layers, rows);
    checkBytes(plan.bytes + this.heap.allocated, 'batch rows', rows);
    const ptr = this.heap.alloc(plan.bytes);
    if (this.work) this.heap.release(this.work);
    this.work = ptr;
    this.workPlan = plan;
    const i32 = this.heap.i32, h = this.model >> 2;
    for (let l = 0; l < this.weightLayers; l++) {
      i32[this.word(l, L.Y)] = ptr + plan.outputs[l]!;
      i32[this.word(l, L.D)] = ptr + plan.deltas[l]!;
    }
    i32[h + H.INPUT_STAGE] = ptr + plan.inputStage;
    i32[h + H.TARGET_STAGE] = ptr + plan.targetStage;
    i32[h + H.CAPACITY] = rows;
    return plan;
  }

  private get outputPtr(): number { return this.heap.i32[this.word(this.weightLayers - 1, L.Y)]!; }

  // ---- parameters --------------------------------------------------------------------------

  private setParameters(w: Weights): void {
    const f32 = this.heap.f32;
    for (let l = 0; l < this.weightLayers; l++) {
      f32.set(w.weights[l]!, (this.model + this.plan.weights[l]!) >> 2);
      const b = this.plan.biases[l];
      if (b !== null && b !== undefined) f32.set(w.biases[l]!, (this.model + b) >> 2);
    }
  }

  /** Copies of the weights (fanIn × fanOut, row-major) and biases (null without bias). */
  getWeights(): Weights {
    this.check();
    const f32 = this.heap.f32;
    const weights: FloatArray[] = [], biases: (FloatArray | null)[] = [];
    for (let l = 0; l < this.weightLayers; l++) {
      const at = (this.model + this.plan.weights[l]!) >> 2;
      weights.push(f32.slice(at, at + this.config.layers[l]! * this.config.layers[l + 1]!));
      const b = this.plan.biases[l];
      biases.push(b === null || b === undefined ? null : f32.slice((this.model + b) >> 2, ((this.model + b) >> 2) + this.config.layers[l + 1]!));
    }
    return { weights, biases };
  }

  /** Replaces the weights and biases; shapes and values are checked before anything changes. */
  setWeights(w: Weights): void {
    this.check();
    this.setParameters(checkWeights(w, this.config, 'weights'));
  }

  // ---- inference ---------------------------------------------------------------------------

  /**
   * Outputs for one row or many. A flat array (Float32Array or number[]) of k rows gives a flat
   * Float32Array of k output rows; an array of rows gives an array of Float32Array rows.
   */
  predict(input: ArrayLike<number> | readonly ArrayLike<number>[]): FloatArray;
  predict(input: readonly ArrayLike<number>[]): FloatArray[];
  predict(input: unknown): FloatArray | FloatArray[] {
    this.check();
    const x = this.normalized(toMatrix(input, this.inputSize, 'input'), false);
    const out = this.outputsOf(x);
    if (x.form === 'flat') return out;
    const rows: FloatArray[] = [];
    for (let r = 0; r < x.rows; r++) rows.push(out.slice(r * this.outputSize, (r + 1) * this.outputSize));
    return rows;
  }

  private outputsOf(x: Matrix): FloatArray {
    const out = new FloatArray(x.rows * this.outputSize);
    this.forwardAll(x, (start, count, yAt) => out.set(this.heap.f32.subarray(yAt, yAt + count * this.outputSize), start * this.outputSize));
    return out;
  }

  /** Fraction of rows whose predicted class (argmax, or ≥ 0.5 for one output) is the target's. */
  accuracy(inputs: unknown, targets: unknown): number {
    this.check();
    return accuracy(this.outputsOf(this.normalized(toMatrix(inputs, this.inputSize, 'inputs'), false)), targets, this.outputSize);
  }

  /** counts[actual][predicted] over the rows of inputs. */
  confusionMatrix(inputs: unknown, targets: unknown): number[][] {
    this.check();
    return confusionMatrix(this.outputsOf(this.normalized(toMatrix(inputs, this.inputSize, 'inputs'), false)), targets, this.outputSize);
  }

  /** Runs the forward pass over every row of x in chunks; `sink` reads each chunk's outputs. */
  private forwardAll(x: Matrix, sink: (start: number, count: number, outputIndex: number) => void, resident = 0): void {
    const plan = this.ensureCapacity(Math.min(x.rows, Math.max(this.workPlan?.capacity ?? 0, PREDICT_CHUNK)));
    const stage = this.work + plan.inputStage;
    for (let start = 0; start < x.rows; start += plan.capacity) {
      const count = Math.min(plan.capacity, x.rows - start);
      let from = stage;
      if (resident) from = resident + start * x.cols * 4;
      else this.heap.f32.set(x.data.subarray(start * x.cols, (start + count) * x.cols), stage >> 2);
      this.kernels.forward(this.model, from, count);
      sink(start, count, this.outputPtr >> 2);
    }
  }

  /** x through the input normaliser; the first training data fits it. */
  private normalized(x: Matrix, fit: boolean): Matrix {
    const kind = this.config.normalize;
    if (kind === 'none') return x;
    if (!this.normalizer) {
      if (!fit) throw new Error(`simdnet: normalize '${kind}' is fitted by the first train() call; train the network first`);
      this.normalizer = Normalizer.fit(kind, x);
    }
    return this.normalizer.apply(x);
  }

  // ---- training ----------------------------------------------------------------------------

  /** Trains synchronously; see TrainOptions. Returns what happened. */
  train(inputs: unknown, targets: unknown, options?: TrainOptions): TrainReport {
    this.check();
    const session = this.begin(inputs, targets, options);
    try {
      const run = this.epochs(session);
      let step = run.next();
      while (!step.done) step = run.next();
      return step.value;
    } finally {
      this.end(session);
    }
  }

  /** Trains like train() but yields to the event loop between batches. */
  async trainAsync(inputs: unknown, targets: unknown, options?: TrainOptions): Promise<TrainReport> {
    this.check();
    const session = this.begin(inputs, targets, options);
    try {
      const run = this.epochs(session);
      let last = now();
      let step = run.next();
      while (!step.done) {
        if (now() - last > 8) { await yieldToEventLoop(); last = now(); this.check(); }
        step = run.next();
      }
      return step.value;
    } finally {
      this.end(session);
    }
  }

  private begin(inputs: unknown, targets: unknown, options: TrainOptions | undefined): Session {
    const opts = resolveTrainOptions(options);
    const x = this.normalized(toMatrix(inputs, this.inputSize, 'inputs'), true);
    const t = toMatrix(targets, this.outputSize, 'targets');
    if (x.rows !== t.rows) throw rangeError('targets', `${x.rows} rows, one per input row`, `${t.rows} rows`);
    const batch = opts.batchSize === 'full' ? x.rows : Math.min(opts.batchSize, x.rows);
    this.ensureCapacity(batch);
    this.ensureOptimizerState(opts);
    const bytes = (x.data.length + t.data.length) * 4;
    let region = 0, xPtr = 0, tPtr = 0, orderPtr = 0;
    if (bytes <= RESIDENT_BYTES) {
      region = this.heap.alloc(bytes + x.rows * 4 + 32);
      xPtr = region;
      tPtr = xPtr + Math.ceil(x.data.length * 4 / 16) * 16;
      orderPtr = tPtr + Math.ceil(t.data.length * 4 / 16) * 16;
      this.heap.f32.set(x.data, xPtr >> 2);
      this.heap.f32.set(t.data, tPtr >> 2);
    }
    return { x, t, opts, batch, region, xPtr, tPtr, orderPtr, order: new Int32Array(x.rows) };
  }

  private end(session: Session): void {
    if (session.region && !this.disposed) this.heap.release(session.region);
  }

  private ensureOptimizerState(opts: ResolvedTrainOptions): void {
    const slots = opts.optimizer === 'adam' ? 2 : opts.optimizer === 'sgd' ? 0 : 1;
    // one allocation holds both slots so that switching optimizers later never moves the state
    if (slots > 0 && !this.state) this.state = this.heap.alloc(this.plan.paramFloats * 4 * 2);
    const i32 = this.heap.i32, f32 = this.heap.f32, h = this.model >> 2;
    i32[h + H.STATE1] = this.state;
    i32[h + H.STATE2] = this.state ? this.state + this.plan.paramFloats * 4 : 0;
    i32[h + H.OPTIMIZER] = OPT[opts.optimizer];
    f32[h + H.LR] = opts.learningRate;
    f32[h + H.BETA1] = opts.optimizer === 'adam' ? opts.beta1 : opts.momentum;
    f32[h + H.BETA2] = opts.beta2;
    f32[h + H.EPSILON] = opts.epsilon;
    f32[h + H.DECAY] = opts.weightDecay;
    f32[h + H.CLIP] = opts.clipNorm;
  }

  /** The epoch loop as a generator that pauses after each call into the kernels. */
  private *epochs(s: Session): Generator<void, TrainReport, void> {
    const { x, t, opts, batch } = s;
    const started = now();
    let error = NaN, epoch = 0;
    let stoppedBy: TrainReport['stoppedBy'] = 'epochs';
    const shuffle = opts.shuffle && batch < x.rows;
    while (epoch < opts.epochs) {
      if (shuffle) this.random.permutation(s.order, x.rows);
      if (s.region) {
        if (shuffle) this.heap.i32.set(s.order, s.orderPtr >> 2);
        this.kernels.trainEpoch(this.model, s.xPtr, s.tPtr, shuffle ? s.orderPtr : 0, x.rows, batch);
        yield;
      } else {
        for (let start = 0; start < x.rows; start += batch) {
          const count = Math.min(batch, x.rows - start);
          const plan = this.workPlan!;
          this.stageRows(x, shuffle ? s.order : null, start, count, this.work + plan.inputStage);
          this.stageRows(t, shuffle ? s.order : null, start, count, this.work + plan.targetStage);
          this.kernels.forward(this.model, this.work + plan.inputStage, count);
          this.kernels.backward(this.model, this.work + plan.targetStage, count);
          this.kernels.update(this.model);
          yield;
        }
      }
      epoch++;
      this.epochsTrained++;
      const last = epoch === opts.epochs;
      if (last || opts.onEpoch || opts.errorThreshold > 0) {
        error = this.datasetError(x, t, s.region ? s.xPtr : 0, s.region ? s.tPtr : 0);
        if (!Number.isFinite(error)) { /* reported as is; the divergence guard is the caller's */ }
      }
      const elapsedMs = now() - started;
      if (opts.onEpoch) {
        const info: EpochInfo = {
          epoch: this.epochsTrained, error, learningRate: opts.learningRate, elapsedMs,
          samplesPerSecond: (epoch * x.rows) / (elapsedMs / 1000),
        };
        if (opts.onEpoch(info) === false) { stoppedBy = 'callback'; break; }
      }
      if (opts.errorThreshold > 0 && error <= opts.errorThreshold) { stoppedBy = 'errorThreshold'; break; }
    }
    if (Number.isNaN(error)) error = this.datasetError(x, t, s.region ? s.xPtr : 0, s.region ? s.tPtr : 0);
    const elapsedMs = now() - started;
    return { epochs: epoch, error, stoppedBy, elapsedMs, samplesPerSecond: (epoch * x.rows) / (elapsedMs / 1000) };
  }

  /** Copies rows [start, start+count) of m (through order when given) into engine memory at ptr. */
  private stageRows(m: Matrix, order: Int32Array | null, start: number, count: number, ptr: number): void {
    const f32 = this.heap.f32, src = m.data, cols = m.cols;
    let dst = ptr >> 2;
    if (!order) {
      const from = start * cols, to = from + count * cols;
      for (let i = from; i < to; i++) f32[dst++] = src[i]!;
      return;
    }
    for (let i = 0; i < count; i++) {
      const from = order[start + i]! * cols;
      for (let c = 0; c < cols; c++) f32[dst++] = src[from + c]!;
    }
  }

  /** The loss over every row of x against t, as the chosen loss defines it. */
  private datasetError(x: Matrix, t: Matrix, xResident: number, tResident: number): number {
    let sum = 0;
    const loss = LOSS[this.config.loss], cols = this.outputSize;
    this.forwardAll(x, (start, count, yAt) => {
      let tPtr = tResident + start * cols * 4;
      if (!tResident) {
        tPtr = this.work + this.workPlan!.targetStage;
        this.heap.f32.set(t.data.subarray(start * cols, (start + count) * cols), tPtr >> 2);
      }
      sum += this.kernels.lossSum(loss, yAt << 2, tPtr, count, cols);
    }, xResident);
    if (this.config.loss === 'sse') return sum;
    if (this.config.loss === 'cross-entropy') return sum / x.rows;
    return sum / (x.rows * cols);
  }

  /** The loss of the network on a data set, without training (same definition as the training error). */
  evaluate(inputs: unknown, targets: unknown): number {
    this.check();
    const x = this.normalized(toMatrix(inputs, this.inputSize, 'inputs'), false);
    const t = toMatrix(targets, this.outputSize, 'targets');
    if (x.rows !== t.rows) throw rangeError('targets', `${x.rows} rows, one per input row`, `${t.rows} rows`);
    return this.datasetError(x, t, 0, 0);
  }

  // ---- persistence and lifetime ------------------------------------------------------------

  /** The architecture and weights as a plain, versioned object (JSON.stringify-able). */
  toJSON(): ModelJSON {
    this.check();
    const { weights, biases } = this.getWeights();
    const c = this.config;
    return {
      format: FORMAT, version: VERSION,
      layers: c.layers.slice(),
      activations: c.activations.map((a) => ({ ...a })),
      loss: c.loss, bias: c.bias, init: c.init, initScale: c.initScale, seed: c.seed,
      normalize: c.normalize, normalizer: this.normalizer ? this.normalizer.toJSON() : null,
      weights: weights.map((w) => Array.from(w)),
      biases: biases.map((b) => (b ? Array.from(b) : null)),
    };
  }

  /** Returns the network's memory to its engine. Calling it twice is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.heap.release(this.model);
    if (this.work) this.heap.release(this.work);
    if (this.state) this.heap.release(this.state);
  }

  get isDisposed(): boolean { return this.disposed; }

  private check(): void {
    if (this.disposed) throw new Error('simdnet: this network has been disposed; create a new one');
  }
}

function checkBytes(bytes: number, field: string, value: unknown): void {
  if (bytes > MAX_BYTES) {
    throw rangeError(field, `sizes whose buffers fit in ${MAX_BYTES} bytes of Wasm memory (these need ${bytes} bytes)`, value);
  }
}

/** Checks a { weights, biases } object against the architecture; returns it as Float32Arrays. */
export function checkWeights(w: unknown, c: NetworkConfig, field: string): Weights {
  if (!isPlainObject(w)) throw typeError(field, '{ weights, biases }', w);
  const { weights, biases } = w;
  const n = c.layers.length - 1;
  if (!Array.isArray(weights) || weights.length !== n) throw rangeError(`${field}.weights`, `an array of ${n} matrices`, weights);
  if (c.bias ? !Array.isArray(biases) || biases.length !== n : biases !== undefined && biases !== null && (!Array.isArray(biases) || biases.some((b) => b !== null))) {
    throw rangeError(`${field}.biases`, c.bias ? `an array of ${n} vectors` : 'null entries (the network has no bias)', biases);
  }
  const out: Weights = { weights: [], biases: [] };
  for (let l = 0; l < n; l++) {
    const fanIn = c.layers[l]!, fanOut = c.layers[l + 1]!;
    const m = toMatrix(weights[l], fanOut, `${field}.weights[${l}]`);
    if (m.rows !== fanIn) throw rangeError(`${field}.weights[${l}]`, `${fanIn} x ${fanOut} values (fanIn x fanOut)`, `${m.rows} rows of ${fanOut}`);
    out.weights.push(m.data);
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
