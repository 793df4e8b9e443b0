// A quantized model placed on an engine: its layer records (QUANT_LAYER of the contract, written
// through src/abi's view), each layer's packed block (src/js/quant-pack.ts's layout, built once
// here), a scratch per thread (shared by the engine's quantized networks), and the rows staged in
// and out. outputs() runs quantForward over any number of rows in chunks, and metrics() the loss
// and accuracy over their outputs; every input has been checked before it gets here.
import { FloatArray } from '../float.js';
import type { Matrix } from '../model/data.js';
import { classOf } from '../model/metrics.js';
import type { QuantizedLayer } from '../model/quantize.js';
import type { LossName, ResolvedActivation } from '../vocabulary.js';
import { QUANT_LAYER_BYTES, quantLayerView } from '../abi/descriptor.js';
import { ACT, LOSS, lossScale } from '../abi/kinds.js';
import { lossTerms } from '../js/loss.js';
import { packLayer } from '../js/quant-pack.js';
import type { Engine } from './engine.js';

/** What the runtime needs of a quantized model's architecture. */
export interface QuantizedShape {
  readonly layers: readonly number[];
  readonly activations: readonly ResolvedActivation[];
  /** the loss metrics() reports */
  readonly loss: LossName;
}

/** Rows per quantForward call when predicting many rows, per thread (the kernel works in chunks of 64). */
const ROWS_PER_THREAD = 256;

/**
 * The scratch of an engine's quantized networks. One call runs at a time on an engine, so they share
 * one, as large as the largest of them needs (a 784-wide layer's is about four times its int8
 * weights: a service holding many small models would otherwise hold mostly scratch); it goes back
 * to the engine with the last of them.
 */
interface Scratch {
  ptr: number;
  bytes: number;
  users: number;
}
const scratches = new WeakMap<Engine, Scratch>();

function acquireScratch(engine: Engine, bytes: number): Scratch {
  const s = scratches.get(engine) ?? { ptr: 0, bytes: 0, users: 0 };
  if (s.bytes < bytes) {
    const ptr = engine.heap.alloc(bytes);
    if (s.ptr) engine.heap.release(s.ptr);
    s.ptr = ptr;
    s.bytes = bytes;
  }
  s.users++;
  scratches.set(engine, s);
  return s;
}

function releaseScratch(engine: Engine, s: Scratch): void {
  if (--s.users > 0) return;
  engine.heap.release(s.ptr);
  scratches.delete(engine);
}

export class QuantizedNetwork {
  private readonly recordsPtr: number;
  private readonly blocks: number[] = [];
  private readonly scratch: Scratch;
  /** staged input rows and their outputs, `capacity` rows each (0 until the first call) */
  private inPtr = 0;
  private outPtr = 0;
  private capacity = 0;
  private released = false;

  /**
   * `layers` of `shape` on `engine`, its rows shared among `threads` threads (more than 1 only on an
   * engine with a helper pool); `narrow`: whether the relaxed build may take its int8 dot product
   * (quant-tiles.ts decides it per engine).
   */
  constructor(
    readonly engine: Engine,
    readonly shape: QuantizedShape,
    layers: readonly QuantizedLayer[],
    readonly threads: number,
    readonly narrow: boolean,
  ) {
    if (threads > 1 && !engine.pool) throw new Error(`simdnet: ${threads} threads on an engine without helpers`);
    const heap = engine.heap,
      sizes = shape.layers,
      L = sizes.length - 1;
    const taken: number[] = [];
    try {
      this.recordsPtr = heap.alloc(L * QUANT_LAYER_BYTES);
      taken.push(this.recordsPtr);
      for (let l = 0; l < L; l++) {
        const k = sizes[l]!,
          n = sizes[l + 1]!,
          layer = layers[l]!;
        const block = packLayer(layer.weights, layer.scales, layer.bias, k, n);
        const ptr = heap.alloc(block.length);
        taken.push(ptr);
        heap.u8.set(block, ptr);
        this.blocks.push(ptr);
        const act = shape.activations[l]!,
          r = quantLayerView(heap, this.recordsPtr, l);
        r.fanIn = k;
        r.fanOut = n;
        r.act = ACT[act.name];
        r.p0 = act.name === 'leaky-relu' ? act.slope : act.gain;
        r.p1 = act.threshold;
        r.packed = ptr;
        r.range = layer.range;
        r.narrow = narrow ? 1 : 0;
      }
      this.scratch = acquireScratch(engine, engine.kernels.quantScratchBytes(Math.max(...sizes)) * threads);
    } catch (err) {
      for (const p of taken) heap.release(p);
      throw err;
    }
    if (threads > 1) engine.pool!.acquire(threads);
  }

