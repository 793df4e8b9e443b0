// The 'js' twin of assembly/network.ts: whole-network passes driven by the same descriptor.
import type { Heap } from '../runtime/heap.js';
import { H, L, HEADER_WORDS, LAYER_WORDS } from '../runtime/layout.js';
import type { denseKernels } from './dense.js';
import type { activationKernels } from './activation.js';
import type { lossKernels } from './loss.js';
import type { updateKernels } from './update.js';
import type { smallKernels } from './small.js';

type Parts = ReturnType<typeof denseKernels> &
  ReturnType<typeof activationKernels> &
  ReturnType<typeof lossKernels> &
  ReturnType<typeof updateKernels> &
  ReturnType<typeof smallKernels>;

export function networkKernels(heap: Heap, k: Parts) {
  const rec = (descriptorPtr: number, l: number): number => (descriptorPtr >>> 2) + HEADER_WORDS + l * LAYER_WORDS;

  // every layer's Y = f(X·W + b) for rows rows at xPtr
  function forward(descriptorPtr: number, xPtr: number, rows: number): void {
    const i32 = heap.i32,
      f32 = heap.f32,
      h = descriptorPtr >>> 2;
    i32[h + H.INPUT] = xPtr;
    let input = xPtr;
    for (let l = 0; l < i32[h + H.LAYERS]!; l++) {
      const r = rec(descriptorPtr, l);
      const y = i32[r + L.Y]!,
        fanOut = i32[r + L.FAN_OUT]!;
      k.matmul(input, i32[r + L.W]!, i32[r + L.B]!, y, rows, i32[r + L.FAN_IN]!, fanOut);
      k.activate(i32[r + L.ACT]!, f32[r + L.P0]!, f32[r + L.P1]!, y, rows, fanOut);
      input = y;
    }
  }

  // error terms of every layer from the current weights, then the gradients
  function backward(descriptorPtr: number, tPtr: number, rows: number): void {
    const i32 = heap.i32,
      f32 = heap.f32,
      h = descriptorPtr >>> 2;
    const layers = i32[h + H.LAYERS]!;
    i32[h + H.ROWS] = rows;
    const last = rec(descriptorPtr, layers - 1);
    k.outputDelta(
      i32[h + H.LOSS]!,
      i32[last + L.ACT]!,
      f32[last + L.P0]!,
      i32[last + L.Y]!,
      tPtr,
      i32[last + L.D]!,
      rows,
      i32[last + L.FAN_OUT]!,
    );
    for (let l = layers - 1; l >= 0; l--) {
      const r = rec(descriptorPtr, l);
      const fanIn = i32[r + L.FAN_IN]!,
        fanOut = i32[r + L.FAN_OUT]!,
        d = i32[r + L.D]!;
      const input = l === 0 ? i32[h + H.INPUT]! : i32[rec(descriptorPtr, l - 1) + L.Y]!;
      k.matmulTransA(input, d, i32[r + L.GW]!, rows, fanIn, fanOut, 0);
      if (i32[r + L.GB]) k.columnSums(d, i32[r + L.GB]!, rows, fanOut);
      if (l > 0) {
        const p = rec(descriptorPtr, l - 1);
        k.matmulTransB(d, i32[r + L.W]!, i32[p + L.D]!, rows, fanOut, fanIn, i32[h + H.SCRATCH]!);
        k.activationGrad(i32[p + L.ACT]!, f32[p + L.P0]!, i32[p + L.Y]!, i32[p + L.D]!, rows * fanIn);
      }
    }
  }

  // one optimizer step with the last gradients
  function update(descriptorPtr: number): void {
    const i32 = heap.i32,
      f32 = heap.f32,
      h = descriptorPtr >>> 2;
    const count = i32[h + H.PARAM_COUNT]!,
      grads = i32[h + H.GRADS]!;
    let gradScale = 1;
    const clip = f32[h + H.CLIP]!;
    if (clip > 0) {
      const norm = Math.sqrt(k.sumSquares(grads, count));
      if (norm > clip) gradScale = clip / norm;
    }
    i32[h + H.STEP] = i32[h + H.STEP]! + 1;
    const f64 = heap.f64,
      p1 = (descriptorPtr >>> 3) + H.BETA1_POWER / 2,
      p2 = (descriptorPtr >>> 3) + H.BETA2_POWER / 2;
    f64[p1] = f64[p1]! * f32[h + H.BETA1]!;
    f64[p2] = f64[p2]! * f32[h + H.BETA2]!;
    k.applyUpdate(
      i32[h + H.OPTIMIZER]!,
      i32[h + H.PARAMS]!,
      grads,
      i32[h + H.M]!,
      i32[h + H.V]!,
      count,
      f32[h + H.LR]!,
      f32[h + H.BETA1]!,
      f32[h + H.BETA2]!,
      f32[h + H.EPSILON]!,
      f32[h + H.DECAY]!,
      gradScale,
      Math.fround(1 - f64[p1]!),
      Math.fround(1 - f64[p2]!),
    );
  }

  // dst rows = src rows order[start .. start+count)
  function gatherRows(
    srcPtr: number,
    orderPtr: number,
    start: number,
    count: number,
    rowLen: number,
    dstPtr: number,
  ): void {
    const f32 = heap.f32,
      i32 = heap.i32;
    for (let i = 0; i < count; i++) {
      const from = (srcPtr >>> 2) + i32[(orderPtr >>> 2) + start + i]! * rowLen;
      f32.copyWithin((dstPtr >>> 2) + i * rowLen, from, from + rowLen);
    }
  }

  // one epoch over resident rows, batch by batch
  function trainEpoch(
    descriptorPtr: number,
    xPtr: number,
    tPtr: number,
    orderPtr: number,
    rows: number,
    batch: number,
  ): void {
    // small networks take the fused path: same arithmetic, far less bookkeeping per row
    if (k.smallEpochFits(descriptorPtr, batch)) {
      k.trainSmallEpoch(descriptorPtr, xPtr, tPtr, orderPtr, rows, batch);
      return;
    }
    const i32 = heap.i32,
      h = descriptorPtr >>> 2;
    const layers = i32[h + H.LAYERS]!;
    const fanIn = i32[rec(descriptorPtr, 0) + L.FAN_IN]!,
      fanOut = i32[rec(descriptorPtr, layers - 1) + L.FAN_OUT]!;
    const xStage = i32[h + H.INPUT_STAGE]!,
      tStage = i32[h + H.TARGET_STAGE]!;
    for (let start = 0; start < rows; start += batch) {
      const count = Math.min(batch, rows - start);
      let xb = xPtr + start * fanIn * 4,
        tb = tPtr + start * fanOut * 4;
      if (orderPtr) {
        gatherRows(xPtr, orderPtr, start, count, fanIn, xStage);
        gatherRows(tPtr, orderPtr, start, count, fanOut, tStage);
        xb = xStage;
        tb = tStage;
      }
      forward(descriptorPtr, xb, count);
      backward(descriptorPtr, tb, count);
      update(descriptorPtr);
    }
  }

  return { forward, backward, update, gatherRows, trainEpoch };
}
