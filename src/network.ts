// One network's share of its engine's memory: the descriptor the kernels read, the parameter
// block with its gradients and optimizer state, and the per-batch buffers. Internal: NN (the public
// class) and the trainer drive it; every input has been checked before it gets here.
import type { Engine, Kernels } from './engine.js';
import { FloatArray } from './float.js';
import { MAX_BYTES, type Heap } from './heap.js';
import { ACT, H, HEADER_WORDS, L, LAYER_WORDS, LOSS, OPT, planModel, planWork, type ModelPlan, type WorkPlan } from './layout.js';
import type { NetworkConfig, ResolvedTrainOptions } from './options.js';
import { rangeError } from './check.js';
import type { Matrix } from './model/data.js';
import { classOf } from './model/metrics.js';
import type { Weights } from './model/weights.js';

/** Which copy of the parameter-shaped blocks to read or write. */
export type Block = 'params' | 'state1' | 'state2';

/** Rows per forward call when predicting or evaluating many rows. */
const PREDICT_CHUNK = 256;

/** The optimizer's part of the train options, written into the descriptor. */
export type Hyper = Pick<ResolvedTrainOptions, 'optimizer' | 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'epsilon' | 'weightDecay' | 'clipNorm'>;

export class Network {
  readonly heap: Heap;
  readonly kernels: Kernels;
  readonly plan: ModelPlan;
  readonly model: number;
  work = 0;
  workPlan: WorkPlan | null = null;
  /** optimizer state: two parameter-shaped slots in one block (0 until an optimizer needs it) */
  state = 0;

  constructor(readonly engine: Engine, readonly config: NetworkConfig) {
    this.heap = engine.heap;
    this.kernels = engine.kernels;
    this.plan = planModel(config.layers, config.bias);
    checkBytes(this.plan.bytes, 'layers', config.layers);
    this.model = this.heap.alloc(this.plan.bytes);
    this.writeDescriptor();
  }

  get weightLayers(): number { return this.config.layers.length - 1; }
  get inputSize(): number { return this.config.layers[0]!; }
  get outputSize(): number { return this.config.layers[this.weightLayers]!; }
  private word(l: number, w: number): number { return (this.model >> 2) + HEADER_WORDS + l * LAYER_WORDS + w; }
  private get h(): number { return this.model >> 2; }

  private writeDescriptor(): void {
    const { i32, f32 } = this.heap;
    const h = this.h, p = this.plan, base = this.model;
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
    if (this.work) this.heap.release(this.work);
    this.work = ptr;
    this.workPlan = plan;
    const i32 = this.heap.i32, h = this.h;
    for (let l = 0; l < this.weightLayers; l++) {
      i32[this.word(l, L.Y)] = ptr + plan.outputs[l]!;
      i32[this.word(l, L.D)] = ptr + plan.deltas[l]!;
    }
    i32[h + H.INPUT_STAGE] = ptr + plan.inputStage;
    i32[h + H.TARGET_STAGE] = ptr + plan.targetStage;
    i32[h + H.CAPACITY] = rows;
    return plan;
  }

  get inputStage(): number { return this.work + this.workPlan!.inputStage; }
  get targetStage(): number { return this.work + this.workPlan!.targetStage; }
  get outputPtr(): number { return this.heap.i32[this.word(this.weightLayers - 1, L.Y)]!; }

  // ---- parameter-shaped blocks -------------------------------------------------------------

  private blockBase(block: Block): number {
    if (block === 'params') return this.model + this.plan.params;
    if (!this.state) return 0;
    return this.state + (block === 'state1' ? 0 : this.plan.paramFloats * 4);
  }

  /** Copies of one block, split per layer like the weights (null when the block doesn't exist). */
  read(block: Block): Weights | null {
    const base = this.blockBase(block);
    if (!base) return null;
    const f32 = this.heap.f32, shift = base - (this.model + this.plan.params);
    const weights: FloatArray[] = [], biases: (FloatArray | null)[] = [];
    for (let l = 0; l < this.weightLayers; l++) {
      const at = (this.model + this.plan.weights[l]! + shift) >> 2;
      weights.push(f32.slice(at, at + this.config.layers[l]! * this.config.layers[l + 1]!));
      const b = this.plan.biases[l];
      const bAt = b == null ? 0 : (this.model + b + shift) >> 2;
      biases.push(b == null ? null : f32.slice(bAt, bAt + this.config.layers[l + 1]!));
    }
    return { weights, biases };
  }

  /** Writes one block from per-layer arrays (shapes already checked). */
  write(block: Block, w: Weights): void {
    if (block !== 'params') this.allocState();
    const f32 = this.heap.f32, shift = this.blockBase(block) - (this.model + this.plan.params);
    for (let l = 0; l < this.weightLayers; l++) {
      f32.set(w.weights[l]!, (this.model + this.plan.weights[l]! + shift) >> 2);
      const b = this.plan.biases[l];
      if (b != null) f32.set(w.biases[l]!, (this.model + b + shift) >> 2);
    }
  }

  /** The whole parameter block, padding included (for restore-best and divergence rollback). */
  snapshot(into?: FloatArray): FloatArray {
    const at = (this.model + this.plan.params) >> 2;
    const out = into ?? new FloatArray(this.plan.paramFloats);
    out.set(this.heap.f32.subarray(at, at + this.plan.paramFloats));
    return out;
  }

  restore(snapshot: FloatArray): void { this.heap.f32.set(snapshot, (this.model + this.plan.params) >> 2); }

  /** Both optimizer-state slots (call only when state exists). */
  snapshotState(into: FloatArray | null): FloatArray {
    const n = this.plan.paramFloats * 2;
    const out = into ?? new FloatArray(n);
    out.set(this.heap.f32.subarray(this.state >> 2, (this.state >> 2) + n));
    return out;
  }

