// Activation functions y = f(s), applied in place, and their derivatives written in terms of y.
import { ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_SOFTMAX } from './layout';
import { madd } from './gemm';

// exp(x) lane-wise: x = k·ln2 + r with |r| ≤ ln2/2, exp(r) by the degree-6 Taylor polynomial in
// Estrin's form (a dependency chain of 4 steps instead of Horner's 6: small layers wait on it),
// 2^k built in the exponent bits; multiply-adds fuse in the relaxed build. Relative error below
// 3e-7 on [-87, 88]; inputs are clamped there.
// @ts-ignore: decorator
@inline export function expf4(x: v128): v128 {
  x = f32x4.pmax(f32x4.splat(-87.0), f32x4.pmin(f32x4.splat(88.0), x));
  // k = round(x·log2(e)); the same k (both round half to even) lands in the low mantissa bits of
  // t = x·log2(e) + 1.5·2^23, whose bits build 2^k off the dependency chain
  const y = f32x4.mul(x, f32x4.splat(1.4426950408889634));
  const k = f32x4.nearest(y), t = f32x4.add(y, f32x4.splat(12582912.0));
  // Cody–Waite: ln2 split so that k·LN2_HI is exact in f32
  let r = madd(k, f32x4.splat(-0.693359375), x);
  r = madd(k, f32x4.splat(2.12194440e-4), r);
  const r2 = f32x4.mul(r, r), r4 = f32x4.mul(r2, r2);
  // (1 + r) + r²(1/2 + r/6) + r⁴((1/24 + r/120) + r²/720)
  const low = madd(r2, madd(r, f32x4.splat(1.0 / 6.0), f32x4.splat(0.5)), f32x4.add(f32x4.splat(1.0), r));
  const high = madd(r2, f32x4.splat(1.0 / 720.0), madd(r, f32x4.splat(1.0 / 120.0), f32x4.splat(1.0 / 24.0)));
  const p = madd(r4, high, low);
  // t's bits are 0x4B400000 + k: (k + 127) << 23 is 2^k
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4B400000)), 23);
  return f32x4.mul(p, scale);
}

