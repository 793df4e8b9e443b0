// The register blocks of the f32 products (assembly/gemm.ts blocks and packs around them): each
// computes a small tile of C (=|+=) A·B over S steps, every element as one chain of multiply-adds
// in step order, so a tile's shape never changes a bit of it. A(r, s) is read at a + r*ars + s*ass
// and B row s at b + s*ldb (bytes), or, for the band kernel, from the packed layouts of gemm.ts.
// Columns in whole vectors use madd (fused in the relaxed build); the last n % 4 columns are
// scalar, which every caller keeps to.

// Init modes of the core: zero, broadcast bias row, or accumulate onto existing C.
export const INIT_ZERO: i32 = 0;
export const INIT_BIAS: i32 = 1;
export const INIT_LOAD: i32 = 2;

// a*b + c; the relaxed build fuses it into one FMA.
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

// Initial accumulator for a 4-wide column slice (p = C slice address, q = bias slice address).
// @ts-ignore: decorator
@inline export function initV(mode: i32, p: usize, q: usize): v128 {
  if (mode == INIT_LOAD) return v128.load(p);
  if (mode == INIT_BIAS) return v128.load(q);
  return f32x4.splat(0);
}

// Scalar counterpart of initV for edge columns.
// @ts-ignore: decorator
@inline export function initS(mode: i32, p: usize, q: usize): f32 {
  if (mode == INIT_LOAD) return load<f32>(p);
  if (mode == INIT_BIAS) return load<f32>(q);
  return 0;
}

// 4 rows × 8 columns: 8 accumulators + 2 B vectors + 1 splat stay within V8's 16 xmm registers.
// @ts-ignore: decorator
@inline export function kernel4x8(a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize, S: i32, q: usize, mode: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x00 = initV(mode, c, q), x01 = initV(mode, c + 16, q + 16);
  let x10 = initV(mode, c1, q), x11 = initV(mode, c1 + 16, q + 16);
  let x20 = initV(mode, c2, q), x21 = initV(mode, c2 + 16, q + 16);
  let x30 = initV(mode, c3, q), x31 = initV(mode, c3 + 16, q + 16);
  const ars2 = ars + ars, ars3 = ars2 + ars;
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let t = v128.load32_splat(pa);
    x00 = madd(t, b0, x00); x01 = madd(t, b1, x01);
    t = v128.load32_splat(pa + ars);
    x10 = madd(t, b0, x10); x11 = madd(t, b1, x11);
    t = v128.load32_splat(pa + ars2);
    x20 = madd(t, b0, x20); x21 = madd(t, b1, x21);
    t = v128.load32_splat(pa + ars3);
    x30 = madd(t, b0, x30); x31 = madd(t, b1, x31);
    pa += ass; pb += ldb;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

// 4 rows × 4 columns: the n%8 >= 4 edge.
// @ts-ignore: decorator
@inline export function kernel4x4(a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize, S: i32, q: usize, mode: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x0 = initV(mode, c, q), x1 = initV(mode, c1, q), x2 = initV(mode, c2, q), x3 = initV(mode, c3, q);
  const ars2 = ars + ars, ars3 = ars2 + ars;
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    const b0 = v128.load(pb);
    x0 = madd(v128.load32_splat(pa), b0, x0);
    x1 = madd(v128.load32_splat(pa + ars), b0, x1);
    x2 = madd(v128.load32_splat(pa + ars2), b0, x2);
    x3 = madd(v128.load32_splat(pa + ars3), b0, x3);
    pa += ass; pb += ldb;
  }
  v128.store(c, x0); v128.store(c1, x1); v128.store(c2, x2); v128.store(c3, x3);
}

// 4 rows × 1 column, scalar: the n%4 edge (no vector load may run past the row end).
// @ts-ignore: decorator
@inline export function kernel4x1(a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize, S: i32, q: usize, mode: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x0 = initS(mode, c, q), x1 = initS(mode, c1, q), x2 = initS(mode, c2, q), x3 = initS(mode, c3, q);
  const ars2 = ars + ars, ars3 = ars2 + ars;
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    const w = load<f32>(pb);
    x0 += load<f32>(pa) * w;
    x1 += load<f32>(pa + ars) * w;
    x2 += load<f32>(pa + ars2) * w;
    x3 += load<f32>(pa + ars3) * w;
    pa += ass; pb += ldb;
  }
  store<f32>(c, x0); store<f32>(c1, x1); store<f32>(c2, x2); store<f32>(c3, x3);
}

// 1 row × 16 columns: 4 independent chains for the m%4 rows and the edges of wider rows.
// @ts-ignore: decorator
@inline export function kernel1x16(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
  let x0 = initV(mode, c, q), x1 = initV(mode, c + 16, q + 16);
  let x2 = initV(mode, c + 32, q + 32), x3 = initV(mode, c + 48, q + 48);
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    const t = v128.load32_splat(pa);
    x0 = madd(t, v128.load(pb), x0);
    x1 = madd(t, v128.load(pb, 16), x1);
    x2 = madd(t, v128.load(pb, 32), x2);
    x3 = madd(t, v128.load(pb, 48), x3);
    pa += ass; pb += ldb;
  }
  v128.store(c, x0); v128.store(c, x1, 16); v128.store(c, x2, 32); v128.store(c, x3, 48);
}

