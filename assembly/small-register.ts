// The small epoch's register path: networks of one hidden layer whose widths are all at most
// REGISTER_WIDTH keep each weight row, and a batch's gradients, in one v128 for the whole epoch.
import {
  Descriptor, ACT_SIGMOID, ACT_SOFTMAX, LOSS_SSE, LOSS_MSE, REGISTER_WIDTH, REGISTER_MAX_BATCH,
} from './contract.generated';
import { derivative4, activate } from './activation';
import { outputDelta, lossScale } from './loss';
import { madd } from './gemm';
import { activateChunk, mulAdd, descend, storeLanes, lane, horizontalSums } from './small-steps';

// a·b + c, fused exactly where dense.ts fuses it: in full 4-column chunks (fused = width is 4).
// @ts-ignore: decorator
@inline function maddIf(fused: bool, a: v128, b: v128, c: v128): v128 { return fused ? madd(a, b, c) : mulAdd(a, b, c); }

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

// The register path's networks: one hidden layer, every width at most REGISTER_WIDTH, one row per
// batch (any loss) or up to REGISTER_MAX_BATCH with SSE or MSE on an elementwise output.
export function registerFits(net: Descriptor, batch: i32): bool {
  if (net.layers != 2) return false;
  const hidden = net.layer(0), out = net.layer(1);
  if (hidden.fanIn > REGISTER_WIDTH || hidden.fanOut > REGISTER_WIDTH || out.fanOut > REGISTER_WIDTH) return false;
  const loss = net.loss;
  return batch == 1 || (batch <= REGISTER_MAX_BATCH && (loss == LOSS_SSE || loss == LOSS_MSE) && out.act != ACT_SOFTMAX);
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
export function trainRegisterEpoch(net: Descriptor, xPtr: usize, tPtr: usize, orderPtr: usize, rows: i32, batch: i32): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  const lr = f32x4.splat(net.learningRate), decay = f32x4.splat(net.decay);
  const loss = net.loss;
  const hidden = net.layer(0), out = net.layer(1);
  const nIn = hidden.fanIn, nHid = hidden.fanOut, nOut = out.fanOut;
  const actH = hidden.act, actO = out.act;
  const p0H = f32x4.splat(hidden.p0), p1H = f32x4.splat(hidden.p1);
  const p0O = f32x4.splat(out.p0), p1O = f32x4.splat(out.p1);
  const fusedH = nHid == 4, fusedO = nOut == 4;
  // lanes below each width
  const lanes = i32x4(0, 1, 2, 3);
  const maskIn = i32x4.lt_s(lanes, i32x4.splat(nIn)), maskHid = i32x4.lt_s(lanes, i32x4.splat(nHid)), maskOut = i32x4.lt_s(lanes, i32x4.splat(nOut));
  // SSE and MSE give dE/dy = 2·scale·(y − t) (outputDelta's form); other losses go through outputDelta
  const squared = (loss == LOSS_SSE || loss == LOSS_MSE) && actO != ACT_SOFTMAX;
  const yOut = out.y, dOut = out.d;
  const w1 = hidden.w, w2 = out.w;
  const b1p = hidden.b, b2p = out.b;
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
    const twiceScale = f32x4.splat(2 * lossScale(loss, 1, nOut)), decayed = net.decay != 0;
    const unitGainH = hidden.p0 == 1, unitGainO = out.p0 == 1;
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
        activate(actO, out.p0, out.p1, yOut, 1, nOut);
        outputDelta(loss, actO, out.p0, yOut, t, dOut, 1, nOut);
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