// y = exp(x) for count elements (exported so the polynomial can be tested against Math.exp).
export function vexp(xPtr: usize, yPtr: usize, count: i32): void {
  const c4 = count & ~3;
  let i = 0;
  for (; i < c4; i += 4) {
    const o = <usize>i << 2;
    v128.store(yPtr + o, expf4(v128.load(xPtr + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(yPtr + o, f32x4.extract_lane(expf4(f32x4.splat(load<f32>(xPtr + o))), 0));
  }
}

// f(s) lane-wise for the elementwise kinds (p0, p1: gain and threshold, or slope). Sigmoid
// 1/(1 + e^z) with z = gain·(threshold − s) and tanh sign(s)·(1 − e^z)/(1 + e^z) with z = −2|s|
// (which never overflows) share one exp.
// @ts-ignore: decorator
@inline export function apply4(kind: i32, s: v128, p0: v128, p1: v128, one: v128, zero: v128): v128 {
  if (kind == ACT_SIGMOID || kind == ACT_TANH) {
    const sigmoid = kind == ACT_SIGMOID;
    const e = expf4(sigmoid ? f32x4.mul(p0, f32x4.sub(p1, s)) : f32x4.mul(f32x4.splat(-2.0), f32x4.abs(s)));
    const denominator = f32x4.add(one, e);
    if (sigmoid) return f32x4.div(one, denominator);
    const t = f32x4.div(f32x4.sub(one, e), denominator);
    return v128.bitselect(f32x4.neg(t), t, f32x4.lt(s, zero));
  }
  if (kind == ACT_RELU) return f32x4.pmax(zero, s);
  if (kind == ACT_LEAKY_RELU) return v128.bitselect(s, f32x4.mul(p0, s), f32x4.gt(s, zero));
  return s;
}

// Y = f(S) in place on rows×cols values; p0/p1 are the layer's parameters (gain and threshold
// for sigmoid, slope for leaky ReLU). Softmax works row by row, max-subtracted.
export function activate(kind: i32, p0: f32, p1: f32, yPtr: usize, rows: i32, cols: i32): void {
  if (kind == ACT_LINEAR) return;
  if (kind == ACT_SOFTMAX) {
    for (let i = 0; i < rows; i++) softmaxRow(yPtr + (<usize>(i * cols) << 2), cols);
    return;
  }
  const count = rows * cols;
  const c4 = count & ~3;
  const vp0 = f32x4.splat(p0), vp1 = f32x4.splat(p1), one = f32x4.splat(1), zero = f32x4.splat(0);
  let i = 0;
  for (; i < c4; i += 4) {
    const o = yPtr + (<usize>i << 2);
    v128.store(o, apply4(kind, v128.load(o), vp0, vp1, one, zero));
  }
  for (; i < count; i++) {
    const o = yPtr + (<usize>i << 2);
    store<f32>(o, f32x4.extract_lane(apply4(kind, f32x4.splat(load<f32>(o)), vp0, vp1, one, zero), 0));
  }
}

function softmaxRow(row: usize, cols: i32): void {
  let max = load<f32>(row);
  for (let j = 1; j < cols; j++) max = Mathf.max(max, load<f32>(row + (<usize>j << 2)));
  const vmax = f32x4.splat(max);
  const c4 = cols & ~3;
  let sum: f32 = 0;
  let j = 0;
  for (; j < c4; j += 4) {
    const o = row + (<usize>j << 2);
    const e = expf4(f32x4.sub(v128.load(o), vmax));
    v128.store(o, e);
    sum += f32x4.extract_lane(e, 0) + f32x4.extract_lane(e, 1) + f32x4.extract_lane(e, 2) + f32x4.extract_lane(e, 3);
  }
  for (; j < cols; j++) {
    const o = row + (<usize>j << 2);
    const e = f32x4.extract_lane(expf4(f32x4.splat(load<f32>(o) - max)), 0);
    store<f32>(o, e);
    sum += e;
  }
  const inv: f32 = 1 / sum;
  for (j = 0; j < cols; j++) {
    const o = row + (<usize>j << 2);
    store<f32>(o, load<f32>(o) * inv);
  }
}

// @ts-ignore: decorator
@inline export function derivative4(kind: i32, y: v128, p0: v128, one: v128, zero: v128): v128 {
  if (kind == ACT_SIGMOID) return f32x4.mul(p0, f32x4.mul(y, f32x4.sub(one, y))); // α·y(1−y)
  if (kind == ACT_TANH) return f32x4.sub(one, f32x4.mul(y, y));                 // 1 − y²
  if (kind == ACT_RELU) return v128.and(f32x4.gt(y, zero), one);                 // [y > 0]
  if (kind == ACT_LEAKY_RELU) return v128.bitselect(one, p0, f32x4.gt(y, zero)); // 1 or slope
  return one;
}

// D ⊙= f'(Y) on count values: turns dE/dy into dE/ds for an elementwise activation.
export function activationGrad(kind: i32, p0: f32, yPtr: usize, dPtr: usize, count: i32): void {
  if (kind == ACT_LINEAR) return;
  const c4 = count & ~3;
  const vp0 = f32x4.splat(p0), one = f32x4.splat(1), zero = f32x4.splat(0);
  let i = 0;
  for (; i < c4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dPtr + o, f32x4.mul(v128.load(dPtr + o), derivative4(kind, v128.load(yPtr + o), vp0, one, zero)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const f = f32x4.extract_lane(derivative4(kind, f32x4.splat(load<f32>(yPtr + o)), vp0, one, zero), 0);
    store<f32>(dPtr + o, load<f32>(dPtr + o) * f);
  }
}
