// The integer micro-kernels of the quantized forward (quant.ts): tiles of S = Σ_k q[k]·Wq[k][j]
// accumulated exactly in i32, then scaled in f32 in one fixed order, s = ((f32(S)·sx)·sw[j]) + b[j],
// and stored to the layer's f32 row buffer. Weights are packed (src/js/quant-pack.ts) in groups of 4
// columns, each group [Kp/4][4 columns][4 steps] int8, so that one 16-byte load holds 4 steps of 4
// columns. Two input formats:
// - wide: inputs as i16 (4 steps = 8 bytes, broadcast), weights widened from int8 in registers,
//   i32x4.dot_i16x8_s (plain SIMD, exact). Each lane then holds half a column's sum (2 steps of
//   the 4), so the two halves are added at the end.
// - narrow (relaxed build only, blocks of 4 rows): inputs as int8 in [0, 127] (4 steps = 4 bytes,
//   broadcast) and i32x4.relaxed_dot_i8x16_i7x16_add_s with the inputs as its 7-bit operand, where
//   it is exact on every CPU. Each lane holds one column's whole sum.
// Integer sums are exact in any order, so both formats and every tile give the same bits.

// ((f32(acc)·sx)·sw + b) for the 4 columns at sw, b; stored to out. Never fused: two roundings.
// @ts-ignore: decorator
@inline function emit(acc: v128, sx: v128, sw: usize, b: usize, out: usize): void {
  v128.store(out, f32x4.add(f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(acc), sx), v128.load(sw)), v128.load(b)));
}

// Column sums of a wide tile's two accumulators: lo = [c0 c0 c1 c1], hi = [c2 c2 c3 c3] (halves).
// @ts-ignore: decorator
@inline function halves(lo: v128, hi: v128): v128 {
  return i32x4.add(v128.shuffle<i32>(lo, hi, 0, 2, 4, 6), v128.shuffle<i32>(lo, hi, 1, 3, 5, 7));
}

// acc + dot(x, w) on i16 lanes, exact.
// @ts-ignore: decorator
@inline function dot16(acc: v128, x: v128, w: v128): v128 { return i32x4.add(acc, i32x4.dot_i16x8_s(x, w)); }

// acc + Σ4 w·x on int8 lanes, x in [0, 127] (the 7-bit operand); only the relaxed build calls it.
// @ts-ignore: decorator
@inline function dot8(acc: v128, w: v128, x: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, acc);
  return unreachable();
}

// Where a tile writes: rows of the f32 row buffer (rs bytes apart), input scales sxPtr (one f32
// per row), the group's scales and biases (swPtr, bPtr), all at the tile's first column.

// Wide, 4 rows × 4 columns: x rows xs bytes apart, w the group's weights widened to i16 (quant.ts,
// widen: 32 bytes per quadruple, columns 0 and 1 then 2 and 3), Kp/4 quadruples.
export function tileWide4x4(x: usize, xs: usize, w: usize, quads: i32, sxPtr: usize, swPtr: usize, bPtr: usize, out: usize, rs: usize): void {
  const zero = i32x4.splat(0);
  let l0 = zero, h0 = zero, l1 = zero, h1 = zero, l2 = zero, h2 = zero, l3 = zero, h3 = zero;
  const x1 = x + xs, x2 = x1 + xs, x3 = x2 + xs;
  let o: usize = 0, p = w;
  for (let q = 0; q < quads; q++) {
    const wl = v128.load(p), wh = v128.load(p, 16);
    let v = v128.load64_splat(x + o);
    l0 = dot16(l0, v, wl); h0 = dot16(h0, v, wh);
    v = v128.load64_splat(x1 + o);
    l1 = dot16(l1, v, wl); h1 = dot16(h1, v, wh);
    v = v128.load64_splat(x2 + o);
    l2 = dot16(l2, v, wl); h2 = dot16(h2, v, wh);
    v = v128.load64_splat(x3 + o);
    l3 = dot16(l3, v, wl); h3 = dot16(h3, v, wh);
    o += 8; p += 32;
  }
  emit(halves(l0, h0), v128.load32_splat(sxPtr), swPtr, bPtr, out);
  emit(halves(l1, h1), v128.load32_splat(sxPtr, 4), swPtr, bPtr, out + rs);
  emit(halves(l2, h2), v128.load32_splat(sxPtr, 8), swPtr, bPtr, out + rs * 2);
  emit(halves(l3, h3), v128.load32_splat(sxPtr, 12), swPtr, bPtr, out + rs * 3);
}

