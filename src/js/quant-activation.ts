// The 'js' twin of assembly/quant-activation.ts: the Wasm builds' exponential polynomial and its
// sigmoid, tanh and softmax, one float32 operation at a time (Math.fround after each: a float64
// operation on float32 operands, rounded once to float32, is the float32 operation), so that the
// quantized path gives the Wasm bits. The constants and the steps are assembly/activation.ts's.
import { ACT } from '../abi/kinds.js';

const f32 = Math.fround;
const F = new Float32Array(1);
const I = new Int32Array(F.buffer);
function bitsOf(x: number): number {
  F[0] = x;
  return I[0]!;
}
function fromBits(i: number): number {
  I[0] = i;
  return F[0]!;
}

// 2^f's coefficients of degree 1 to 5 (float32, as the Wasm module's data holds them)
const P1 = f32(0.6931470036506653);
const P2 = f32(0.24022242426872253);
const P3 = f32(0.05550733581185341);
const P4 = f32(0.009671512991189957);
const P5 = f32(0.001326472731307149);
const LOG2E = f32(Math.LOG2E);
const MINUS_LOG2E = -LOG2E;
const MINUS_2LOG2E = -2 * LOG2E;
const LN2_HI = f32(-0.693359375);
const LN2_LO = f32(2.1219444e-4);
const MIN_K = -126;
const MAX_K = 126;
const MIN_X = -87;
const MAX_X = 87;
const ROUNDER = 12582912; // 1.5·2^23
const FINITE_MASK = 0xbfffffff; // every bit but 30
const BIAS_UP = 127 - 0x4b400000;
const BIAS_DOWN = 127 + 0x4b400000;

/** f32x4.nearest on a float32 value: round half to even, −0 kept. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// f32x4.pmin / pmax: the second operand when it compares below / above the first, else the first.
const pmin = (a: number, b: number): number => (b < a ? b : a);
const pmax = (a: number, b: number): number => (a < b ? b : a);

// 2^(sign·round(y)) from the exponent bits, y clamped to [−126, 126]
function pow2(y: number, sign: 1 | -1): number {
  const t = bitsOf(f32(pmax(MIN_K, pmin(MAX_K, y)) + ROUNDER));
  return fromBits((sign > 0 ? t + BIAS_UP : BIAS_DOWN - t) << 23);
}

// y − k with bit 30 cleared. An infinite y makes y − k NaN, which x64 (SSE) produces with the sign
// bit set: the Wasm builds then compute with −1.5, and so does the twin.
function fraction(y: number, k: number): number {
  const d = f32(y - k);
  return Number.isNaN(d) ? -1.5 : fromBits(bitsOf(d) & FINITE_MASK);
}

// 2^f − 1 + a0 in Estrin's form, each operation rounded
function exp2Poly(f: number, a0: number): number {
  const f2 = f32(f * f),
    f4 = f32(f2 * f2);
  const a = f32(f32(f * P1) + a0);
  const b = f32(f32(f * P3) + P2);
  const c = f32(f32(f * P5) + P4);
  return f32(f32(f4 * c) + f32(f32(f2 * b) + a));
}

/** exp(x) as the Wasm builds' expf4 computes it, without fused multiply-adds. */
export function expQuant(x: number): number {
  x = pmax(MIN_X, pmin(MAX_X, x));
  const y = f32(x * LOG2E),
    k = roundHalfEven(y);
  const r = f32(f32(k * LN2_LO) + f32(f32(k * LN2_HI) + x));
  return f32(exp2Poly(f32(r * LOG2E), 1) * pow2(y, 1));
}

/** One value through an elementwise activation (p0, p1: gain and threshold, or slope). */
export function applyQuant(kind: number, s: number, p0: number, p1: number): number {
  switch (kind) {
    case ACT.sigmoid: {
      // a threshold with any bit set (−0 included) takes the general form, as v128.any_true does
      const y = bitsOf(p1) !== 0 ? f32(f32(p1 - s) * f32(p0 * LOG2E)) : f32(s * f32(p0 * MINUS_LOG2E));
      const scale = pow2(y, -1);
      return f32(scale / exp2Poly(fraction(y, roundHalfEven(y)), f32(scale + 1)));
    }
    case ACT.tanh: {
      const y = f32(s * MINUS_2LOG2E);
      const scale = pow2(y, -1);
      const p = exp2Poly(fraction(y, roundHalfEven(y)), 0);
      return f32(f32(f32(scale - 1) - p) / f32(f32(scale + 1) + p));
    }
    case ACT.relu:
      return 0 < s ? s : 0;
    case ACT['leaky-relu']:
      return s > 0 ? s : f32(p0 * s);
    default:
      return s;
  }
}

/** y = f(s) in place on the n values of f from `at` (softmax: summed in the Wasm builds' order). */
export function activateRowQuant(kind: number, p0: number, p1: number, f: Float32Array, at: number, n: number): void {
  if (kind === ACT.linear) return;
  if (kind !== ACT.softmax) {
    for (let j = at; j < at + n; j++) f[j] = applyQuant(kind, f[j]!, p0, p1);
    return;
  }
  let max = f[at]!;
  for (let j = 1; j < n; j++) max = Math.max(max, f[at + j]!);
  let sum = 0,
    j = 0;
  for (; j + 4 <= n; j += 4) {
    const e0 = expQuant(f32(f[at + j]! - max)),
      e1 = expQuant(f32(f[at + j + 1]! - max));
    const e2 = expQuant(f32(f[at + j + 2]! - max)),
      e3 = expQuant(f32(f[at + j + 3]! - max));
    f[at + j] = e0;
    f[at + j + 1] = e1;
    f[at + j + 2] = e2;
    f[at + j + 3] = e3;
    sum = f32(sum + f32(f32(f32(e0 + e1) + e2) + e3));
  }
  for (; j < n; j++) {
    const e = expQuant(f32(f[at + j]! - max));
    f[at + j] = e;
    sum = f32(sum + e);
  }
  const inv = f32(1 / sum);
  for (j = at; j < at + n; j++) f[j] = f32(f[j]! * inv);
}