// Columns of the one-row kernel: one row alone (m = 1, a prediction) is a chain per accumulator,
// and 4 chains wait on the add latency. The relaxed build takes 8; runtimes that accept it keep each
// B load beside its multiply-add. The plain build takes 6: Node 20's V8, which runs it, loads every
// B vector of a step first, and with 8 accumulators (and the multiply's temporary) spills one.
export const NR1: i32 = ASC_FEATURE_RELAXED_SIMD ? 32 : 24;

// 1 row × NR1 columns.
// @ts-ignore: decorator
@inline export function kernelRow(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
  let x0 = initV(mode, c, q), x1 = initV(mode, c + 16, q + 16);
  let x2 = initV(mode, c + 32, q + 32), x3 = initV(mode, c + 48, q + 48);
  let x4 = initV(mode, c + 64, q + 64), x5 = initV(mode, c + 80, q + 80);
  let x6 = f32x4.splat(0), x7 = x6;
  if (NR1 == 32) { x6 = initV(mode, c + 96, q + 96); x7 = initV(mode, c + 112, q + 112); }
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    const t = v128.load32_splat(pa);
    x0 = madd(t, v128.load(pb), x0); x1 = madd(t, v128.load(pb, 16), x1);
    x2 = madd(t, v128.load(pb, 32), x2); x3 = madd(t, v128.load(pb, 48), x3);
    x4 = madd(t, v128.load(pb, 64), x4); x5 = madd(t, v128.load(pb, 80), x5);
    if (NR1 == 32) { x6 = madd(t, v128.load(pb, 96), x6); x7 = madd(t, v128.load(pb, 112), x7); }
    pa += ass; pb += ldb;
  }
  v128.store(c, x0); v128.store(c, x1, 16); v128.store(c, x2, 32);
  v128.store(c, x3, 48); v128.store(c, x4, 64); v128.store(c, x5, 80);
  if (NR1 == 32) { v128.store(c, x6, 96); v128.store(c, x7, 112); }
}

// 1 row × 4 columns.
// @ts-ignore: decorator
@inline export function kernel1x4(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
  let x0 = initV(mode, c, q);
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    x0 = madd(v128.load32_splat(pa), v128.load(pb), x0);
    pa += ass; pb += ldb;
  }
  v128.store(c, x0);
}

// 1 row × 1 column, scalar.
// @ts-ignore: decorator
@inline export function kernel1x1(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
  let x0 = initS(mode, c, q);
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    x0 += load<f32>(pa) * load<f32>(pb);
    pa += ass; pb += ldb;
  }
  store<f32>(c, x0);
}

// 1 row × 8 columns from a packed panel: leftover rows of the packed path.
// @ts-ignore: decorator
@inline export function kernel1x8(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
  let x0 = initV(mode, c, q), x1 = initV(mode, c + 16, q + 16);
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    const t = v128.load32_splat(pa);
    x0 = madd(t, v128.load(pb), x0);
    x1 = madd(t, v128.load(pb, 16), x1);
    pa += ass; pb += ldb;
  }
  v128.store(c, x0); v128.store(c, x1, 16);
}


// Rows of the band kernel. The relaxed build's FMA needs no temporary, so 12 accumulators, 2 B
// vectors and the splat fill 15 of V8's 16 xmm registers (one is its scratch); the plain build's
// separate multiply needs a temporary, and 5 or 6 rows measured slower there (spills), so it keeps 4.
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;

// MR rows × 8 columns from a packed band (A as [step][MR] floats) and a packed panel (B as
// [step][8]): the splats and B loads use constant offsets, so a step is 2 + MR loads, 2·MR
// multiply-adds and two pointer increments.
// @ts-ignore: decorator
@inline export function kernelBand(pa: usize, pb: usize, c: usize, ldc: usize, S: i32, q: usize, mode: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
  let x00 = initV(mode, c, q), x01 = initV(mode, c + 16, q + 16);
  let x10 = initV(mode, c1, q), x11 = initV(mode, c1 + 16, q + 16);
  let x20 = initV(mode, c2, q), x21 = initV(mode, c2 + 16, q + 16);
  let x30 = initV(mode, c3, q), x31 = initV(mode, c3 + 16, q + 16);
  let x40 = f32x4.splat(0), x41 = x40, x50 = x40, x51 = x40;
  if (MR == 6) {
    x40 = initV(mode, c4, q); x41 = initV(mode, c4 + 16, q + 16);
    x50 = initV(mode, c5, q); x51 = initV(mode, c5 + 16, q + 16);
  }
  for (let s = 0; s < S; s++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let t = v128.load32_splat(pa);
    x00 = madd(t, b0, x00); x01 = madd(t, b1, x01);
    t = v128.load32_splat(pa, 4);
    x10 = madd(t, b0, x10); x11 = madd(t, b1, x11);
    t = v128.load32_splat(pa, 8);
    x20 = madd(t, b0, x20); x21 = madd(t, b1, x21);
    t = v128.load32_splat(pa, 12);
    x30 = madd(t, b0, x30); x31 = madd(t, b1, x31);
    if (MR == 6) {
      t = v128.load32_splat(pa, 16);
      x40 = madd(t, b0, x40); x41 = madd(t, b1, x41);
      t = v128.load32_splat(pa, 20);
      x50 = madd(t, b0, x50); x51 = madd(t, b1, x51);
    }
    pa += <usize>MR << 2; pb += 32;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
  if (MR == 6) {
    v128.store(c4, x40); v128.store(c4, x41, 16);
    v128.store(c5, x50); v128.store(c5, x51, 16);
  }
}
