// The lane-wise steps that both paths of the small epoch (small-register.ts, small-row.ts) share,
// each the general path's operation with the same roundings: the activation of a 4-lane chunk, the
// unfused multiply-add of the edge columns, the SGD step, partial stores and the horizontal sums of
// D·Wᵀ.
import { ACT_SIGMOID, ACT_TANH, ACT_SOFTMAX } from './contract.generated';
import { apply4 } from './activation';

// f(s) lane-wise for the elementwise kinds (softmax: s itself, left to the caller): one copy of
// apply4 and its exp for every caller here. Sigmoid and tanh first without fraction's guard for
// non-finite exponents, a step shorter on the chain from one row to the next: where that gives no
// NaN, every exponent was finite and the bits are apply4's; otherwise (an infinite or NaN s) apply4.
function activateOnce(kind: i32, s: v128, p0: v128, p1: v128): v128 {
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
@inline export function mulAdd(a: v128, b: v128, c: v128): v128 { return f32x4.add(f32x4.mul(a, b), c); }

// W − lr·(g + decay·W): applyUpdate's plain SGD step (gradScale is 1 without clipping).
// @ts-ignore: decorator
@inline export function descend(w: v128, g: v128, lr: v128, decay: v128): v128 {
  return f32x4.sub(w, f32x4.mul(lr, f32x4.add(g, f32x4.mul(decay, w))));
}


// Stores lanes [0, count) of v at p, count in 1..3 (an edge chunk of a row).
function storeLanesOnce(p: usize, v: v128, count: i32): void {
  v128.store32_lane(p, v, 0);
  if (count > 1) v128.store32_lane(p, v, 1, 4);
  if (count > 2) v128.store32_lane(p, v, 2, 8);
}


// Lane i of v in every lane.
// @ts-ignore: decorator
@inline export function lane(v: v128, i: i32): v128 {
  if (i == 0) return v128.shuffle<f32>(v, v, 0, 0, 0, 0);
  if (i == 1) return v128.shuffle<f32>(v, v, 1, 1, 1, 1);
  if (i == 2) return v128.shuffle<f32>(v, v, 2, 2, 2, 2);
  return v128.shuffle<f32>(v, v, 3, 3, 3, 3);
}

// (a0+a2)+(a1+a3) of each of a, b, c, d in lanes 0..3: dotRowsTransB's horizontal sums.
// @ts-ignore: decorator
@inline export function horizontalSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

// The two steps above stay calls, one copy each for both paths; these inlined names call them (an
// exported function that takes a v128 makes AssemblyScript warn, an inlined one does not).
// @ts-ignore: decorator
@inline export function activateChunk(kind: i32, s: v128, p0: v128, p1: v128): v128 { return activateOnce(kind, s, p0, p1); }
// @ts-ignore: decorator
@inline export function storeLanes(p: usize, v: v128, count: i32): void { storeLanesOnce(p, v, count); }
