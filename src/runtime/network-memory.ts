// One network's share of its engine's memory: the descriptor the kernels read (written through
// src/abi's view), the parameter block with its gradients, the optimizer's slots, the per-batch
// buffers, and the checkpoint that undoes an epoch. network.ts adds the passes over it.
import { FloatArray } from '../float.js';
import { rangeError } from '../check.js';
import type { ResolvedTrainOptions } from '../train-options.js';
import type { NetworkConfig } from '../vocabulary.js';
import type { Weights } from '../model/weights.js';
import { descriptorView, type DescriptorView } from '../abi/descriptor.js';
import type { Kernels } from '../abi/kernels.js';
import { ACT, LOSS, OPT } from '../abi/kinds.js';
import type { Engine } from './engine.js';
import { MAX_BYTES, type Heap } from './heap.js';
import { planModel, planWork, type ModelPlan, type WorkPlan } from './layout.js';

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

export class NetworkMemory {
  protected readonly heap: Heap;
  protected readonly kernels: Kernels;
  private readonly plan: ModelPlan;
  /** the network's fixed region: descriptor, parameters, gradients, scratch */
  protected readonly descriptorPtr: number;
  private readonly descriptor: DescriptorView;
  /** the per-batch buffers (0 until the first pass needs them) */
  private workPtr = 0;
  protected workPlan: WorkPlan | null = null;
  /** f32 index of the last layer's outputs in the per-batch buffers */
  protected outputAt = 0;
  /** the optimizer's two parameter-shaped slots in one block (0 until an optimizer needs them) */
  private statePtr = 0;
  /** the buffers of the last checkpoint() without `into`, reused by the next */
  private saved: Checkpoint | null = null;

  /** Threads this network's products use: the count in effect (1 on an engine without helpers). */
  readonly threads: number;

  /**
   * A network of `config` on `engine`, its products on `threads` threads (placement.ts's count in
   * effect: more than 1 only on an engine with a helper pool).
   */
  constructor(
    readonly engine: Engine,
    readonly config: NetworkConfig,
    threads = 1,
  ) {
    if (threads > 1 && !engine.pool) throw new Error(`simdnet: ${threads} threads on an engine without helpers`);
    this.heap = engine.heap;
    this.kernels = engine.kernels;
    this.plan = planModel(config.layers, config.bias);
    checkBytes(this.plan.bytes, 'layers', config.layers);
    this.descriptorPtr = this.heap.alloc(this.plan.bytes);
    this.descriptor = descriptorView(this.heap, this.descriptorPtr);
    this.threads = threads;
    this.writeDescriptor();
    if (threads > 1) engine.pool!.acquire(threads);
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
  private get paramsPtr(): number {
    return this.descriptorPtr + this.plan.params;
  }

  private writeDescriptor(): void {
    const d = this.descriptor,
      p = this.plan,
      base = this.descriptorPtr;
    d.layers = this.weightLayers;
    d.loss = LOSS[this.config.loss];
    d.scratch = base + p.scratch;
    d.params = base + p.params;
    d.grads = base + p.grads;
    d.paramCount = p.paramFloats;
    d.threads = this.threads;
    const gradShift = p.grads - p.params;
    for (let l = 0; l < this.weightLayers; l++) {
      const a = this.config.activations[l]!,
        r = d.layer(l);
      r.fanIn = this.config.layers[l]!;
      r.fanOut = this.config.layers[l + 1]!;
      r.act = ACT[a.name];
      r.p0 = a.name === 'leaky-relu' ? a.slope : a.gain;
      r.p1 = a.threshold;
      r.w = base + p.weights[l]!;
      r.gw = base + p.weights[l]! + gradShift;
      const b = p.biases[l];
      r.b = b == null ? 0 : base + b;
      r.gb = b == null ? 0 : base + b + gradShift;
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
    const d = this.descriptor;
    for (let l = 0; l < this.weightLayers; l++) {
      d.layer(l).y = ptr + plan.outputs[l]!;
      d.layer(l).d = ptr + plan.deltas[l]!;
    }
    this.outputAt = (ptr + plan.outputs[this.weightLayers - 1]!) >> 2;
    d.inputStage = ptr + plan.inputStage;
    d.targetStage = ptr + plan.targetStage;
    d.capacity = rows;
    return plan;
  }

  protected get inputStagePtr(): number {
    return this.workPtr + this.workPlan!.inputStage;
  }
  protected get targetStagePtr(): number {
    return this.workPtr + this.workPlan!.targetStage;
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
    this.descriptor.m = this.statePtr;
    this.descriptor.v = this.statePtr + this.plan.paramFloats * 4;
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
    return this.descriptor.step;
  }
  set step(value: number) {
    this.descriptor.step = value;
  }

  /** Writes the optimizer's fields of the descriptor, allocating its slots on first use. */
  configure(settings: OptimizerSettings): void {
    if (settings.optimizer !== 'sgd') this.allocState();
    const d = this.descriptor;
    d.optimizer = OPT[settings.optimizer];
    d.learningRate = settings.learningRate;
    d.beta1 = settings.optimizer === 'adam' ? settings.beta1 : settings.momentum;
    d.beta2 = settings.beta2;
    d.epsilon = settings.epsilon;
    d.decay = settings.weightDecay;
    d.clip = settings.clipNorm;
    // β^step for Adam's bias correction (of the float32 β the kernels read); update() multiplies them by β once per step
    d.beta1Power = d.beta1 ** this.step;
    d.beta2Power = d.beta2 ** this.step;
  }

  set learningRate(lr: number) {
    this.descriptor.learningRate = lr;
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
