// The 'js' twin of assembly/network.ts: whole-network passes driven by the same descriptor.
import { descriptorViews, type MemoryViews } from '../abi/descriptor.js';
import type { denseKernels } from './dense.js';
import type { activationKernels } from './activation.js';
import type { lossKernels } from './loss.js';
import type { updateKernels } from './update.js';
import type { smallKernels } from './small.js';
import type { scanKernels } from './scan.js';

type Parts = ReturnType<typeof denseKernels> &
  ReturnType<typeof activationKernels> &
  ReturnType<typeof lossKernels> &
  ReturnType<typeof updateKernels> &
  ReturnType<typeof smallKernels> &
  ReturnType<typeof scanKernels>;

export function networkKernels(heap: MemoryViews, k: Parts) {
  const descriptor = descriptorViews(heap);

  // every layer's Y = f(X·W + b) for rows rows at xPtr
  function forward(descriptorPtr: number, xPtr: number, rows: number): void {
    const net = descriptor(descriptorPtr),
      layers = net.layers;
    net.input = xPtr;
    let input = xPtr;
    for (let l = 0; l < layers; l++) {
      const r = net.layer(l),
        y = r.y,
        fanOut = r.fanOut;
      k.matmul(input, r.w, r.b, y, rows, r.fanIn, fanOut);
      k.activate(r.act, r.p0, r.p1, y, rows, fanOut);
      input = y;
    }
  }

  // the forward pass for outputs only, its inputs scanned first (one thread: run here, its result kept
  // for finishForward: the first bad input's flat index, or −1)
  let forwardResult = -1;
  function startForward(descriptorPtr: number, xPtr: number, rows: number): void {
    forwardResult = k.firstNonFinite(xPtr, rows * descriptor(descriptorPtr).layer(0).fanIn);
    if (forwardResult < 0) forward(descriptorPtr, xPtr, rows);
  }
  function finishForward(): number {
    return forwardResult;
  }

  // error terms of every layer from the current weights, then the gradients
  function backward(descriptorPtr: number, tPtr: number, rows: number): void {
    const net = descriptor(descriptorPtr),
      layers = net.layers;
    net.rows = rows;
    const last = net.layer(layers - 1);
    k.outputDelta(net.loss, last.act, last.p0, last.y, tPtr, last.d, rows, last.fanOut);
    for (let l = layers - 1; l >= 0; l--) {
      const r = net.layer(l),
        fanIn = r.fanIn,
        fanOut = r.fanOut,
        d = r.d,
        gb = r.gb;
      const below = l > 0 ? net.layer(l - 1) : null,
        input = below ? below.y : net.input;
      k.matmulTransA(input, d, r.gw, rows, fanIn, fanOut, 0);
      if (gb) k.columnSums(d, gb, rows, fanOut);
      if (below) {
        const dBelow = below.d;
        k.matmulTransB(d, r.w, dBelow, rows, fanOut, fanIn, net.scratch);
        k.activationGrad(below.act, below.p0, input, dBelow, rows * fanIn);
      }
    }
  }

  // one optimizer step with the last gradients
  function update(descriptorPtr: number): void {
    const net = descriptor(descriptorPtr);
    const count = net.paramCount,
      grads = net.grads,
      beta1 = net.beta1,
      beta2 = net.beta2;
    let gradScale = 1;
    const clip = net.clip;
    if (clip > 0) {
      const norm = Math.sqrt(k.sumSquares(grads, count));
      if (norm > clip) gradScale = clip / norm;
    }
    net.step = net.step + 1;
    const p1 = net.beta1Power * beta1,
      p2 = net.beta2Power * beta2;
    net.beta1Power = p1;
    net.beta2Power = p2;
    k.applyUpdate(
      net.optimizer,
      net.params,
      grads,
      net.m,
      net.v,
      count,
      net.learningRate,
      beta1,
      beta2,
      net.epsilon,
      net.decay,
      gradScale,
      Math.fround(1 - p1),
      Math.fround(1 - p2),
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
    // small networks take the small epoch: same arithmetic, far less bookkeeping per row
    if (k.smallEpochFits(descriptorPtr, batch)) {
      k.trainSmallEpoch(descriptorPtr, xPtr, tPtr, orderPtr, rows, batch);
      return;
    }
    const net = descriptor(descriptorPtr);
    const layers = net.layers;
    const fanIn = net.layer(0).fanIn,
      fanOut = net.layer(layers - 1).fanOut;
    const xStage = net.inputStage,
      tStage = net.targetStage;
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

  return { forward, startForward, finishForward, backward, update, gatherRows, trainEpoch };
}
