// Whole-network passes driven by the descriptor at descriptorPtr (see layout.ts), so that a batch,
// or a whole epoch of a small network, costs one call across the JavaScript–Wasm boundary.
import {
  H_LAYERS, H_LOSS, H_OPTIMIZER, H_STEP, H_BETA1, H_BETA2, H_CLIP,
  H_SCRATCH, H_INPUT, H_GRADS, H_M, H_V, H_PARAM_COUNT, H_INPUT_STAGE,
  H_TARGET_STAGE, H_ROWS, H_BETA1_POWER, H_BETA2_POWER, L_FAN_IN, L_FAN_OUT, L_ACT, L_P0, L_P1, L_W, L_B, L_GW, L_GB, L_Y, L_D,
  OPT_SGD, OPT_ADAM, H_CAPACITY, H_THREADS, headerI32, headerF32, layerRecord,
} from './layout';
import { matmul, matmulTransA, matmulTransB, columnSums } from './dense';
import { activate, activationGrad } from './activation';
import { outputDelta } from './loss';
import { sumSquares } from './update';
import { parallelUpdate, useThreads } from './parallel';
import { smallEpochFits, trainSmallEpoch } from './small';

// @ts-ignore: decorator
@inline function word(rec: usize, w: i32): i32 { return load<i32>(rec + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function wordF(rec: usize, w: i32): f32 { return load<f32>(rec + (<usize>w << 2)); }

// What TypeScript promises the passes, checked by the debug build only (the release builds are
// compiled with --noAssert, which makes ASC_NO_ASSERT true and drops these blocks entirely).
// @ts-ignore: decorator
@inline function checkRows(descriptorPtr: usize, rows: i32): void {
  if (!ASC_NO_ASSERT) {
    assert(headerI32(descriptorPtr, H_LAYERS) >= 1, 'a network has a weight layer');
    assert(rows >= 1 && rows <= headerI32(descriptorPtr, H_CAPACITY), 'the rows fit the per-batch buffers');
  }
}

// Forward pass of rows input rows at xPtr: every layer's Y = f(X·W + b). Output in the last layer's Y.
export function forward(descriptorPtr: usize, xPtr: usize, rows: i32): void {
  checkRows(descriptorPtr, rows);
  useThreads(headerI32(descriptorPtr, H_THREADS));
  store<i32>(descriptorPtr + (<usize>H_INPUT << 2), <i32>xPtr);
  const layers = headerI32(descriptorPtr, H_LAYERS);
  let input = xPtr;
  for (let l = 0; l < layers; l++) {
    const rec = layerRecord(descriptorPtr, l);
    const fanIn = word(rec, L_FAN_IN), fanOut = word(rec, L_FAN_OUT);
    const y = <usize>word(rec, L_Y);
    matmul(input, <usize>word(rec, L_W), <usize>word(rec, L_B), y, rows, fanIn, fanOut);
    activate(word(rec, L_ACT), wordF(rec, L_P0), wordF(rec, L_P1), y, rows, fanOut);
    input = y;
  }
}

// Backward pass after forward() on the same rows, against targets at tPtr: error terms of every
// layer (all computed from the current weights, as the article does) and the gradients of the loss.
export function backward(descriptorPtr: usize, tPtr: usize, rows: i32): void {
  checkRows(descriptorPtr, rows);
  useThreads(headerI32(descriptorPtr, H_THREADS));
  const layers = headerI32(descriptorPtr, H_LAYERS);
  store<i32>(descriptorPtr + (<usize>H_ROWS << 2), rows);
  const last = layerRecord(descriptorPtr, layers - 1);
  outputDelta(headerI32(descriptorPtr, H_LOSS), word(last, L_ACT), wordF(last, L_P0), <usize>word(last, L_Y), tPtr,
    <usize>word(last, L_D), rows, word(last, L_FAN_OUT));
  for (let l = layers - 1; l >= 0; l--) {
    const rec = layerRecord(descriptorPtr, l);
    const fanIn = word(rec, L_FAN_IN), fanOut = word(rec, L_FAN_OUT);
    const d = <usize>word(rec, L_D);
    const input: usize = l == 0 ? <usize>headerI32(descriptorPtr, H_INPUT) : <usize>word(layerRecord(descriptorPtr, l - 1), L_Y);
    matmulTransA(input, d, <usize>word(rec, L_GW), rows, fanIn, fanOut, 0);
    const gb = <usize>word(rec, L_GB);
    if (gb) columnSums(d, gb, rows, fanOut);
    if (l > 0) {
      const prev = layerRecord(descriptorPtr, l - 1);
      const dPrev = <usize>word(prev, L_D);
      matmulTransB(d, <usize>word(rec, L_W), dPrev, rows, fanOut, fanIn, <usize>headerI32(descriptorPtr, H_SCRATCH));
      activationGrad(word(prev, L_ACT), wordF(prev, L_P0), <usize>word(prev, L_Y), dPrev, rows * fanIn);
    }
  }
}

// One optimizer step with the gradients of the last backward(): clipping, weight decay, the step
// counter; the step itself is shared among threads as that pass's weight gradients were (parallel.ts).
export function update(descriptorPtr: usize): void {
  if (!ASC_NO_ASSERT) {
    const opt = headerI32(descriptorPtr, H_OPTIMIZER);
    assert(opt == OPT_SGD || headerI32(descriptorPtr, H_M) != 0, 'momentum and Adam have their slot m');
    assert(opt != OPT_ADAM || headerI32(descriptorPtr, H_V) != 0, 'Adam has its slot v');
  }
  const count = headerI32(descriptorPtr, H_PARAM_COUNT);
  const grads = <usize>headerI32(descriptorPtr, H_GRADS);
  let gradScale: f32 = 1;
  const clip = headerF32(descriptorPtr, H_CLIP);
  if (clip > 0) {
    const norm = Math.sqrt(sumSquares(grads, count));
    if (norm > <f64>clip) gradScale = <f32>(<f64>clip / norm);
  }
  store<i32>(descriptorPtr + (<usize>H_STEP << 2), headerI32(descriptorPtr, H_STEP) + 1);
  // β^t by one multiplication per step (the façade sets β^step when training starts)
  const p1 = load<f64>(descriptorPtr + (<usize>H_BETA1_POWER << 2)) * <f64>headerF32(descriptorPtr, H_BETA1);
  const p2 = load<f64>(descriptorPtr + (<usize>H_BETA2_POWER << 2)) * <f64>headerF32(descriptorPtr, H_BETA2);
  store<f64>(descriptorPtr + (<usize>H_BETA1_POWER << 2), p1);
  store<f64>(descriptorPtr + (<usize>H_BETA2_POWER << 2), p2);
  useThreads(headerI32(descriptorPtr, H_THREADS));
  parallelUpdate(descriptorPtr, count, gradScale, <f32>(1 - p1), <f32>(1 - p2));
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
  checkRows(descriptorPtr, min(batch, rows));
  // small networks take the fused path: same arithmetic, far less bookkeeping per row
  if (smallEpochFits(descriptorPtr, batch)) { trainSmallEpoch(descriptorPtr, xPtr, tPtr, orderPtr, rows, batch); return; }
  const layers = headerI32(descriptorPtr, H_LAYERS);
  const fanIn = word(layerRecord(descriptorPtr, 0), L_FAN_IN);
  const fanOut = word(layerRecord(descriptorPtr, layers - 1), L_FAN_OUT);
  const xStage = <usize>headerI32(descriptorPtr, H_INPUT_STAGE), tStage = <usize>headerI32(descriptorPtr, H_TARGET_STAGE);
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
