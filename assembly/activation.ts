// Activation functions y = f(s), applied in place, and their derivatives written in terms of y.
import { ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_SOFTMAX } from './contract.generated';
import { madd } from './gemm';

// The exponentials' constants, each read by a broadcast load where it is used: V8 rebuilds a
// v128.const in place on every use (three instructions through a general register); a load is one.
const EXP_CONSTANTS: usize = memory.data<f32>([
  0.6931470036506653, 0.24022242426872253, 0.05550733581185341, 0.009671512991189957, 0.001326472731307149,
  reinterpret<f32>(0xBFFFFFFF), -126.0, 126.0, 12582912.0,
  1.4426950408889634, -1.4426950408889634, -2.8853900817779268, -87.0, 87.0, -0.693359375, 2.12194440e-4,
  reinterpret<f32>(127 - 0x4B400000), reinterpret<f32>(127 + 0x4B400000),
]);
// 2^f's coefficients of degree 1 to 5
const P1 = 0, P2 = 1, P3 = 2, P4 = 3, P5 = 4;
// fraction's guard (all bits but 30), the range of k, 1.5·2^23 (rounds to an integer in the low mantissa bits)
const FINITE = 5, MIN_K = 6, MAX_K = 7, ROUNDER = 8;
// ±log2(e) and −2·log2(e); expf4's range and ln2 split (Cody–Waite)
const LOG2E = 9, MINUS_LOG2E = 10, MINUS_2LOG2E = 11, MIN_X = 12, MAX_X = 13, LN2_HI = 14, LN2_LO = 15;
// 127 ∓ 0x4B400000, which turn 0x4B400000 ± k into the biased exponent of 2^±k
const BIAS_UP = 16, BIAS_DOWN = 17;
// @ts-ignore: decorator
@inline function lanes(index: i32): v128 { return v128.load32_splat(EXP_CONSTANTS + (<usize>index << 2)); }

// a*b + c: one FMA in the relaxed build, except where unfused asks for two roundings in every build
// (the quantized path, whose activations the 'js' twin reproduces step by step).
// @ts-ignore: decorator
@inline function mad(a: v128, b: v128, c: v128, unfused: bool): v128 {
  return unfused ? f32x4.add(f32x4.mul(a, b), c) : madd(a, b, c);
}

// 2^f − 1 + a0 lane-wise for f in [−0.5, 0.5]: 2^f by a degree-5 minimax polynomial (relative error
// 2.4e-7 evaluated in f32, c0 = 1 exactly) in Estrin's form, (a + f²·b) + f⁴·c, a dependency chain of
// four steps; the caller's a0 (1, or 2^−k + 1 for the sigmoid) joins the degree-1 term off the chain.
// @ts-ignore: decorator
@inline function exp2Poly(f: v128, a0: v128, unfused: bool): v128 {
  const f2 = f32x4.mul(f, f), f4 = f32x4.mul(f2, f2);
  const a = mad(f, lanes(P1), a0, unfused);
  const b = mad(f, lanes(P3), lanes(P2), unfused);
  const c = mad(f, lanes(P5), lanes(P4), unfused);
  return mad(f4, c, mad(f2, b, a, unfused), unfused);
}

// f = y − k in [−0.5, 0.5] exactly for k = round(y) (half to even). An infinite or NaN y (whose f
// would be NaN) gets f = 1.5, finite, and its 2^k saturates in pow2: clearing bit 30 is one logic
// operation that leaves every |f| < 2 as it was and turns a NaN into 1.5.
// With finiteOnly the guard is left out: the same bits wherever y is finite, a NaN where it is not
// (apply4 then gives NaN in that lane, which a caller can test for and recompute with the guard).
// @ts-ignore: decorator
@inline function fraction(y: v128, k: v128, finiteOnly: bool = false): v128 {
  return finiteOnly ? f32x4.sub(y, k) : v128.and(f32x4.sub(y, k), lanes(FINITE));
}

// 2^(sign·round(y)), y clamped to [−126, 126], built in the exponent bits: y + 1.5·2^23 rounds y
// to an integer k (half to even, as f32x4.nearest) held in its low mantissa bits, so 0x4B400000 + k
// are its bits. From y directly, so that it runs beside the rounding of k rather than after it.
// @ts-ignore: decorator
@inline function pow2(y: v128, sign: i32): v128 {
  const t = f32x4.add(f32x4.pmax(lanes(MIN_K), f32x4.pmin(lanes(MAX_K), y)), lanes(ROUNDER));
  const biased = sign > 0 ? i32x4.add(t, lanes(BIAS_UP)) : i32x4.sub(lanes(BIAS_DOWN), t);
  return i32x4.shl(biased, 23);
}

