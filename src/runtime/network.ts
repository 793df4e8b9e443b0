// One network's share of its engine's memory, and the passes over it. The memory: the descriptor
// the kernels read, the parameter block with its gradients and the optimizer's slots, and the
// per-batch buffers. The passes: outputs and metrics over many rows, one training batch, one
// training epoch, and the checkpoint that undoes an epoch. NN (the façade) and the trainer (the
// policy) drive it through these methods only; every input has been checked before it gets here.
import { FloatArray } from '../float.js';
import { rangeError } from '../check.js';
import type { ResolvedTrainOptions } from '../train-options.js';
import type { NetworkConfig } from '../vocabulary.js';
import type { Matrix } from '../model/data.js';
import { classOf } from '../model/metrics.js';
import type { Weights } from '../model/weights.js';
import type { Kernels } from './abi.js';
import type { Engine } from './engine.js';
import { MAX_BYTES, type Heap } from './heap.js';
import {
  ACT,
  H,
  HEADER_WORDS,
  L,
  LAYER_WORDS,
  LOSS,
  OPT,
  lossScale,
  planModel,
  planWork,
  type ModelPlan,
  type WorkPlan,
} from './layout.js';
import { TrainingRows } from './staging.js';

/** A parameter-shaped block: the parameters, or an optimizer slot (Adam's m and v; momentum and Nesterov keep their velocity in m). */
export type Block = 'params' | 'm' | 'v';

/** The optimizer's part of the train options, written into the descriptor. */
export type OptimizerSettings = Pick<
  ResolvedTrainOptions,
  'optimizer' | 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'epsilon' | 'weightDecay' | 'clipNorm'
>;

/** What an epoch changes in engine memory, copied so that a diverged epoch can be undone. */
export interface Checkpoint {
  params: FloatArray;
  /** both optimizer slots, or null while the network has none */
  slots: FloatArray | null;
  step: number;
}

/** Rows per forward call when predicting or evaluating many rows. */
const PREDICT_CHUNK = 256;

export class Network {
  private readonly heap: Heap;
  private readonly kernels: Kernels;
  private readonly plan: ModelPlan;
  /** the network's fixed region: descriptor, parameters, gradients, scratch */
  private readonly descriptorPtr: number;
  /** the per-batch buffers (0 until the first pass needs them) */
  private workPtr = 0;
  private workPlan: WorkPlan | null = null;
  /** f32 index of the last layer's outputs in the per-batch buffers */
  private outputAt = 0;
  /** the optimizer's two parameter-shaped slots in one block (0 until an optimizer needs them) */
  private statePtr = 0;
  /** the buffers of the last checkpoint() without `into`, reused by the next */
  private saved: Checkpoint | null = null;

  /** Threads this network's products may use: as asked where the engine has a helper pool, else 1. */
  readonly threads: number;

  constructor(
    readonly engine: Engine,
    readonly config: NetworkConfig,
    threads = 1,
  ) {
    this.heap = engine.heap;
    this.kernels = engine.kernels;
    this.plan = planModel(config.layers, config.bias);
    checkBytes(this.plan.bytes, 'layers', config.layers);
    this.threads = engine.pool ? threads : 1;
    this.descriptorPtr = this.heap.alloc(this.plan.bytes);
    this.writeDescriptor();
    if (this.threads > 1) engine.pool!.acquire(this.threads);
  }

  get weightLayers(): number {
    return this.config.layers.length - 1;
  }
  get inputSize(): number {
    return this.config.layers[0]!;
  }
  get outputSize(): number {
    return this.config.layers[this.weightLayers]!;
  }
  private word(l: number, w: number): number {
    return (this.descriptorPtr >> 2) + HEADER_WORDS + l * LAYER_WORDS + w;
  }
  private get h(): number {
    return this.descriptorPtr >> 2;
  }
  private get paramsPtr(): number {
    return this.descriptorPtr + this.plan.params;
  }

