// The passes over one network's memory (network-memory.ts): outputs and metrics over many rows,
// one training batch, one training epoch. NN (the façade) and the trainer (the policy) drive a
// network through these methods and its memory's; every input has been checked before it gets here.
import { FloatArray } from '../float.js';
import type { Matrix } from '../model/data.js';
import { classOf } from '../model/metrics.js';
import { LOSS, lossScale } from '../abi/kinds.js';
import { NetworkMemory } from './network-memory.js';
import { TrainingRows } from './staging.js';
import { matrixRows, type RowSource } from './inputs.js';

export type { Block, Checkpoint, OptimizerSettings } from './network-memory.js';

/** Rows per forward call when predicting or evaluating many rows. */
const PREDICT_CHUNK = 256;

/**
 * Engines with a forward pass over many rows under way. A pass leaves its kernels running while the
 * caller's arrays are read (their getters could call back into simdnet), and its result is read from
 * the engine after that: no second such pass may start on the engine in between.
 */
const passing = new WeakSet<object>();

export class Network extends NetworkMemory {
  private get outputPtr(): number {
    return this.outputAt << 2;
  }

  // ---- passes ------------------------------------------------------------------------------

  /**
   * Forward pass over every row of x in chunks, each written into an input stage and scanned by the
   * kernels (a non-finite input throws x's error for it); `sink` reads each chunk's outputs at f32
   * index outputIndex. With `residentPtr`, x already sits in engine memory there. On several
   * threads the pass of one chunk runs on the helpers while this thread writes the next into a
   * second stage, then joins it.
   */
  private forwardAll(
    x: RowSource,
    sink: (start: number, count: number, outputIndex: number) => void,
    residentPtr = 0,
  ): void {
    if (passing.has(this.engine))
      throw new Error(
        'simdnet: a prediction started while another one was reading its inputs (from a getter of those inputs)',
      );
    const plan = this.ensureCapacity(Math.min(x.rows, Math.max(this.workPlan?.capacity ?? 0, PREDICT_CHUNK)));
    const k = this.kernels,
      chunk = plan.capacity,
      rowBytes = x.cols * 4;
    const stages = [this.inputStagePtr, 0];
    if (!residentPtr && this.threads > 1 && x.rows > chunk) stages[1] = this.heap.alloc(chunk * rowBytes);
    const stage = (start: number, which: number): number => {
      if (residentPtr) return residentPtr + start * rowBytes;
      const at = stages[stages[1] ? which : 0]!;
      x.write(this.heap.f32, at >> 2, start, Math.min(chunk, x.rows - start));
      return at;
    };
    let running = -1; // the first row of the chunk whose pass is started and not yet joined
    const finish = (): void => {
      const start = running,
        bad = k.finishForward();
      running = -1;
      if (bad >= 0) throw x.error(start * x.cols + bad);
    };
    passing.add(this.engine);
    try {
      k.startForward(this.descriptorPtr, stage(0, 0), Math.min(chunk, x.rows));
      running = 0;
      for (let start = chunk, which = 1; ; start += chunk, which ^= 1) {
        const from = start < x.rows ? stage(start, which) : 0; // while the last chunk's pass runs
        const last = running;
        finish();
        sink(last, Math.min(chunk, x.rows - last), this.outputAt);
        if (!from) break;
        k.startForward(this.descriptorPtr, from, Math.min(chunk, x.rows - start));
        running = start;
      }
    } catch (e) {
      if (running >= 0) finish(); // a value refused while writing: a bad one in the chunk before comes first
      throw e;
    } finally {
      passing.delete(this.engine);
      if (stages[1]) this.heap.release(stages[1]);
    }
  }

  /** The outputs of every row of x (a checked Matrix, or rows the scan checks: inputs.ts), in one new array. */
  outputs(x: Matrix | RowSource): FloatArray {
    if ('data' in x && x.rows === 1) return this.outputRow(x.data);
    const out = new FloatArray(x.rows * this.outputSize);
    this.forwardAll('data' in x ? matrixRows(x) : x, (start, count, yAt) =>
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
      matrixRows(x),
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
}