  get inputSize(): number {
    return this.shape.layers[0]!;
  }
  get outputSize(): number {
    return this.shape.layers[this.shape.layers.length - 1]!;
  }
  private get layerCount(): number {
    return this.shape.layers.length - 1;
  }

  /** Makes the staged rows hold at least `rows` rows. */
  private ensureCapacity(rows: number): void {
    if (this.capacity >= rows) return;
    const heap = this.engine.heap;
    const inPtr = heap.alloc(rows * this.inputSize * 4);
    let outPtr: number;
    try {
      outPtr = heap.alloc(rows * this.outputSize * 4);
    } catch (err) {
      heap.release(inPtr);
      throw err;
    }
    this.releaseStage();
    this.inPtr = inPtr;
    this.outPtr = outPtr;
    this.capacity = rows;
  }

  /** The outputs of every row of x, in one new array. */
  outputs(x: Matrix): FloatArray {
    const k = this.inputSize,
      n = this.outputSize,
      kernels = this.engine.kernels;
    const chunk = Math.min(x.rows, ROWS_PER_THREAD * this.threads);
    this.ensureCapacity(chunk);
    const out = new FloatArray(x.rows * n);
    for (let start = 0; start < x.rows; start += chunk) {
      const count = Math.min(chunk, x.rows - start);
      const heap = this.engine.heap;
      heap.f32.set(x.data.subarray(start * k, (start + count) * k), this.inPtr >> 2);
      kernels.quantForward(
        this.recordsPtr,
        this.layerCount,
        this.inPtr,
        count,
        this.outPtr,
        this.scratch.ptr,
        this.threads,
      );
      out.set(heap.f32.subarray(this.outPtr >> 2, (this.outPtr >> 2) + count * n), start * n);
    }
    return out;
  }

  /**
   * The loss as defined over all rows of x and t (and the accuracy when asked), from the outputs in
   * float64 in TypeScript, so that every engine reports the same loss for the same outputs.
   */
  metrics(x: Matrix, t: Matrix, withAccuracy: boolean): { error: number; accuracy: number } {
    const y = this.outputs(x),
      n = this.outputSize,
      loss = LOSS[this.shape.loss];
    let hits = 0;
    if (withAccuracy) for (let r = 0; r < x.rows; r++) if (classOf(y, r * n, n) === classOf(t.data, r * n, n)) hits++;
    const error = lossTerms(loss, y, 0, t.data, 0, y.length) * lossScale(loss, x.rows, n);
    return { error, accuracy: withAccuracy ? hits / x.rows : NaN };
  }

  private releaseStage(): void {
    if (this.inPtr) this.engine.heap.release(this.inPtr);
    if (this.outPtr) this.engine.heap.release(this.outPtr);
    this.inPtr = this.outPtr = this.capacity = 0;
  }

  /** Returns every region to the engine; calling it twice is harmless. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.threads > 1) this.engine.pool!.release();
    const heap = this.engine.heap;
    heap.release(this.recordsPtr);
    for (const p of this.blocks) heap.release(p);
    releaseScratch(this.engine, this.scratch);
    this.releaseStage();
  }
}
