// The small epoch's row path: one row at a time through layers of any width up to SMALL_MAX_WIDTH,
// each layer's record read once per pass, and W −= lr·(x ⊗ d + decay·W) in the same sweep that
// propagates the row's error terms back through W (the article's update).
import { Descriptor, ACT_SOFTMAX } from './contract.generated';
import { derivative4, activate } from './activation';
import { outputDelta } from './loss';
import { madd } from './gemm';
import { activateChunk, mulAdd, descend, storeLanes, horizontalSums } from './small-steps';

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
export function trainRowEpoch(net: Descriptor, xPtr: usize, tPtr: usize, orderPtr: usize, rows: i32): void {
  const layers = net.layers, loss = net.loss;
  const lr = f32x4.splat(net.learningRate), decay = f32x4.splat(net.decay);
  const out = net.layer(layers - 1);
  const outAct = out.act, outP0 = out.p0;
  const xBytes = <usize>net.layer(0).fanIn << 2, fanOut = out.fanOut;
  for (let r = 0; r < rows; r++) {
    const row = orderPtr ? <usize>load<i32>(orderPtr + (<usize>r << 2)) : <usize>r;
    const x = xPtr + row * xBytes;
    let input = x;
    for (let l = 0; l < layers; l++) {
      const rec = net.layer(l);
      const act = rec.act, y = rec.y, width = rec.fanOut;
      forwardRow(input, rec.w, rec.b, y, rec.fanIn, width, act, f32x4.splat(rec.p0), f32x4.splat(rec.p1));
      if (act == ACT_SOFTMAX) activate(ACT_SOFTMAX, 0, 0, y, 1, width);
      input = y;
    }
    outputDelta(loss, outAct, outP0, out.y, tPtr + row * (<usize>fanOut << 2), out.d, 1, fanOut);
    for (let l = layers - 1; l >= 0; l--) {
      const rec = net.layer(l);
      const width = rec.fanOut, d = rec.d, b = rec.b;
      let below = x, dBelow: usize = 0, actBelow = 0, p0Below: f32 = 0;
      if (l > 0) {
        const prev = net.layer(l - 1);
        below = prev.y;
        dBelow = prev.d;
        actBelow = prev.act;
        p0Below = prev.p0;
      }
      sweepRow(rec.w, rec.fanIn, width, d, below, dBelow, actBelow, f32x4.splat(p0Below), lr, decay);
      if (b) descendBias(b, width, d, lr, decay);
    }
  }
}
