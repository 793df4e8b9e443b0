// Fused training of small networks: one epoch in which each row (or mini-batch of up to four rows
// of a tiny network) goes forward, back and into the weights, instead of the seven general kernels
// of network.ts that each read the descriptor and choose a blocking: at 3×4 the bookkeeping is the
// work. No packing, no blocking; the header is read once per epoch. Two shapes:
// - one hidden layer and every width at most 4 (trainNarrowEpoch): each weight row, and a batch's
//   gradients, stay in one register for the whole epoch;
// - otherwise one row at a time (trainRowEpoch), every layer at most SMALL_MAX_WIDTH wide: each
//   layer's record is read once per pass, and W −= lr·(x ⊗ d + decay·W) runs in the same sweep
//   that propagates the row's error terms back through W (the article's update).
// Where the general path is as fast (wider layers in batches, see README, Speed), it keeps them.
//
// The arithmetic is the general path's, operation for operation: the same sums in the same order
// (fused multiply-add where dense.ts fuses, D·Wᵀ lane-split for fewer than four rows as
// dotRowsTransB sums it, in column order for four), the same activations, error terms and steps.
// A network trained here is bit for bit the one trained by forward/backward/update.
import {
  H_LAYERS, H_LOSS, H_STEP, H_LR, H_BETA1, H_BETA2, H_DECAY, H_CLIP, H_OPTIMIZER, H_BETA1_POWER, H_BETA2_POWER,
  L_FAN_IN, L_FAN_OUT, L_ACT, L_P0, L_P1, L_W, L_B, L_Y, L_D, ACT_SIGMOID, ACT_TANH, ACT_SOFTMAX, OPT_SGD, LOSS_SSE, LOSS_MSE,
  headerI32, headerF32, layerRecord, lossScale,
} from './layout';
import { apply4, derivative4, activate } from './activation';
import { outputDelta } from './loss';
import { madd } from './gemm';

// Widest layer of the one-row path; the widths and batch of the register path (measured: README, Speed).
export const SMALL_MAX_WIDTH: i32 = 64;
const NARROW_WIDTH: i32 = 4;
const NARROW_MAX_BATCH: i32 = 4;