// Wide, 1 row × 8 columns (two groups, gs bytes apart), from the int8 weights: one row reads a
// quarter of the float bytes, from two streams at once.
export function tileWide1x8(x: usize, w: usize, gs: usize, quads: i32, sxPtr: usize, swPtr: usize, bPtr: usize, out: usize): void {
  const zero = i32x4.splat(0);
  let l0 = zero, h0 = zero, l1 = zero, h1 = zero;
  let o: usize = 0, p = w;
  for (let q = 0; q < quads; q++) {
    const v = v128.load64_splat(x + o);
    const w0 = v128.load(p), w1 = v128.load(p + gs);
    l0 = dot16(l0, v, i16x8.extend_low_i8x16_s(w0)); h0 = dot16(h0, v, i16x8.extend_high_i8x16_s(w0));
    l1 = dot16(l1, v, i16x8.extend_low_i8x16_s(w1)); h1 = dot16(h1, v, i16x8.extend_high_i8x16_s(w1));
    o += 8; p += 16;
  }
  const sx = v128.load32_splat(sxPtr);
  emit(halves(l0, h0), sx, swPtr, bPtr, out);
  emit(halves(l1, h1), sx, swPtr + 16, bPtr + 16, out + 16);
}

// Wide, 1 row × 4 columns: the last group of an odd count.
export function tileWide1x4(x: usize, w: usize, quads: i32, sxPtr: usize, swPtr: usize, bPtr: usize, out: usize): void {
  let l0 = i32x4.splat(0), h0 = l0;
  let o: usize = 0, p = w;
  for (let q = 0; q < quads; q++) {
    const v = v128.load64_splat(x + o), w0 = v128.load(p);
    l0 = dot16(l0, v, i16x8.extend_low_i8x16_s(w0)); h0 = dot16(h0, v, i16x8.extend_high_i8x16_s(w0));
    o += 8; p += 16;
  }
  emit(halves(l0, h0), v128.load32_splat(sxPtr), swPtr, bPtr, out);
}

// Narrow, 4 rows × 8 columns (two groups, gs bytes apart): 8 accumulators, 2 weight vectors.
export function tileNarrow4x8(x: usize, xs: usize, w: usize, gs: usize, quads: i32, sxPtr: usize, swPtr: usize, bPtr: usize, out: usize, rs: usize): void {
  const zero = i32x4.splat(0);
  let a0 = zero, b0 = zero, a1 = zero, b1 = zero, a2 = zero, b2 = zero, a3 = zero, b3 = zero;
  const x1 = x + xs, x2 = x1 + xs, x3 = x2 + xs;
  let o: usize = 0, p = w;
  for (let q = 0; q < quads; q++) {
    const w0 = v128.load(p), w1 = v128.load(p + gs);
    let v = v128.load32_splat(x + o);
    a0 = dot8(a0, w0, v); b0 = dot8(b0, w1, v);
    v = v128.load32_splat(x1 + o);
    a1 = dot8(a1, w0, v); b1 = dot8(b1, w1, v);
    v = v128.load32_splat(x2 + o);
    a2 = dot8(a2, w0, v); b2 = dot8(b2, w1, v);
    v = v128.load32_splat(x3 + o);
    a3 = dot8(a3, w0, v); b3 = dot8(b3, w1, v);
    o += 4; p += 16;
  }
  let sx = v128.load32_splat(sxPtr);
  emit(a0, sx, swPtr, bPtr, out); emit(b0, sx, swPtr + 16, bPtr + 16, out + 16);
  sx = v128.load32_splat(sxPtr, 4);
  emit(a1, sx, swPtr, bPtr, out + rs); emit(b1, sx, swPtr + 16, bPtr + 16, out + rs + 16);
  sx = v128.load32_splat(sxPtr, 8);
  emit(a2, sx, swPtr, bPtr, out + rs * 2); emit(b2, sx, swPtr + 16, bPtr + 16, out + rs * 2 + 16);
  sx = v128.load32_splat(sxPtr, 12);
  emit(a3, sx, swPtr, bPtr, out + rs * 3); emit(b3, sx, swPtr + 16, bPtr + 16, out + rs * 3 + 16);
}

// Narrow, 4 rows × 4 columns: the last group of an odd count.
export function tileNarrow4x4(x: usize, xs: usize, w: usize, quads: i32, sxPtr: usize, swPtr: usize, bPtr: usize, out: usize, rs: usize): void {
  const zero = i32x4.splat(0);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  const x1 = x + xs, x2 = x1 + xs, x3 = x2 + xs;
  let o: usize = 0, p = w;
  for (let q = 0; q < quads; q++) {
    const w0 = v128.load(p);
    a0 = dot8(a0, w0, v128.load32_splat(x + o));
    a1 = dot8(a1, w0, v128.load32_splat(x1 + o));
    a2 = dot8(a2, w0, v128.load32_splat(x2 + o));
    a3 = dot8(a3, w0, v128.load32_splat(x3 + o));
    o += 4; p += 16;
  }
  emit(a0, v128.load32_splat(sxPtr), swPtr, bPtr, out);
  emit(a1, v128.load32_splat(sxPtr, 4), swPtr, bPtr, out + rs);
  emit(a2, v128.load32_splat(sxPtr, 8), swPtr, bPtr, out + rs * 2);
  emit(a3, v128.load32_splat(sxPtr, 12), swPtr, bPtr, out + rs * 3);
}