  restoreState(snapshot: FloatArray): void { this.heap.f32.set(snapshot, this.state >> 2); }

  private allocState(): void {
    if (this.state) return;
    // one block holds both slots so that switching optimizers never moves the state
    this.state = this.heap.alloc(this.plan.paramFloats * 4 * 2);
    const i32 = this.heap.i32;
    i32[this.h + H.STATE1] = this.state;
    i32[this.h + H.STATE2] = this.state + this.plan.paramFloats * 4;
  }

  /** Updates applied so far (Adam's t). */
  get step(): number { return this.heap.i32[this.h + H.STEP]!; }
  set step(value: number) { this.heap.i32[this.h + H.STEP] = value; }

  /** Writes the optimizer's words of the descriptor, allocating its state on first use. */
  configure(hyper: Hyper): void {
    if (hyper.optimizer !== 'sgd') this.allocState();
    const i32 = this.heap.i32, f32 = this.heap.f32, h = this.h;
    i32[h + H.OPTIMIZER] = OPT[hyper.optimizer];
    f32[h + H.LR] = hyper.learningRate;
    f32[h + H.BETA1] = hyper.optimizer === 'adam' ? hyper.beta1 : hyper.momentum;
    f32[h + H.BETA2] = hyper.beta2;
    f32[h + H.EPSILON] = hyper.epsilon;
    f32[h + H.DECAY] = hyper.weightDecay;
    f32[h + H.CLIP] = hyper.clipNorm;
    // β^step for Adam's bias correction; update() multiplies them by β once per step
    const f64 = this.heap.f64, beta1 = f32[h + H.BETA1]!, beta2 = f32[h + H.BETA2]!;
    f64[(this.model >> 3) + H.BETA1_POWER / 2] = Math.pow(beta1, this.step);
    f64[(this.model >> 3) + H.BETA2_POWER / 2] = Math.pow(beta2, this.step);
  }

  set learningRate(lr: number) { this.heap.f32[this.h + H.LR] = lr; }

  // ---- passes ------------------------------------------------------------------------------

  /**
   * Forward pass over every row of x in chunks; `sink` reads each chunk's outputs at f32 index
   * outputIndex. With `resident`, x already sits in engine memory at that address.
   */
  forwardAll(x: Matrix, sink: (start: number, count: number, outputIndex: number) => void, resident = 0): void {
    const plan = this.ensureCapacity(Math.min(x.rows, Math.max(this.workPlan?.capacity ?? 0, PREDICT_CHUNK)));
    for (let start = 0; start < x.rows; start += plan.capacity) {
      const count = Math.min(plan.capacity, x.rows - start);
      let from = this.inputStage;
      if (resident) from = resident + start * x.cols * 4;
      else this.heap.f32.set(x.data.subarray(start * x.cols, (start + count) * x.cols), from >> 2);
      this.kernels.forward(this.model, from, count);
      sink(start, count, this.outputPtr >> 2);
    }
  }

  outputs(x: Matrix): FloatArray {
    const out = new FloatArray(x.rows * this.outputSize);
    this.forwardAll(x, (start, count, yAt) => out.set(this.heap.f32.subarray(yAt, yAt + count * this.outputSize), start * this.outputSize));
    return out;
  }

  /** The loss as defined over all rows (and the accuracy when asked), from one forward pass. */
  metrics(x: Matrix, t: Matrix, withAccuracy: boolean, xResident = 0, tResident = 0): { error: number; accuracy: number } {
    let sum = 0, hits = 0;
    const loss = LOSS[this.config.loss], cols = this.outputSize;
    this.forwardAll(x, (start, count, yAt) => {
      let tPtr = tResident + start * cols * 4;
      if (!tResident) {
        tPtr = this.targetStage;
        this.heap.f32.set(t.data.subarray(start * cols, (start + count) * cols), tPtr >> 2);
      }
      sum += this.kernels.lossSum(loss, yAt << 2, tPtr, count, cols);
      if (withAccuracy) hits += this.hits(yAt, tPtr >> 2, count, cols);
    }, xResident);
    return { error: this.normalizeLoss(sum, x.rows), accuracy: withAccuracy ? hits / x.rows : NaN };
  }

  /** Turns a sum of per-value loss terms over `rows` rows into the loss as defined. */
  normalizeLoss(sum: number, rows: number): number {
    if (this.config.loss === 'sse') return sum;
    if (this.config.loss === 'cross-entropy') return sum / rows;
    return sum / (rows * this.outputSize);
  }

  /** Rows whose predicted class (classOf) equals the target's. */
  private hits(yAt: number, tAt: number, rows: number, cols: number): number {
    const f = this.heap.f32;
    let hits = 0;
    for (let r = 0; r < rows; r++) if (classOf(f, yAt + r * cols, cols) === classOf(f, tAt + r * cols, cols)) hits++;
    return hits;
  }

  /** Copies rows [start, start+count) of m, through `order` when given, to engine memory at ptr. */
  stageRows(m: Matrix, order: Int32Array | null, start: number, count: number, ptr: number): void {
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

  /** Returns every region to the engine. */
  release(): void {
    this.heap.release(this.model);
    if (this.work) this.heap.release(this.work);
    if (this.state) this.heap.release(this.state);
    this.work = this.state = 0;
    this.workPlan = null;
  }
}

export function checkBytes(bytes: number, field: string, value: unknown): void {
  if (bytes > MAX_BYTES) {
    throw rangeError(field, `sizes whose buffers fit in ${MAX_BYTES} bytes of Wasm memory (these need ${bytes} bytes)`, value);
  }
}