// exp(x) lane-wise: x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite: ln2 split so that k·LN2_HI is
// exact in f32), exp(r) = 2^f with f = r·log2(e), times 2^k. Relative error below 3e-7 on
// [−87, 87]; inputs are clamped there. Softmax and vexp use it.
// @ts-ignore: decorator
@inline export function expf4(x: v128, unfused: bool = false): v128 {
  x = f32x4.pmax(lanes(MIN_X), f32x4.pmin(lanes(MAX_X), x));
  const y = f32x4.mul(x, lanes(LOG2E)), k = f32x4.nearest(y);
  const r = mad(k, lanes(LN2_LO), mad(k, lanes(LN2_HI), x, unfused), unfused);
  return f32x4.mul(exp2Poly(f32x4.mul(r, lanes(LOG2E)), f32x4.splat(1), unfused), pow2(y, 1));
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

// f(s) lane-wise for the elementwise kinds (p0, p1: gain and threshold, or slope). Sigmoid and tanh
// work in base 2 on y = k + f (fraction), with 2^f from exp2Poly and 2^−k exact (pow2):
// - sigmoid 1/(1 + e^z), z = gain·(threshold − s): y = (threshold − s)·(gain·log2 e) and
//   σ = 2^−k / (2^−k + 2^f), whose 2^−k + 1 enters the polynomial off the chain. y carries three
//   roundings, a relative error of about 3|z|·2^−24 in e^z: of the order that rounding z costs anyway.
// - tanh (1 − e)/(1 + e), e = e^(−2s) = 2^y: (2^−k − 2^f)/(2^−k + 2^f), with 2^f − 1 computed
//   directly so that small |s| loses nothing to cancellation; a large −s saturates with k at 126.
// The dependency chain: 3 to 5 steps to y, 3 to f, 4 in the polynomial and one division.
// finiteOnly (sigmoid and tanh): fraction without its guard, one step shorter; every lane whose y
// is finite has apply4's bits and every other lane is NaN (apply4 itself never gives NaN there).
// @ts-ignore: decorator
@inline export function apply4(kind: i32, s: v128, p0: v128, p1: v128, one: v128, zero: v128, finiteOnly: bool = false, unfused: bool = false): v128 {
  if (kind == ACT_SIGMOID || kind == ACT_TANH) {
    const sigmoid = kind == ACT_SIGMOID;
    // sigmoid: (θ − s)·(gain·log2 e), which is s·(gain·−log2 e) exactly when θ = 0; tanh: s·(−2·log2 e)
    const y = !sigmoid ? f32x4.mul(s, lanes(MINUS_2LOG2E))
      : v128.any_true(p1) ? f32x4.mul(f32x4.sub(p1, s), f32x4.mul(p0, lanes(LOG2E))) : f32x4.mul(s, f32x4.mul(p0, lanes(MINUS_LOG2E)));
    const k = f32x4.nearest(y), scale = pow2(y, -1);
    // sigmoid: 2^f + 2^−k; tanh: 2^f − 1
    const p = exp2Poly(fraction(y, k, finiteOnly), sigmoid ? f32x4.add(scale, one) : zero, unfused);
    if (sigmoid) return f32x4.div(scale, p);
    return f32x4.div(f32x4.sub(f32x4.sub(scale, one), p), f32x4.add(f32x4.add(scale, one), p));
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

// Softmax of one row in place: max (left to right), e = exp(s − max) four lanes at a time, their sum
// as sum + (((e0 + e1) + e2) + e3) per four and sum + e for each of the last cols % 4, then e·(1/sum).
// unfused: the quantized path's (quant-activation.ts), whose exponentials round every step.
// @ts-ignore: decorator
@inline export function softmaxRow(row: usize, cols: i32, unfused: bool = false): void {
  let max = load<f32>(row);
  for (let j = 1; j < cols; j++) max = Mathf.max(max, load<f32>(row + (<usize>j << 2)));
  const vmax = f32x4.splat(max);
  const c4 = cols & ~3;
  let sum: f32 = 0;
  let j = 0;
  for (; j < c4; j += 4) {
    const o = row + (<usize>j << 2);
    const e = expf4(f32x4.sub(v128.load(o), vmax), unfused);
    v128.store(o, e);
    sum += f32x4.extract_lane(e, 0) + f32x4.extract_lane(e, 1) + f32x4.extract_lane(e, 2) + f32x4.extract_lane(e, 3);
  }
  for (; j < cols; j++) {
    const o = row + (<usize>j << 2);
    const e = f32x4.extract_lane(expf4(f32x4.splat(load<f32>(o) - max), unfused), 0);
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
