// Whole-network passes driven by the descriptor at descriptorPtr (contract.generated.ts), so that a batch,
// or a whole epoch of a small network, costs one call across the JavaScript–Wasm boundary.
import { Descriptor, OPT_SGD, OPT_ADAM } from './contract.generated';
import { matmul, matmulTransA, matmulTransB, columnSums } from './dense';
import { activate, activationGrad } from './activation';
import { outputDelta } from './loss';
import { sumSquares } from './update';
import { parallelForwardFinish, parallelForwardStart, parallelUpdate, useThreads } from './parallel';
import { smallEpochFits, trainSmallEpoch } from './small';

// What TypeScript promises the passes, checked by the debug build only (the release builds are
// compiled with --noAssert, which makes ASC_NO_ASSERT true and drops these blocks entirely).
// @ts-ignore: decorator
@inline function checkRows(net: Descriptor, rows: i32): void {
  if (!ASC_NO_ASSERT) {
    assert(net.layers >= 1, 'a network has a weight layer');
    assert(rows >= 1 && rows <= net.capacity, 'the rows fit the per-batch buffers');
  }
}

// Forward pass of rows input rows at xPtr: every layer's Y = f(X·W + b). Output in the last layer's Y.
export function forward(descriptorPtr: usize, xPtr: usize, rows: i32): void {
  const net = changetype<Descriptor>(descriptorPtr);
  checkRows(net, rows);
  useThreads(net.threads);
  net.input = xPtr;
  const layers = net.layers;
  let input = xPtr;
  for (let l = 0; l < layers; l++) {
    const rec = net.layer(l);
    const fanIn = rec.fanIn, fanOut = rec.fanOut;
    const y = rec.y;
    matmul(input, rec.w, rec.b, y, rows, fanIn, fanOut);
    activate(rec.act, rec.p0, rec.p1, y, rows, fanOut);
    input = y;
  }
}

// The forward pass for outputs only (predictions, losses), started: the inputs are scanned first.
// On several threads bands of rows go through every layer (parallel.ts) while this call returns at
// once; finishForward joins the pass. Any other kernel call joins it first too.
export function startForward(descriptorPtr: usize, xPtr: usize, rows: i32): void {
  const net = changetype<Descriptor>(descriptorPtr);
  checkRows(net, rows);
  parallelForwardStart(net, xPtr, rows);
}

// The result of the last forward pass started: the flat index of its first NaN or ±Infinity input
// (its outputs then mean nothing), or −1 with the outputs in the last layer's Y.
export function finishForward(): i32 {
  return parallelForwardFinish();
}

// Backward pass after forward() on the same rows, against targets at tPtr: error terms of every
// layer (all computed from the current weights, as the article does) and the gradients of the loss.
export function backward(descriptorPtr: usize, tPtr: usize, rows: i32): void {
  const net = changetype<Descriptor>(descriptorPtr);
  checkRows(net, rows);
  useThreads(net.threads);
  const layers = net.layers;
  net.rows = rows;
  const last = net.layer(layers - 1);
  outputDelta(net.loss, last.act, last.p0, last.y, tPtr, last.d, rows, last.fanOut);
  for (let l = layers - 1; l >= 0; l--) {
    const rec = net.layer(l);
    const fanIn = rec.fanIn, fanOut = rec.fanOut;
    const d = rec.d;
    const input: usize = l == 0 ? net.input : net.layer(l - 1).y;
    matmulTransA(input, d, rec.gw, rows, fanIn, fanOut, 0);
    const gb = rec.gb;
    if (gb) columnSums(d, gb, rows, fanOut);
    if (l > 0) {
      const prev = net.layer(l - 1);
      const dPrev = prev.d;
      matmulTransB(d, rec.w, dPrev, rows, fanOut, fanIn, net.scratch);
      activationGrad(prev.act, prev.p0, prev.y, dPrev, rows * fanIn);
    }
  }
}

// One optimizer step with the gradients of the last backward(): clipping, weight decay, the step
// counter; the step itself is shared among threads as that pass's weight gradients were (parallel.ts).
export function update(descriptorPtr: usize): void {
  const net = changetype<Descriptor>(descriptorPtr);
  if (!ASC_NO_ASSERT) {
    const opt = net.optimizer;
    assert(opt == OPT_SGD || net.m != 0, 'momentum and Adam have their slot m');
    assert(opt != OPT_ADAM || net.v != 0, 'Adam has its slot v');
  }
  const count = net.paramCount;
  const grads = net.grads;
  let gradScale: f32 = 1;
  const clip = net.clip;
  if (clip > 0) {
    const norm = Math.sqrt(sumSquares(grads, count));
    if (norm > <f64>clip) gradScale = <f32>(<f64>clip / norm);
  }
  net.step = net.step + 1;
  // β^t by one multiplication per step (the façade sets β^step when training starts)
  const p1 = net.beta1Power * <f64>net.beta1;
  const p2 = net.beta2Power * <f64>net.beta2;
  net.beta1Power = p1;
  net.beta2Power = p2;
  useThreads(net.threads);
  parallelUpdate(net, count, gradScale, <f32>(1 - p1), <f32>(1 - p2));
}

// dst rows = src rows order[start .. start+count), each rowLen floats (a shuffled batch).
export function gatherRows(srcPtr: usize, orderPtr: usize, start: i32, count: i32, rowLen: i32, dstPtr: usize): void {
  const bytes = <usize>rowLen << 2;
  for (let i = 0; i < count; i++) {
    const r = load<i32>(orderPtr + (<usize>(start + i) << 2));
    memory.copy(dstPtr + <usize>i * bytes, srcPtr + <usize>r * bytes, bytes);
  }
}

// One epoch over rows resident rows: batches of batch rows, in the order given by orderPtr
// (row indices) or in storage order when orderPtr is 0; forward, backward and update per batch.
export function trainEpoch(descriptorPtr: usize, xPtr: usize, tPtr: usize, orderPtr: usize, rows: i32, batch: i32): void {
  const net = changetype<Descriptor>(descriptorPtr);
  checkRows(net, min(batch, rows));
  // small networks take the small epoch: same arithmetic, far less bookkeeping per row
  if (smallEpochFits(descriptorPtr, batch)) { trainSmallEpoch(descriptorPtr, xPtr, tPtr, orderPtr, rows, batch); return; }
  const layers = net.layers;
  const fanIn = net.layer(0).fanIn;
  const fanOut = net.layer(layers - 1).fanOut;
  const xStage = net.inputStage, tStage = net.targetStage;
  for (let start = 0; start < rows; start += batch) {
    const count = min(batch, rows - start);
    let xb = xPtr + (<usize>(start * fanIn) << 2);
    let tb = tPtr + (<usize>(start * fanOut) << 2);
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
