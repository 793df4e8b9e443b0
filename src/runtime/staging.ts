// Training rows on their way into engine memory. A set of up to RESIDENT_BYTES is copied in once
// with room for its shuffle order, so that a whole epoch is one kernel call (trainEpoch) and a
// shuffled batch is gathered inside Wasm; a larger set stays in JavaScript and each batch is copied
// into the network's stage buffers.
import type { Matrix } from '../model/data.js';
import type { Engine } from './engine.js';
import { align } from './layout.js';
import type { FloatArray } from '../float.js';

/** Training data at most this size is copied into engine memory once, so an epoch is one call. */
const RESIDENT_BYTES = 4 << 20;

export class TrainingRows {
  /** one region holding the resident inputs, targets and visiting order (0: streamed from JavaScript) */
  private regionPtr = 0;
  readonly xPtr: number = 0;
  readonly tPtr: number = 0;
  private readonly orderPtr: number = 0;
  /** the visiting order of the rows (a permutation), or null for storage order */
  private order: Int32Array | null = null;

  constructor(
    private readonly engine: Engine,
    readonly x: Matrix,
    readonly t: Matrix,
  ) {
    const xBytes = x.data.length * 4,
      tBytes = t.data.length * 4;
    if (xBytes + tBytes > RESIDENT_BYTES) return;
    const heap = engine.heap;
    this.regionPtr = heap.alloc(align(xBytes) + align(tBytes) + x.rows * 4);
    this.xPtr = this.regionPtr;
    this.tPtr = this.xPtr + align(xBytes);
    this.orderPtr = this.tPtr + align(tBytes);
    heap.f32.set(x.data, this.xPtr >> 2);
    heap.f32.set(t.data, this.tPtr >> 2);
  }

  /** The rows sit in engine memory (trainEpoch can run over them in one call). */
  get resident(): boolean {
    return this.regionPtr !== 0;
  }

  /** The resident visiting order for trainEpoch: its address, or 0 for storage order. */
  get orderPtrOrZero(): number {
    return this.order ? this.orderPtr : 0;
  }

  /** Visits the rows in `order` (a permutation of the row indices) from now on; null: storage order. */
  setOrder(order: Int32Array | null): void {
    this.order = order;
    if (order && this.regionPtr) this.engine.heap.i32.set(order, this.orderPtr >> 2);
  }

  /** The address of input rows [start, start+count) in visiting order, staged at stagePtr unless they lie in place. */
  inputBatch(start: number, count: number, stagePtr: number): number {
    return this.batch(this.x, this.xPtr, start, count, stagePtr);
  }

  /** The same for the target rows. */
  targetBatch(start: number, count: number, stagePtr: number): number {
    return this.batch(this.t, this.tPtr, start, count, stagePtr);
  }

  private batch(m: Matrix, residentPtr: number, start: number, count: number, stagePtr: number): number {
    if (this.regionPtr && !this.order) return residentPtr + start * m.cols * 4;
    if (this.regionPtr) {
      this.engine.kernels.gatherRows(residentPtr, this.orderPtr, start, count, m.cols, stagePtr);
      return stagePtr;
    }
    const f32 = this.engine.heap.f32,
      src = m.data,
      cols = m.cols,
      order = this.order,
      dst = stagePtr >> 2;
    if (!order) copyRun(f32, src, start * cols, count * cols, dst);
    else for (let i = 0; i < count; i++) copyRun(f32, src, order[start + i]! * cols, cols, dst + i * cols);
    return stagePtr;
  }

  /** Returns the resident region to the engine; calling it twice is harmless. */
  release(): void {
    this.engine.heap.release(this.regionPtr);
    this.regionPtr = 0;
  }
}

/**
 * Copies src[from, from+length) to f32 at index dst. A long run goes through set(), a memory copy
 * many times faster than element by element, into a shared memory too (bench/RESULTS.md); a short
 * one element by element, cheaper than set's call and view.
 */
function copyRun(f32: FloatArray, src: FloatArray, from: number, length: number, dst: number): void {
  if (length >= 64) {
    f32.set(src.subarray(from, from + length), dst);
    return;
  }
  for (let i = 0; i < length; i++) f32[dst + i] = src[from + i]!;
}