// @ts-ignore: decorator
@inline function recordI32(rec: usize, w: i32): i32 { return load<i32>(rec + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function recordF32(rec: usize, w: i32): f32 { return load<f32>(rec + (<usize>w << 2)); }

// f(s) lane-wise for the elementwise kinds (softmax: s itself, left to the caller): one copy of
// apply4 and its exp for every caller here. Sigmoid and tanh first without fraction's guard for
// non-finite exponents, a step shorter on the chain from one row to the next: where that gives no
// NaN, every exponent was finite and the bits are apply4's; otherwise (an infinite or NaN s) apply4.
function activateChunk(kind: i32, s: v128, p0: v128, p1: v128): v128 {
  if (kind == ACT_SOFTMAX) kind = 0;
  // one copy of apply4, run a second time with the guard when the first gives NaN
  let guarded = kind != ACT_SIGMOID && kind != ACT_TANH, y: v128;
  do {
    y = apply4(kind, s, p0, p1, f32x4.splat(1), f32x4.splat(0), !guarded);
    if (guarded || i32x4.all_true(f32x4.eq(y, y))) break;
    guarded = true;
  } while (true);
  return y;
}

// a*b + c with two roundings in every build: the scalar edge columns of dense.ts.
// @ts-ignore: decorator
@inline function mulAdd(a: v128, b: v128, c: v128): v128 { return f32x4.add(f32x4.mul(a, b), c); }

// a·b + c, fused exactly where dense.ts fuses it: in full 4-column chunks (fused = width is 4).
// @ts-ignore: decorator
@inline function maddIf(fused: bool, a: v128, b: v128, c: v128): v128 { return fused ? madd(a, b, c) : mulAdd(a, b, c); }

// W − lr·(g + decay·W): applyUpdate's plain SGD step (gradScale is 1 without clipping).
// @ts-ignore: decorator
@inline function descend(w: v128, g: v128, lr: v128, decay: v128): v128 {
  return f32x4.sub(w, f32x4.mul(lr, f32x4.add(g, f32x4.mul(decay, w))));
}

// descend without its decay term when decay is 0: the same bits, since g + (±0) = g where the
// gradient g is not −0 (0 + x·d or 0 + d), and W1's x·dh without 0 + differs only where W is −0.
// @ts-ignore: decorator
@inline function descendIf(decayed: bool, w: v128, g: v128, lr: v128, decay: v128): v128 {
  return decayed ? descend(w, g, lr, decay) : f32x4.sub(w, f32x4.mul(lr, g));
}

// derivative4, without the sigmoid's multiplication by a gain of 1 (1·v = v: the same bits).
// @ts-ignore: decorator
@inline function derivativeIf(unitGain: bool, kind: i32, y: v128, p0: v128, one: v128, zero: v128): v128 {
  return unitGain && kind == ACT_SIGMOID ? f32x4.mul(y, f32x4.sub(one, y)) : derivative4(kind, y, p0, one, zero);
}

// Stores lanes [0, count) of v at p, count in 1..3 (an edge chunk of a row).
function storeLanes(p: usize, v: v128, count: i32): void {
  v128.store32_lane(p, v, 0);
  if (count > 1) v128.store32_lane(p, v, 1, 4);
  if (count > 2) v128.store32_lane(p, v, 2, 8);
}

// Lane i of v in every lane.
// @ts-ignore: decorator
@inline function lane(v: v128, i: i32): v128 {
  if (i == 0) return v128.shuffle<f32>(v, v, 0, 0, 0, 0);
  if (i == 1) return v128.shuffle<f32>(v, v, 1, 1, 1, 1);
  if (i == 2) return v128.shuffle<f32>(v, v, 2, 2, 2, 2);
  return v128.shuffle<f32>(v, v, 3, 3, 3, 3);
}

// (a0+a2)+(a1+a3) of each of a, b, c, d in lanes 0..3: dotRowsTransB's horizontal sums.
// @ts-ignore: decorator
@inline function horizontalSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

// The register path's networks: one hidden layer, every width at most 4, one row per batch (any
// loss) or up to four with SSE or MSE on an elementwise output.
function narrowFits(descriptorPtr: usize, batch: i32): bool {
  if (headerI32(descriptorPtr, H_LAYERS) != 2) return false;
  const hidden = layerRecord(descriptorPtr, 0), out = layerRecord(descriptorPtr, 1);
  if (recordI32(hidden, L_FAN_IN) > NARROW_WIDTH || recordI32(hidden, L_FAN_OUT) > NARROW_WIDTH || recordI32(out, L_FAN_OUT) > NARROW_WIDTH) return false;
  const loss = headerI32(descriptorPtr, H_LOSS);
  return batch == 1 || (batch <= NARROW_MAX_BATCH && (loss == LOSS_SSE || loss == LOSS_MSE) && recordI32(out, L_ACT) != ACT_SOFTMAX);
}

// 1 when trainSmallEpoch trains this network at this batch size: plain SGD without clipping (a
// step needs no global gradient norm), and the register path's networks, or one row per batch
// with every layer at most SMALL_MAX_WIDTH wide.
export function smallEpochFits(descriptorPtr: usize, batch: i32): i32 {
  if (headerI32(descriptorPtr, H_OPTIMIZER) != OPT_SGD || headerF32(descriptorPtr, H_CLIP) > 0) return 0;
  if (narrowFits(descriptorPtr, batch)) return 1;
  if (batch != 1) return 0;
  for (let l = 0; l < headerI32(descriptorPtr, H_LAYERS); l++) {
    const rec = layerRecord(descriptorPtr, l);
    if (recordI32(rec, L_FAN_IN) > SMALL_MAX_WIDTH || recordI32(rec, L_FAN_OUT) > SMALL_MAX_WIDTH) return 0;
  }
  return 1;
}

// y = f(x·W + b) for one row: each 4-column chunk sums x_i·W[i, j..j+3] over i in order into a
// register, then activates it (softmax: left to the caller, row by row).
// @ts-ignore: decorator
@inline function forwardRow(x: usize, w: usize, b: usize, y: usize, fanIn: i32, fanOut: i32, act: i32, p0: v128, p1: v128): void {
  const zero = f32x4.splat(0);
  const rowBytes = <usize>fanOut << 2, last = fanOut & ~3;
  let j = 0;
  for (; j < last; j += 4) {
    const o = <usize>j << 2;
    let acc = b ? v128.load(b + o) : zero;
    let pw = w + o;
    for (let i = 0; i < fanIn; i++) {
      acc = madd(v128.load32_splat(x + (<usize>i << 2)), v128.load(pw), acc);
      pw += rowBytes;
    }
    v128.store(y + o, activateChunk(act, acc, p0, p1));
  }
  if (j < fanOut) {
    const o = <usize>j << 2;
    let acc = b ? v128.load(b + o) : zero;
    let pw = w + o;
    for (let i = 0; i < fanIn; i++) {
      acc = mulAdd(v128.load32_splat(x + (<usize>i << 2)), v128.load(pw), acc);
      pw += rowBytes;
    }
    storeLanes(y + o, activateChunk(act, acc, p0, p1), fanOut - j);
  }
}

// One row's sweep over W (fanIn×fanOut) with its error terms d (dE/ds of this layer):
// - with dPrev, the error terms of the layer below, dPrev = (d·Wᵀ) ⊙ f'(yPrev), summed as
//   dotRowsTransB sums them (lane-split over 4-column chunks for blocks of 4 W rows, in order for
//   the rows after the last block) from W before this row's update;
// - W −= lr·(x ⊗ d + decay·W) in the same sweep (x is the layer's input row, which for a hidden
//   layer is also yPrev).
// @ts-ignore: decorator
@inline function sweepRow(
  w: usize, fanIn: i32, fanOut: i32, d: usize, x: usize, dPrev: usize, actPrev: i32, p0Prev: v128, lr: v128, decay: v128,
): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  const rowBytes = <usize>fanOut << 2, last = fanOut & ~3, edge = fanOut - last, edgeOffset = <usize>last << 2;
  let i = 0;
  if (dPrev) {
    for (; i + 4 <= fanIn; i += 4) {
      const w0 = w + <usize>i * rowBytes, w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
      const xi = x + (<usize>i << 2);
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      for (let j = 0; j < last; j += 4) {
        const o = <usize>j << 2, dj = v128.load(d + o);
        const v0 = v128.load(w0 + o), v1 = v128.load(w1 + o), v2 = v128.load(w2 + o), v3 = v128.load(w3 + o);
        a0 = madd(dj, v0, a0); a1 = madd(dj, v1, a1); a2 = madd(dj, v2, a2); a3 = madd(dj, v3, a3);
        v128.store(w0 + o, descend(v0, madd(v128.load32_splat(xi), dj, zero), lr, decay));
        v128.store(w1 + o, descend(v1, madd(v128.load32_splat(xi, 4), dj, zero), lr, decay));
        v128.store(w2 + o, descend(v2, madd(v128.load32_splat(xi, 8), dj, zero), lr, decay));
        v128.store(w3 + o, descend(v3, madd(v128.load32_splat(xi, 12), dj, zero), lr, decay));
      }
      let h = horizontalSums(a0, a1, a2, a3);
      if (edge) {
        // the edge columns add one product per W row, in column order, unfused
        const dj = v128.load(d + edgeOffset);
        const v0 = v128.load(w0 + edgeOffset), v1 = v128.load(w1 + edgeOffset), v2 = v128.load(w2 + edgeOffset), v3 = v128.load(w3 + edgeOffset);
        const q0 = f32x4.mul(dj, v0), q1 = f32x4.mul(dj, v1), q2 = f32x4.mul(dj, v2), q3 = f32x4.mul(dj, v3);
        h = f32x4.add(h, v128.shuffle<f32>(v128.shuffle<f32>(q0, q1, 0, 4, 0, 4), v128.shuffle<f32>(q2, q3, 0, 4, 0, 4), 0, 1, 4, 5));
        if (edge > 1) h = f32x4.add(h, v128.shuffle<f32>(v128.shuffle<f32>(q0, q1, 1, 5, 1, 5), v128.shuffle<f32>(q2, q3, 1, 5, 1, 5), 0, 1, 4, 5));
        if (edge > 2) h = f32x4.add(h, v128.shuffle<f32>(v128.shuffle<f32>(q0, q1, 2, 6, 2, 6), v128.shuffle<f32>(q2, q3, 2, 6, 2, 6), 0, 1, 4, 5));
        storeLanes(w0 + edgeOffset, descend(v0, mulAdd(v128.load32_splat(xi), dj, zero), lr, decay), edge);
        storeLanes(w1 + edgeOffset, descend(v1, mulAdd(v128.load32_splat(xi, 4), dj, zero), lr, decay), edge);
        storeLanes(w2 + edgeOffset, descend(v2, mulAdd(v128.load32_splat(xi, 8), dj, zero), lr, decay), edge);
        storeLanes(w3 + edgeOffset, descend(v3, mulAdd(v128.load32_splat(xi, 12), dj, zero), lr, decay), edge);
      }
      const o = <usize>i << 2;
      v128.store(dPrev + o, f32x4.mul(h, derivative4(actPrev, v128.load(x + o), p0Prev, one, zero)));
    }
  }
  for (; i < fanIn; i++) {
    const wi = w + <usize>i * rowBytes, xi = v128.load32_splat(x + (<usize>i << 2));
    let sum: f32 = 0;
    for (let j = 0; j < last; j += 4) {
      const o = <usize>j << 2, dj = v128.load(d + o), v = v128.load(wi + o);
      if (dPrev) {
        const q = f32x4.mul(dj, v);
        sum += f32x4.extract_lane(q, 0); sum += f32x4.extract_lane(q, 1);
        sum += f32x4.extract_lane(q, 2); sum += f32x4.extract_lane(q, 3);
      }
      v128.store(wi + o, descend(v, madd(xi, dj, zero), lr, decay));
    }
    if (edge) {
      const dj = v128.load(d + edgeOffset), v = v128.load(wi + edgeOffset);
      if (dPrev) {
        const q = f32x4.mul(dj, v);
        sum += f32x4.extract_lane(q, 0);
        if (edge > 1) sum += f32x4.extract_lane(q, 1);
        if (edge > 2) sum += f32x4.extract_lane(q, 2);
      }
      storeLanes(wi + edgeOffset, descend(v, mulAdd(xi, dj, zero), lr, decay), edge);
    }
    if (dPrev) {
      const o = <usize>i << 2;
      const f = f32x4.extract_lane(derivative4(actPrev, v128.load32_splat(x + o), p0Prev, one, zero), 0);
      store<f32>(dPrev + o, sum * f);
    }
  }
}

// b −= lr·(d + decay·b) for one row (the bias gradient 0 + d, as columnSums sums it).
// @ts-ignore: decorator
@inline function descendBias(b: usize, fanOut: i32, d: usize, lr: v128, decay: v128): void {
  for (let j = 0; j < fanOut; j += 4) {
    const o = <usize>j << 2;
    const v = descend(v128.load(b + o), f32x4.add(f32x4.splat(0), v128.load(d + o)), lr, decay);
    if (j + 4 <= fanOut) v128.store(b + o, v);
    else storeLanes(b + o, v, fanOut - j);
  }
}

// One row per step through layers of any width up to SMALL_MAX_WIDTH: the layer's outputs and
// error terms in its Y and D rows, one sweep per layer back and into the weights.
function trainRowEpoch(descriptorPtr: usize, xPtr: usize, tPtr: usize, orderPtr: usize, rows: i32): void {
  const layers = headerI32(descriptorPtr, H_LAYERS), loss = headerI32(descriptorPtr, H_LOSS);
  const lr = f32x4.splat(headerF32(descriptorPtr, H_LR)), decay = f32x4.splat(headerF32(descriptorPtr, H_DECAY));
  const out = layerRecord(descriptorPtr, layers - 1);
  const outAct = recordI32(out, L_ACT), outP0 = recordF32(out, L_P0);
  const xBytes = <usize>recordI32(layerRecord(descriptorPtr, 0), L_FAN_IN) << 2, fanOut = recordI32(out, L_FAN_OUT);
  for (let r = 0; r < rows; r++) {
    const row = orderPtr ? <usize>load<i32>(orderPtr + (<usize>r << 2)) : <usize>r;
    const x = xPtr + row * xBytes;
    let input = x;
    for (let l = 0; l < layers; l++) {
      const rec = layerRecord(descriptorPtr, l);
      const act = recordI32(rec, L_ACT), y = <usize>recordI32(rec, L_Y), width = recordI32(rec, L_FAN_OUT);
      forwardRow(input, <usize>recordI32(rec, L_W), <usize>recordI32(rec, L_B), y, recordI32(rec, L_FAN_IN), width,
        act, f32x4.splat(recordF32(rec, L_P0)), f32x4.splat(recordF32(rec, L_P1)));
      if (act == ACT_SOFTMAX) activate(ACT_SOFTMAX, 0, 0, y, 1, width);
      input = y;
    }
    outputDelta(loss, outAct, outP0, <usize>recordI32(out, L_Y), tPtr + row * (<usize>fanOut << 2), <usize>recordI32(out, L_D), 1, fanOut);
    for (let l = layers - 1; l >= 0; l--) {
      const rec = layerRecord(descriptorPtr, l);
      const width = recordI32(rec, L_FAN_OUT), d = <usize>recordI32(rec, L_D), b = <usize>recordI32(rec, L_B);
      let below = x, dBelow: usize = 0, actBelow = 0, p0Below: f32 = 0;
      if (l > 0) {
        const prev = layerRecord(descriptorPtr, l - 1);
        below = <usize>recordI32(prev, L_Y);
        dBelow = <usize>recordI32(prev, L_D);
        actBelow = recordI32(prev, L_ACT);
        p0Below = recordF32(prev, L_P0);
      }
      sweepRow(<usize>recordI32(rec, L_W), recordI32(rec, L_FAN_IN), width, d, below, dBelow, actBelow, f32x4.splat(p0Below), lr, decay);
      if (b) descendBias(b, width, d, lr, decay);
    }
  }
}

// Networks of one hidden layer whose widths are all at most 4: each layer's weight rows are one
// register each for the whole epoch, and a batch's gradients too; a narrower layer is padded to 4
// lanes (inputs +0, weights −0). Any loss for one row per batch; SSE and MSE for more.
// - One row per batch with SSE or MSE (the article's update): what limits is the chain from one
//   row's error terms through the step to the next row's outputs, so products over padding rows
//   and columns are skipped (predicted branches on the widths), and so are decay·W when the decay
//   is 0 and the sigmoid's multiplication by a gain of 1, which leave every bit as it was.
// - Otherwise the padding takes part, without a branch per width: its products ±0 leave every sum
//   as it was (x + (−0) = x; a +0 can only turn a −0 sum into +0, and no weight sees the sign of a
//   zero error term: x·0 + 0 = +0), and it stays −0 (−0 − lr·(+0) = −0).
function trainNarrowEpoch(descriptorPtr: usize, xPtr: usize, tPtr: usize, orderPtr: usize, rows: i32, batch: i32): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  const lr = f32x4.splat(headerF32(descriptorPtr, H_LR)), decay = f32x4.splat(headerF32(descriptorPtr, H_DECAY));
  const loss = headerI32(descriptorPtr, H_LOSS);
  const hidden = layerRecord(descriptorPtr, 0), out = layerRecord(descriptorPtr, 1);
  const nIn = recordI32(hidden, L_FAN_IN), nHid = recordI32(hidden, L_FAN_OUT), nOut = recordI32(out, L_FAN_OUT);
  const actH = recordI32(hidden, L_ACT), actO = recordI32(out, L_ACT);
  const p0H = f32x4.splat(recordF32(hidden, L_P0)), p1H = f32x4.splat(recordF32(hidden, L_P1));
  const p0O = f32x4.splat(recordF32(out, L_P0)), p1O = f32x4.splat(recordF32(out, L_P1));
  const fusedH = nHid == 4, fusedO = nOut == 4;
  // lanes below each width
  const lanes = i32x4(0, 1, 2, 3);
  const maskIn = i32x4.lt_s(lanes, i32x4.splat(nIn)), maskHid = i32x4.lt_s(lanes, i32x4.splat(nHid)), maskOut = i32x4.lt_s(lanes, i32x4.splat(nOut));
  // SSE and MSE give dE/dy = 2·scale·(y − t) (outputDelta's form); other losses go through outputDelta
  const squared = (loss == LOSS_SSE || loss == LOSS_MSE) && actO != ACT_SOFTMAX;
  const yOut = <usize>recordI32(out, L_Y), dOut = <usize>recordI32(out, L_D);
  const w1 = <usize>recordI32(hidden, L_W), w2 = <usize>recordI32(out, L_W);
  const b1p = <usize>recordI32(hidden, L_B), b2p = <usize>recordI32(out, L_B);
  const hBytes = <usize>nHid << 2, oBytes = <usize>nOut << 2, xBytes = <usize>nIn << 2;
  let w10 = loadRow(w1, 0, nIn, hBytes, maskHid), w11 = loadRow(w1, 1, nIn, hBytes, maskHid);
  let w12 = loadRow(w1, 2, nIn, hBytes, maskHid), w13 = loadRow(w1, 3, nIn, hBytes, maskHid);
  let w20 = loadRow(w2, 0, nHid, oBytes, maskOut), w21 = loadRow(w2, 1, nHid, oBytes, maskOut);
  let w22 = loadRow(w2, 2, nHid, oBytes, maskOut), w23 = loadRow(w2, 3, nHid, oBytes, maskOut);
  let b1 = b1p ? v128.and(v128.load(b1p), maskHid) : zero, b2 = b2p ? v128.and(v128.load(b2p), maskOut) : zero;
  // One row per batch with SSE or MSE, unless a weight of W1 is −0: the one-row loop leaves out
  // matmulTransA's 0 + of W1's gradients (0 + x·dh turns a −0 into +0), and W − lr·(x·dh) differs
  // from W − lr·(0 + x·dh) only where W is −0 (as does W − lr·(x·dh + decay·W)). W − v is −0 only
  // where W is, so a W1 without −0 at the start has none all epoch; with one, the batch loop below
  // (the general path's arithmetic, one row at a time) trains it.
  const minusZero = i32x4.splat(0x80000000);
  let signedZero = v128.and(i32x4.eq(w10, minusZero), maskHid);
  if (nIn > 1) signedZero = v128.or(signedZero, v128.and(i32x4.eq(w11, minusZero), maskHid));
  if (nIn > 2) signedZero = v128.or(signedZero, v128.and(i32x4.eq(w12, minusZero), maskHid));
  if (nIn > 3) signedZero = v128.or(signedZero, v128.and(i32x4.eq(w13, minusZero), maskHid));
  const oneRow = batch == 1 && squared && !v128.any_true(signedZero);
  if (oneRow) {
    const twiceScale = f32x4.splat(2 * lossScale(loss, 1, nOut)), decayed = headerF32(descriptorPtr, H_DECAY) != 0;
    const unitGainH = recordF32(hidden, L_P0) == 1, unitGainO = recordF32(out, L_P0) == 1;
    // one output: W2's rows, b2, and so the outputs and error terms, hold lane 0's value in every
    // lane (each lane does lane 0's arithmetic), and D·Wᵀ needs no broadcast of d on the chain
    const single = nOut == 1;
    if (single) { w20 = lane(w20, 0); w21 = lane(w21, 0); w22 = lane(w22, 0); w23 = lane(w23, 0); b2 = lane(b2, 0); }
    for (let r = 0; r < rows; r++) {
      const row = orderPtr ? <usize>load<i32>(orderPtr + (<usize>r << 2)) : <usize>r;
      const x = xPtr + row * xBytes, t = tPtr + row * oBytes;
      // forward over the actual rows of W1 and W2
      let s1 = maddIf(fusedH, v128.load32_splat(x), w10, b1);
      if (nIn > 1) s1 = maddIf(fusedH, v128.load32_splat(x, 4), w11, s1);
      if (nIn > 2) s1 = maddIf(fusedH, v128.load32_splat(x, 8), w12, s1);
      if (nIn > 3) s1 = maddIf(fusedH, v128.load32_splat(x, 12), w13, s1);
      const h = activateChunk(actH, s1, p0H, p1H);
      let s2 = maddIf(fusedO, lane(h, 0), w20, b2);
      if (nHid > 1) s2 = maddIf(fusedO, lane(h, 1), w21, s2);
      if (nHid > 2) s2 = maddIf(fusedO, lane(h, 2), w22, s2);
      if (nHid > 3) s2 = maddIf(fusedO, lane(h, 3), w23, s2);
      const y = activateChunk(actO, s2, p0O, p1O);
      const target = single ? v128.load32_splat(t) : v128.and(v128.load(t), maskOut);
      const d = f32x4.mul(f32x4.mul(twiceScale, f32x4.sub(y, target)), derivativeIf(unitGainO, actO, y, p0O, one, zero));
      // the hidden layer's error terms from W2 before the step
      let back: v128;
      if (fusedH && fusedO) {
        back = horizontalSums(f32x4.mul(d, w20), f32x4.mul(d, w21), f32x4.mul(d, w22), f32x4.mul(d, w23));
      } else {
        // in column order over the actual columns: W2's columns are its rows transposed
        const lo01 = v128.shuffle<f32>(w20, w21, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(w22, w23, 0, 4, 1, 5);
        back = f32x4.mul(single ? d : lane(d, 0), v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
        if (nOut > 1) back = f32x4.add(back, f32x4.mul(lane(d, 1), v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7)));
        if (nOut > 2) {
          const hi01 = v128.shuffle<f32>(w20, w21, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(w22, w23, 2, 6, 3, 7);
          back = f32x4.add(back, f32x4.mul(lane(d, 2), v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5)));
          if (nOut > 3) back = f32x4.add(back, f32x4.mul(lane(d, 3), v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7)));
        }
      }
      const dh = f32x4.mul(back, derivativeIf(unitGainH, actH, h, p0H, one, zero));
      // the step: W −= lr·(x ⊗ d + decay·W), each gradient 0 + x·d as matmulTransA sums it
      const hm = v128.and(h, maskHid), dm = single ? d : v128.and(d, maskOut);
      w20 = descendIf(decayed, w20, maddIf(fusedO, lane(hm, 0), dm, zero), lr, decay);
      if (nHid > 1) w21 = descendIf(decayed, w21, maddIf(fusedO, lane(hm, 1), dm, zero), lr, decay);
      if (nHid > 2) w22 = descendIf(decayed, w22, maddIf(fusedO, lane(hm, 2), dm, zero), lr, decay);
      if (nHid > 3) w23 = descendIf(decayed, w23, maddIf(fusedO, lane(hm, 3), dm, zero), lr, decay);
      w10 = descendIf(decayed, w10, f32x4.mul(v128.load32_splat(x), dh), lr, decay);
      if (nIn > 1) w11 = descendIf(decayed, w11, f32x4.mul(v128.load32_splat(x, 4), dh), lr, decay);
      if (nIn > 2) w12 = descendIf(decayed, w12, f32x4.mul(v128.load32_splat(x, 8), dh), lr, decay);
      if (nIn > 3) w13 = descendIf(decayed, w13, f32x4.mul(v128.load32_splat(x, 12), dh), lr, decay);
      if (b1p) b1 = descendIf(decayed, b1, f32x4.add(zero, dh), lr, decay);
      if (b2p) b2 = descendIf(decayed, b2, f32x4.add(zero, dm), lr, decay);
    }
  }
  // batches of rows (or one row with another loss): a batch's gradients summed in registers
  for (let start = 0; !oneRow && start < rows; start += batch) {
    const count = min(batch, rows - start);
    const twiceScale = f32x4.splat(2 * lossScale(loss, count, nOut));
    // W2's columns (one W2 row per lane), for D·Wᵀ summed in column order (four rows or more)
    const lo01 = v128.shuffle<f32>(w20, w21, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(w22, w23, 0, 4, 1, 5);
    const hi01 = v128.shuffle<f32>(w20, w21, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(w22, w23, 2, 6, 3, 7);
    const c0 = v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5), c1 = v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7);
    const c2 = v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), c3 = v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7);
    let g10 = zero, g11 = zero, g12 = zero, g13 = zero, g20 = zero, g21 = zero, g22 = zero, g23 = zero, gb1 = zero, gb2 = zero;
    for (let r = start; r < start + count; r++) {
      const row = orderPtr ? <usize>load<i32>(orderPtr + (<usize>r << 2)) : <usize>r;
      const xv = v128.and(v128.load(xPtr + row * xBytes), maskIn), t = tPtr + row * oBytes;
      // forward (lanes past a width hold finite values that meet only −0 weights)
      const x0 = lane(xv, 0), x1 = lane(xv, 1), x2 = lane(xv, 2), x3 = lane(xv, 3);
      const s1 = maddIf(fusedH, x3, w13, maddIf(fusedH, x2, w12, maddIf(fusedH, x1, w11, maddIf(fusedH, x0, w10, b1))));
      const h = activateChunk(actH, s1, p0H, p1H);
      const s2 = maddIf(fusedO, lane(h, 3), w23, maddIf(fusedO, lane(h, 2), w22, maddIf(fusedO, lane(h, 1), w21, maddIf(fusedO, lane(h, 0), w20, b2))));
      let d: v128;
      if (squared) {
        const y = activateChunk(actO, s2, p0O, p1O);
        d = f32x4.mul(f32x4.mul(twiceScale, f32x4.sub(y, v128.and(v128.load(t), maskOut))), derivative4(actO, y, p0O, one, zero));
      } else {
        // softmax or the cross-entropies (one row per batch): through memory, as the general path
        v128.store(yOut, s2);
        activate(actO, recordF32(out, L_P0), recordF32(out, L_P1), yOut, 1, nOut);
        outputDelta(loss, actO, recordF32(out, L_P0), yOut, t, dOut, 1, nOut);
        d = v128.and(v128.load(dOut), maskOut);
      }
      // error terms of the hidden layer from W2 before the step
      let back: v128;
      if (count >= 4) {
        // in column order, fused where the packed D·Wᵀ fuses (rows of a 4-row block of W2)
        back = maddIf(fusedH, lane(d, 3), c3, maddIf(fusedH, lane(d, 2), c2, maddIf(fusedH, lane(d, 1), c1, maddIf(fusedH, lane(d, 0), c0, zero))));
      } else if (fusedH && fusedO) {
        // dotRowsTransB's lane-split sums of a 4-row block
        back = horizontalSums(f32x4.mul(d, w20), f32x4.mul(d, w21), f32x4.mul(d, w22), f32x4.mul(d, w23));
      } else {
        // dotRowsTransB's edge columns (or rows past its blocks): products added in column order
        back = f32x4.add(f32x4.add(f32x4.add(f32x4.mul(lane(d, 0), c0), f32x4.mul(lane(d, 1), c1)), f32x4.mul(lane(d, 2), c2)), f32x4.mul(lane(d, 3), c3));
      }
      const dh = f32x4.mul(back, derivative4(actH, h, p0H, one, zero));
      // gradients summed over the batch's rows in order, as matmulTransA and columnSums sum them
      const hm = v128.and(h, maskHid), dm = v128.and(d, maskOut);
      g20 = maddIf(fusedO, lane(hm, 0), dm, g20); g21 = maddIf(fusedO, lane(hm, 1), dm, g21);
      g22 = maddIf(fusedO, lane(hm, 2), dm, g22); g23 = maddIf(fusedO, lane(hm, 3), dm, g23);
      gb2 = f32x4.add(gb2, dm);
      g10 = maddIf(fusedH, x0, dh, g10); g11 = maddIf(fusedH, x1, dh, g11);
      g12 = maddIf(fusedH, x2, dh, g12); g13 = maddIf(fusedH, x3, dh, g13);
      gb1 = f32x4.add(gb1, dh);
    }
    w20 = descend(w20, g20, lr, decay); w21 = descend(w21, g21, lr, decay);
    w22 = descend(w22, g22, lr, decay); w23 = descend(w23, g23, lr, decay);
    w10 = descend(w10, g10, lr, decay); w11 = descend(w11, g11, lr, decay);
    w12 = descend(w12, g12, lr, decay); w13 = descend(w13, g13, lr, decay);
    if (b1p) b1 = descend(b1, gb1, lr, decay);
    if (b2p) b2 = descend(b2, gb2, lr, decay);
  }
  storeRow(w1, w10, nHid);
  if (nIn > 1) storeRow(w1 + hBytes, w11, nHid);
  if (nIn > 2) storeRow(w1 + hBytes * 2, w12, nHid);
  if (nIn > 3) storeRow(w1 + hBytes * 3, w13, nHid);
  storeRow(w2, w20, nOut);
  if (nHid > 1) storeRow(w2 + oBytes, w21, nOut);
  if (nHid > 2) storeRow(w2 + oBytes * 2, w22, nOut);
  if (nHid > 3) storeRow(w2 + oBytes * 3, w23, nOut);
  if (b1p) storeRow(b1p, b1, nHid);
  if (b2p) storeRow(b2p, b2, nOut);
}

