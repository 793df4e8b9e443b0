// The activations of the quantized path, on one row of a layer's f32 row buffer: the float path's
// functions (activation.ts: apply4 and expf4) with every multiply-add rounded twice, in the relaxed
// build too, so that src/js/quant-activation.ts can reproduce each f32 step and every build and
// engine gives the same bits. Softmax sums its exponentials in a fixed order (softmaxRow's).
import { ACT_LINEAR, ACT_SOFTMAX } from './contract.generated';
import { apply4, softmaxRow } from './activation';

// y = f(s) in place on the n values at row; the padding columns [n, np) become zeros, so that the
// next layer's quantizer can read whole vectors.
export function activateRow(kind: i32, p0: f32, p1: f32, row: usize, n: i32, np: i32): void {
  if (kind == ACT_SOFTMAX) softmaxRow(row, n, true);
  else if (kind != ACT_LINEAR) {
    const vp0 = f32x4.splat(p0), vp1 = f32x4.splat(p1), one = f32x4.splat(1), zero = f32x4.splat(0);
    for (let j = 0; j < np; j += 4) {
      const o = row + (<usize>j << 2);
      v128.store(o, apply4(kind, v128.load(o), vp0, vp1, one, zero, false, true));
    }
  }
  for (let j = n; j < np; j++) store<f32>(row + (<usize>j << 2), 0);
}