  private writeDescriptor(): void {
    const { i32, f32 } = this.heap;
    const h = this.h,
      p = this.plan,
      base = this.descriptorPtr;
    i32[h + H.LAYERS] = this.weightLayers;
    i32[h + H.LOSS] = LOSS[this.config.loss];
    i32[h + H.SCRATCH] = base + p.scratch;
    i32[h + H.PARAMS] = base + p.params;
    i32[h + H.GRADS] = base + p.grads;
    i32[h + H.PARAM_COUNT] = p.paramFloats;
    i32[h + H.THREADS] = this.threads;
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
      i32[this.word(l, L.B)] = b == null ? 0 : base + b;
      i32[this.word(l, L.GB)] = b == null ? 0 : base + b + gradShift;
    }
  }

  /** Makes the per-batch buffers hold at least `rows` rows (reallocating them when smaller). */
  ensureCapacity(rows: number): WorkPlan {
    if (this.workPlan && this.workPlan.capacity >= rows) return this.workPlan;
    const plan = planWork(this.config.layers, rows);
    checkBytes(plan.bytes + this.heap.allocated, 'batch rows', rows);
    const ptr = this.heap.alloc(plan.bytes);
    if (this.workPtr) this.heap.release(this.workPtr);
    this.workPtr = ptr;
    this.workPlan = plan;
    const i32 = this.heap.i32,
      h = this.h;
    for (let l = 0; l < this.weightLayers; l++) {
      i32[this.word(l, L.Y)] = ptr + plan.outputs[l]!;
      i32[this.word(l, L.D)] = ptr + plan.deltas[l]!;
    }
    this.outputAt = (ptr + plan.outputs[this.weightLayers - 1]!) >> 2;
    i32[h + H.INPUT_STAGE] = ptr + plan.inputStage;
    i32[h + H.TARGET_STAGE] = ptr + plan.targetStage;
    i32[h + H.CAPACITY] = rows;
    return plan;
  }

  private get inputStagePtr(): number {
    return this.workPtr + this.workPlan!.inputStage;
  }
  private get targetStagePtr(): number {
    return this.workPtr + this.workPlan!.targetStage;
  }
  private get outputPtr(): number {
    return this.outputAt << 2;
  }

  // ---- parameter-shaped blocks -------------------------------------------------------------

  private blockPtr(block: Block): number {
    if (block === 'params') return this.paramsPtr;
    if (!this.statePtr) return 0;
    return this.statePtr + (block === 'm' ? 0 : this.plan.paramFloats * 4);
  }

  /** Copies of one block, split per layer like the weights (null when the block doesn't exist). */
  read(block: Block): Weights | null {
    const base = this.blockPtr(block);
    if (!base) return null;
    const f32 = this.heap.f32,
      shift = base - this.paramsPtr;
    const weights: FloatArray[] = [],
      biases: (FloatArray | null)[] = [];
    for (let l = 0; l < this.weightLayers; l++) {
      const at = (this.descriptorPtr + this.plan.weights[l]! + shift) >> 2;
      weights.push(f32.slice(at, at + this.config.layers[l]! * this.config.layers[l + 1]!));
      const b = this.plan.biases[l];
      const bAt = b == null ? 0 : (this.descriptorPtr + b + shift) >> 2;
      biases.push(b == null ? null : f32.slice(bAt, bAt + this.config.layers[l + 1]!));
    }
    return { weights, biases };
  }

  /** Writes one block from per-layer arrays (shapes already checked). */
  write(block: Block, w: Weights): void {
    if (block !== 'params') this.allocState();
    const f32 = this.heap.f32,
      shift = this.blockPtr(block) - this.paramsPtr;
    for (let l = 0; l < this.weightLayers; l++) {
      f32.set(w.weights[l]!, (this.descriptorPtr + this.plan.weights[l]! + shift) >> 2);
      const b = this.plan.biases[l];
      if (b != null) f32.set(w.biases[l]!, (this.descriptorPtr + b + shift) >> 2);
    }
  }

  /** The whole parameter block, padding included (restore-best of early stopping). */
  snapshotParams(into?: FloatArray): FloatArray {
    const at = this.paramsPtr >> 2;
    const out = into ?? new FloatArray(this.plan.paramFloats);
    out.set(this.heap.f32.subarray(at, at + this.plan.paramFloats));
    return out;
  }

  restoreParams(snapshot: FloatArray): void {
    this.heap.f32.set(snapshot, this.paramsPtr >> 2);
  }

  /** Copies the parameters, the optimizer slots and the step (into the buffers of `into`, else the network's own). */
  checkpoint(into?: Checkpoint): Checkpoint {
    // one train() call at a time: its checkpoint buffers are kept for the next (a typed array costs a microsecond)
    const c = into ?? (this.saved ??= { params: new FloatArray(this.plan.paramFloats), slots: null, step: 0 });
    this.snapshotParams(c.params);
    c.step = this.step;
    if (this.statePtr) {
      const n = this.plan.paramFloats * 2,
        at = this.statePtr >> 2;
      c.slots ??= new FloatArray(n);
      c.slots.set(this.heap.f32.subarray(at, at + n));
    }
    return c;
  }

  /** Puts back what checkpoint() copied. */
  rollback(c: Checkpoint): void {
    this.restoreParams(c.params);
    if (c.slots) this.heap.f32.set(c.slots, this.statePtr >> 2);
    this.step = c.step;
  }

  private allocState(): void {
    if (this.statePtr) return;
    // one block holds both slots so that switching optimizers never moves them
    this.statePtr = this.heap.alloc(this.plan.paramFloats * 4 * 2);
    const i32 = this.heap.i32;
    i32[this.h + H.M] = this.statePtr;
    i32[this.h + H.V] = this.statePtr + this.plan.paramFloats * 4;
  }

  /** The first weight layer (0-based) holding a NaN or infinity; weightLayers when all are finite. */
  firstNonFiniteLayer(): number {
    // the Wasm sum of squares accumulates in f32 and overflows once |w| > ~1.8e19: then look at the weights themselves
    if (Number.isFinite(this.kernels.sumSquares(this.paramsPtr, this.plan.paramFloats))) return this.weightLayers;
    const f32 = this.heap.f32;
    const anyNonFinite = (ptr: number, count: number): boolean => {
      for (let i = ptr >> 2, end = i + count; i < end; i++) if (!Number.isFinite(f32[i]!)) return true;
      return false;
    };
    for (let l = 0; l < this.weightLayers; l++) {
      const fanOut = this.config.layers[l + 1]!,
        b = this.plan.biases[l];
      if (anyNonFinite(this.descriptorPtr + this.plan.weights[l]!, this.config.layers[l]! * fanOut)) return l;
      if (b != null && anyNonFinite(this.descriptorPtr + b, fanOut)) return l;
    }
    return this.weightLayers;
  }

  /** Updates applied so far (Adam's t). */
  get step(): number {
    return this.heap.i32[this.h + H.STEP]!;
  }
  set step(value: number) {
    this.heap.i32[this.h + H.STEP] = value;
  }

  /** Writes the optimizer's words of the descriptor, allocating its slots on first use. */
  configure(settings: OptimizerSettings): void {
    if (settings.optimizer !== 'sgd') this.allocState();
    const i32 = this.heap.i32,
      f32 = this.heap.f32,
      h = this.h;
    i32[h + H.OPTIMIZER] = OPT[settings.optimizer];
    f32[h + H.LR] = settings.learningRate;
    f32[h + H.BETA1] = settings.optimizer === 'adam' ? settings.beta1 : settings.momentum;
    f32[h + H.BETA2] = settings.beta2;
    f32[h + H.EPSILON] = settings.epsilon;
    f32[h + H.DECAY] = settings.weightDecay;
    f32[h + H.CLIP] = settings.clipNorm;
    // β^step for Adam's bias correction; update() multiplies them by β once per step
    const f64 = this.heap.f64,
      beta1 = f32[h + H.BETA1]!,
      beta2 = f32[h + H.BETA2]!;
    f64[(this.descriptorPtr >> 3) + H.BETA1_POWER / 2] = beta1 ** this.step;
    f64[(this.descriptorPtr >> 3) + H.BETA2_POWER / 2] = beta2 ** this.step;
  }

  set learningRate(lr: number) {
    this.heap.f32[this.h + H.LR] = lr;
  }

  // ---- passes ------------------------------------------------------------------------------

  /**
   * Forward pass over every row of x in chunks; `sink` reads each chunk's outputs at f32 index
   * outputIndex. With `residentPtr`, x already sits in engine memory at that address.
   */
  private forwardAll(
    x: Matrix,
    sink: (start: number, count: number, outputIndex: number) => void,
    residentPtr = 0,
  ): void {
    const plan = this.ensureCapacity(Math.min(x.rows, Math.max(this.workPlan?.capacity ?? 0, PREDICT_CHUNK)));
    for (let start = 0; start < x.rows; start += plan.capacity) {
      const count = Math.min(plan.capacity, x.rows - start);
      let from = this.inputStagePtr;
      if (residentPtr) from = residentPtr + start * x.cols * 4;
      else this.heap.f32.set(x.data.subarray(start * x.cols, (start + count) * x.cols), from >> 2);
      this.kernels.forward(this.descriptorPtr, from, count);
      sink(start, count, this.outputAt);
    }
  }

  /** The outputs of every row of x, in one new array. */
  outputs(x: Matrix): FloatArray {
    if (x.rows === 1) return this.outputRow(x.data);
    const out = new FloatArray(x.rows * this.outputSize);
    this.forwardAll(x, (start, count, yAt) =>
      out.set(this.heap.f32.subarray(yAt, yAt + count * this.outputSize), start * this.outputSize),
    );
    return out;
  }

  /** The outputs of one input row: one forward call on the input stage, copied out (no chunking, no closure). */
  private outputRow(row: FloatArray): FloatArray {
    if (!this.workPlan) this.ensureCapacity(1);
    const f32 = this.heap.f32,
      stage = this.inputStagePtr;
    f32.set(row, stage >> 2);
    this.kernels.forward(this.descriptorPtr, stage, 1);
    return f32.slice(this.outputAt, this.outputAt + this.outputSize);
  }

  /**
   * The loss as defined over all rows of x and t (and the accuracy when asked), from one forward
   * pass; `resident` is training data already in engine memory, read there instead of copied in.
   */
  metrics(
    x: Matrix,
    t: Matrix,
    withAccuracy: boolean,
    resident: TrainingRows | null = null,
  ): { error: number; accuracy: number } {
    let sum = 0,
      hits = 0;
    const loss = LOSS[this.config.loss],
      cols = this.outputSize;
    const xResidentPtr = resident ? resident.xPtr : 0,
      tResidentPtr = resident ? resident.tPtr : 0;
    this.forwardAll(
      x,
      (start, count, yAt) => {
        let tPtr = tResidentPtr + start * cols * 4;
        if (!tResidentPtr) {
          tPtr = this.targetStagePtr;
          this.heap.f32.set(t.data.subarray(start * cols, (start + count) * cols), tPtr >> 2);
        }
        sum += this.kernels.lossSum(loss, yAt << 2, tPtr, count, cols);
        if (withAccuracy) hits += this.hits(yAt, tPtr >> 2, count, cols);
      },
      xResidentPtr,
    );
    return { error: sum * lossScale(loss, x.rows, cols), accuracy: withAccuracy ? hits / x.rows : NaN };
  }

  /** Rows whose predicted class (classOf) equals the target's. */
  private hits(yAt: number, tAt: number, rows: number, cols: number): number {
    const f = this.heap.f32;
    let hits = 0;
    for (let r = 0; r < rows; r++) if (classOf(f, yAt + r * cols, cols) === classOf(f, tAt + r * cols, cols)) hits++;
    return hits;
  }

  /** Training rows for trainBatch and trainEpoch (resident in engine memory when small enough); release them after training. */
  stage(x: Matrix, t: Matrix): TrainingRows {
    return new TrainingRows(this.engine, x, t);
  }

  /**
   * One update from rows [start, start+count) of `rows` in their visiting order: forward, error
   * terms and gradients, optimizer step. Returns the batch's loss before the update when
   * `withLoss`, else NaN.
   */
  trainBatch(rows: TrainingRows, start: number, count: number, withLoss: boolean): number {
    const k = this.kernels,
      descriptorPtr = this.descriptorPtr;
    const xPtr = rows.inputBatch(start, count, this.inputStagePtr);
    const tPtr = rows.targetBatch(start, count, this.targetStagePtr);
    k.forward(descriptorPtr, xPtr, count);
    let loss = NaN;
    if (withLoss) {
      const kind = LOSS[this.config.loss];
      loss = k.lossSum(kind, this.outputPtr, tPtr, count, this.outputSize) * lossScale(kind, count, this.outputSize);
    }
    k.backward(descriptorPtr, tPtr, count);
    k.update(descriptorPtr);
    return loss;
  }

  /** One epoch over resident rows in batches of `batch`, in one kernel call. */
  trainEpoch(rows: TrainingRows, batch: number): void {
    this.kernels.trainEpoch(this.descriptorPtr, rows.xPtr, rows.tPtr, rows.orderPtrOrZero, rows.x.rows, batch);
  }

  /** Returns every region to the engine. */
  release(): void {
    if (this.threads > 1) this.engine.pool!.release();
    this.heap.release(this.descriptorPtr);
    if (this.workPtr) this.heap.release(this.workPtr);
    if (this.statePtr) this.heap.release(this.statePtr);
    this.workPtr = this.statePtr = 0;
    this.workPlan = null;
  }
}

function checkBytes(bytes: number, field: string, value: unknown): void {
  if (bytes > MAX_BYTES) {
    throw rangeError(
      field,
      `sizes whose buffers fit in ${MAX_BYTES} bytes of Wasm memory (these need ${bytes} bytes)`,
      value,
    );
  }
}