// Row i of a weight matrix with count rows of rowBytes as one register: lanes past the row's
// width (outside mask) and rows past count are −0.
function loadRow(w: usize, i: i32, count: i32, rowBytes: usize, mask: v128): v128 {
  const minusZero = f32x4.splat(-0.0);
  return i < count ? v128.bitselect(v128.load(w + <usize>i * rowBytes), minusZero, mask) : minusZero;
}

// Stores the first count (1..4) lanes of v at p.
function storeRow(p: usize, v: v128, count: i32): void {
  if (count == 4) v128.store(p, v);
  else storeLanes(p, v, count);
}

// One epoch as trainEpoch (network.ts) runs it, for a network that smallEpochFits: rows resident
// rows in batches of batch rows, in the order of orderPtr (row indices) or in storage order when 0.
export function trainSmallEpoch(descriptorPtr: usize, xPtr: usize, tPtr: usize, orderPtr: usize, rows: i32, batch: i32): void {
  if (narrowFits(descriptorPtr, batch)) trainNarrowEpoch(descriptorPtr, xPtr, tPtr, orderPtr, rows, batch);
  else trainRowEpoch(descriptorPtr, xPtr, tPtr, orderPtr, rows);
  // what update() counts per batch: the step, and β^step by one multiplication per step
  const batches = (rows + batch - 1) / batch;
  store<i32>(descriptorPtr + (<usize>H_STEP << 2), headerI32(descriptorPtr, H_STEP) + batches);
  let p1 = load<f64>(descriptorPtr + (<usize>H_BETA1_POWER << 2)), p2 = load<f64>(descriptorPtr + (<usize>H_BETA2_POWER << 2));
  const beta1 = <f64>headerF32(descriptorPtr, H_BETA1), beta2 = <f64>headerF32(descriptorPtr, H_BETA2);
  for (let s = 0; s < batches; s++) { p1 *= beta1; p2 *= beta2; }
  store<f64>(descriptorPtr + (<usize>H_BETA1_POWER << 2), p1);
  store<f64>(descriptorPtr + (<usize>H_BETA2_POWER << 2), p2);
}
