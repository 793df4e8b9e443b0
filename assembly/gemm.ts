// The blocked f32 matrix products behind assembly/dense.ts (row-major, byte pointers, natural
// strides). One register-blocked 4×8 micro-kernel serves all three forms: C (=|+=) A·B where A is
// read through (row, step) byte strides, so Xᵀ·D is the same loop with A's strides swapped.
// Large shapes copy 8-column panels of B (and, for Xᵀ·D, 4-column bands of X) into a small
// scratch area so the kernel streams contiguous memory; D·Wᵀ packs its Wᵀ panels straight from W
// rows. Every instance of the module (the caller's and each helper thread's, on one shared memory)
// packs into its own scratch, which JavaScript allocates (SCRATCH_BYTES) and hands to setScratch.

// Init modes of the core: zero, broadcast bias row, or accumulate onto existing C.
export const INIT_ZERO: i32 = 0;
export const INIT_BIAS: i32 = 1;
export const INIT_LOAD: i32 = 2;

// Steps per k-block: keeps the W panel rows touched by one micro-kernel sweep cache-resident.
const KC: i32 = 128;
// k-blocks of the unpacked path (few rows, B streamed about once). When the B row stride is a
// multiple of 4 KiB, a panel's rows fall in one L1 set (8 ways), so only ~8 rows can stay cached.
const KC_SMALL: i32 = 64;
const KC_ALIASED: i32 = 8;

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
@inline function initV(mode: i32, p: usize, q: usize): v128 {
  if (mode == INIT_LOAD) return v128.load(p);
  if (mode == INIT_BIAS) return v128.load(q);
  return f32x4.splat(0);
}

// Scalar counterpart of initV for edge columns.
// @ts-ignore: decorator
@inline function initS(mode: i32, p: usize, q: usize): f32 {
  if (mode == INIT_LOAD) return load<f32>(p);
  if (mode == INIT_BIAS) return load<f32>(q);
  return 0;
}

// C[M×N] (=|+=) A·B summed over S steps.
// A(r,s) is at a + r*ars + s*ass; B row s at b + s*ldb; C row r at c + r*ldc (all bytes).
// bias (mode 1) is an N-float row added to every C row.
// @ts-ignore: decorator
@inline function gemmCore(
  a: usize, ars: usize, ass: usize,
  b: usize, ldb: usize,
  c: usize, ldc: usize,
  M: i32, N: i32, S: i32,
  bias: usize, mode: i32
): void {
  let i = 0;
  // Main 4-row band.
  for (; i + 4 <= M; i += 4) {
    const a0 = a + <usize>i * ars;
    const c0 = c + <usize>i * ldc;
    let j = 0;
    for (; j + 8 <= N; j += 8) kernel4x8(a0, ars, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), ldc, S, bias + (<usize>j << 2), mode);
    for (; j + 4 <= N; j += 4) kernel4x4(a0, ars, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), ldc, S, bias + (<usize>j << 2), mode);
    for (; j < N; j++) kernel4x1(a0, ars, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), ldc, S, bias + (<usize>j << 2), mode);
  }
  // Leftover rows (M % 4), one at a time.
  for (; i < M; i++) {
    const a0 = a + <usize>i * ars;
    const c0 = c + <usize>i * ldc;
    let j = 0;
    for (; j + 16 <= N; j += 16) kernel1x16(a0, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), S, bias + (<usize>j << 2), mode);
    for (; j + 4 <= N; j += 4) kernel1x4(a0, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), S, bias + (<usize>j << 2), mode);
    for (; j < N; j++) kernel1x1(a0, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), S, bias + (<usize>j << 2), mode);
  }
}

// gemmCore as a call, for the edge columns of the packed paths: one copy of its kernels serves
// them all (inlined there too, they would double the module); the unpacked path inlines its own.
function gemmEdge(
  a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize,
  M: i32, N: i32, S: i32, bias: usize, mode: i32
): void {
  gemmCore(a, ars, ass, b, ldb, c, ldc, M, N, S, bias, mode);
}

// 4 rows × 8 columns: 8 accumulators + 2 B vectors + 1 splat stay within V8's 16 xmm registers.
// @ts-ignore: decorator
@inline function kernel4x8(a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize, S: i32, q: usize, mode: i32): void {
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
@inline function kernel4x4(a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize, S: i32, q: usize, mode: i32): void {
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
@inline function kernel4x1(a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize, S: i32, q: usize, mode: i32): void {
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

// 1 row × 16 columns: 4 independent chains hide add latency for the m%4 rows (and m = 1).
// @ts-ignore: decorator
@inline function kernel1x16(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
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

// 1 row × 4 columns.
// @ts-ignore: decorator
@inline function kernel1x4(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
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
@inline function kernel1x1(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
  let x0 = initS(mode, c, q);
  let pa = a, pb = b;
  for (let s = 0; s < S; s++) {
    x0 += load<f32>(pa) * load<f32>(pb);
    pa += ass; pb += ldb;
  }
  store<f32>(c, x0);
}

// Rows of the product per cache block: the A block (MC × KC floats) stays in L2.
const MC: i32 = 128;
// Below this many rows a packed panel is reused too little to pay for its copy.
const PACK_MIN_M: i32 = 16;
// KC×8 panel of B, copied contiguous so the micro-kernel streams 32-byte rows from L1 instead of
// striding through B (a 4 KiB stride at n = 1024 thrashes L1 sets and the TLB).
const PANEL_BYTES: i32 = KC * 8 * 4;
// Globals are per instance while memory is shared: these point into this thread's own scratch.
// (Not memory.data: with an imported memory that becomes a data segment, which every helper's
// instantiation would write again over the buffers of a thread that is using them.)
let PANEL: usize = 0;
let ABUF: usize = 0;

// Copies B rows [0, S) × 8 columns (row stride ldb) into PANEL.
// @ts-ignore: decorator
@inline function packPanel(b: usize, ldb: usize, S: i32): void {
  let src = b, dst = PANEL;
  for (let s = 0; s < S; s++) {
    v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
    src += ldb; dst += 32;
  }
}

// 1 row × 8 columns from a packed panel: leftover rows of the packed path.
// @ts-ignore: decorator
@inline function kernel1x8(a: usize, ass: usize, b: usize, ldb: usize, c: usize, S: i32, q: usize, mode: i32): void {
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

// Packed path for one KC block: MC row blocks × 8-column panels of B packed into PANEL.
// @ts-ignore: decorator
@inline function gemmPacked(
  a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize,
  M: i32, N: i32, S: i32, bias: usize, mode: i32, bT: bool
): void {
  const N8 = N & ~7;
  for (let i0 = 0; i0 < M; i0 += MC) {
    const iEnd = min(i0 + MC, M);
    for (let j = 0; j < N8; j += 8) {
      // bT: B(s, j) is at b + j*ldb + s*4 (B is stored transposed), else at b + s*ldb + j*4.
      if (bT) packPanelT(b + <usize>j * ldb, ldb, S);
      else packPanel(b + (<usize>j << 2), ldb, S);
      const cj = c + (<usize>j << 2), qj = bias + (<usize>j << 2);
      let i = i0;
      for (; i + 4 <= iEnd; i += 4) kernel4x8(a + <usize>i * ars, ars, ass, PANEL, 32, cj + <usize>i * ldc, ldc, S, qj, mode);
      for (; i < iEnd; i++) kernel1x8(a + <usize>i * ars, ass, PANEL, 32, cj + <usize>i * ldc, S, qj, mode);
    }
  }
  // Edge columns (N % 8) straight from B through the narrow kernels (the transposed caller does its own).
  if (!bT && N8 < N) gemmEdge(a, ars, ass, b + (<usize>N8 << 2), ldb, c + (<usize>N8 << 2), ldc, M, N - N8, S, bias + (<usize>N8 << 2), mode);
}

// Packs PANEL[s][0..8] = W[c][s] for 8 rows c of W (row stride ldw) and steps [0, S):
// 8 contiguous row streams go through 4×4 register transposes.
// @ts-ignore: decorator
@inline function packPanelT(w: usize, ldw: usize, S: i32): void {
  const w4 = w + (ldw << 2);
  let s = 0;
  for (; s + 4 <= S; s += 4) {
    const o = <usize>s << 2, dst = PANEL + (<usize>s << 5);
    transpose4(w + o, ldw, dst, 32);
    transpose4(w4 + o, ldw, dst + 16, 32);
  }
  for (; s < S; s++) {
    for (let c = 0; c < 8; c++) store<f32>(PANEL + (<usize>s << 5) + (<usize>c << 2), load<f32>(w + <usize>c * ldw + (<usize>s << 2)));
  }
}

// Writes the transpose of the 4×4 tile at src (row stride ls) to dst (row stride ld).
// @ts-ignore: decorator
@inline function transpose4(src: usize, ls: usize, dst: usize, ld: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + ls), r2 = v128.load(src + ls * 2), r3 = v128.load(src + ls * 3);
  // Interleave pairs, then halves: the classic 4×4 transpose in 8 shuffles.
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + ld, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + ld * 2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + ld * 3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

// Columns of X packed per block in the Xᵀ·D path (ABUF is MCA × KC floats = 48 KiB): bands of 4
// columns stored [step][4] so the splat loads walk 16-byte steps instead of one X row (often a
// 4 KiB stride) per step.
const MCA: i32 = 96;
const ABUF_BYTES: i32 = MCA * KC * 4;

// Bytes of one thread's packing scratch (PANEL, then ABUF).
export const SCRATCH_BYTES: i32 = PANEL_BYTES + ABUF_BYTES;

// Points this instance's packing buffers at scratchPtr (SCRATCH_BYTES, 16-byte aligned).
export function setScratch(scratchPtr: usize): void {
  PANEL = scratchPtr;
  ABUF = scratchPtr + PANEL_BYTES;
}

// Xᵀ·D path for one KC block, with both operands packed. a = X at the block's first row,
// lda = X row stride; the product's row r is X column r.
// @ts-ignore: decorator
@inline function gemmPackedAT(
  a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize,
  M: i32, N: i32, S: i32, mode: i32
): void {
  const N8 = N & ~7;
  const bandBytes = <usize>S << 4;
  for (let i0 = 0; i0 < M; i0 += MCA) {
    const iEnd = min(i0 + MCA, M), i4End = i0 + ((iEnd - i0) & ~3);
    for (let i = i0; i < i4End; i += 4) {
      let src = a + (<usize>i << 2), dst = ABUF + <usize>((i - i0) >> 2) * bandBytes;
      for (let s = 0; s < S; s++) { v128.store(dst, v128.load(src)); src += lda; dst += 16; }
    }
    for (let j = 0; j < N8; j += 8) {
      packPanel(b + (<usize>j << 2), ldb, S);
      const cj = c + (<usize>j << 2);
      for (let i = i0; i < i4End; i += 4) {
        kernel4x8(ABUF + <usize>((i - i0) >> 2) * bandBytes, 4, 16, PANEL, 32, cj + <usize>i * ldc, ldc, S, 0, mode);
      }
      for (let i = i4End; i < iEnd; i++) kernel1x8(a + (<usize>i << 2), lda, PANEL, 32, cj + <usize>i * ldc, S, 0, mode);
    }
  }
  if (N8 < N) gemmEdge(a, 4, lda, b + (<usize>N8 << 2), ldb, c + (<usize>N8 << 2), ldc, M, N - N8, S, 0, mode);
}

// C[M×N] (=|+=) A·B over k-blocks of KC steps; the first block uses `mode`, later ones accumulate.
// (One copy of the blocked loops for every caller: inlining it at each would double the module.)
export function gemmBlocked(
  a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize,
  M: i32, N: i32, S: i32, bias: usize, mode: i32
): void {
  if (S <= 0) { // empty sum: C is just its init (zero, bias or itself)
    if (mode != INIT_LOAD) {
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          store<f32>(c + <usize>i * ldc + (<usize>j << 2), mode == INIT_BIAS ? load<f32>(bias + (<usize>j << 2)) : 0);
        }
      }
    }
    return;
  }
  const packed = M >= PACK_MIN_M && N >= 8;
  // Unpacked, few rows: short k-blocks keep the B rows in flight few enough for the prefetchers.
  const kc = packed ? KC : ((ldb & 4095) == 0 ? KC_ALIASED : KC_SMALL);
  for (let s0 = 0; s0 < S; s0 += kc) {
    const sb = min(kc, S - s0), md = s0 == 0 ? mode : INIT_LOAD;
    const as = a + <usize>s0 * ass, bs = b + <usize>s0 * ldb;
    if (packed) gemmPacked(as, ars, ass, bs, ldb, c, ldc, M, N, sb, bias, md, false);
    else gemmCore(as, ars, ass, bs, ldb, c, ldc, M, N, sb, bias, md);
  }
}

// Columns [c0, c1) of Y[m×k] = D[m×n]·Wᵀ (W is k×n; c0 a multiple of 8, c1 a multiple of 8 or k).
// Large m: Wᵀ panels are packed straight from W rows; tiny m: dot products of D rows with W rows;
// scratch (room for 8·n floats) holds Wᵀ for the k % 8 leftover columns, which only the range
// ending at k computes. Each column is computed the same way whatever range it falls in.
export function gemmTransB(dPtr: usize, wPtr: usize, yPtr: usize, m: i32, n: i32, k: i32, scratchPtr: usize, c0: i32, c1: i32): void {
  const ldd = <usize>n << 2, ldy = <usize>k << 2;
  if (m < DOT_MAX_M || n <= 0) {
    dotRowsTransB(dPtr, wPtr + <usize>c0 * ldd, yPtr + (<usize>c0 << 2), ldy, m, n, c1 - c0);
    return;
  }
  const K8 = k >= 8 ? k & ~7 : 0; // m >= DOT_MAX_M here: packing Wᵀ panels costs about one pass over W
  const packedEnd = min(c1, K8);
  if (c0 < packedEnd) {
    const wc = wPtr + <usize>c0 * ldd, yc = yPtr + (<usize>c0 << 2);
    for (let s0 = 0; s0 < n; s0 += KC) {
      const sb = min(KC, n - s0), o = <usize>s0 << 2;
      gemmPacked(dPtr + o, ldd, 4, wc + o, ldd, yc, ldy, m, packedEnd - c0, sb, 0, s0 == 0 ? INIT_ZERO : INIT_LOAD, true);
    }
  }
  if (c1 <= K8) return;
  // Remaining output columns K8..k-1: pack those W rows transposed ([n][k-K8]) into scratch.
  const r = k - K8, ldr = <usize>r << 2;
  transpose(wPtr + <usize>K8 * ldd, scratchPtr, r, n);
  gemmBlocked(dPtr, ldd, 4, scratchPtr, ldr, yPtr + (<usize>K8 << 2), ldy, m, r, n, 0, INIT_ZERO);
}

// Below this many rows, D·Wᵀ runs as dot products (no transpose to pay for).
const DOT_MAX_M: i32 = 4;

// Y[i, p] = D[i,:]·W[p,:] for k rows p of W (Y rows ldy bytes apart): 4 W rows per pass, 4 vector
// partial sums reduced together.
function dotRowsTransB(d: usize, w: usize, y: usize, ldy: usize, m: i32, n: i32, k: i32): void {
  const ld = <usize>n << 2, n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const di = d + <usize>i * ld, yi = y + <usize>i * ldy;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const w0 = w + <usize>p * ld, w1 = w0 + ld, w2 = w1 + ld, w3 = w2 + ld;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let j = 0;
      for (; j < n4; j += 4) {
        const o = <usize>j << 2, x = v128.load(di + o);
        a0 = madd(x, v128.load(w0 + o), a0); a1 = madd(x, v128.load(w1 + o), a1);
        a2 = madd(x, v128.load(w2 + o), a2); a3 = madd(x, v128.load(w3 + o), a3);
      }
      // Horizontal sums of a0..a3 land in lanes 0..3 of one vector.
      const u01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
      const u23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
      let r = f32x4.add(v128.shuffle<f32>(u01, u23, 0, 1, 4, 5), v128.shuffle<f32>(u01, u23, 2, 3, 6, 7));
      for (; j < n; j++) { // n % 4 tail, one lane per W row
        const o = <usize>j << 2, x = load<f32>(di + o);
        r = f32x4.add(r, f32x4(x * load<f32>(w0 + o), x * load<f32>(w1 + o), x * load<f32>(w2 + o), x * load<f32>(w3 + o)));
      }
      v128.store(yi + (<usize>p << 2), r);
    }
    for (; p < k; p++) {
      const wp = w + <usize>p * ld;
      let sum: f32 = 0;
      for (let j = 0; j < n; j++) sum += load<f32>(di + (<usize>j << 2)) * load<f32>(wp + (<usize>j << 2));
      store<f32>(yi + (<usize>p << 2), sum);
    }
  }
}

// Rows [r0, r1) of G[k×n] (=|+=) Xᵀ·D (X is m×k, D is m×n; mode INIT_ZERO or INIT_LOAD; r0 a
// multiple of 4). Row r of G is column r of X. Small shapes read X through swapped strides; large
// ones pack bands of X columns (gemmPackedAT).
export function gemmTransA(xPtr: usize, dPtr: usize, gPtr: usize, m: i32, k: i32, n: i32, mode: i32, r0: i32, r1: i32): void {
  const ldx = <usize>k << 2, ldd = <usize>n << 2;
  const x = xPtr + (<usize>r0 << 2), g = gPtr + <usize>r0 * ldd, rows = r1 - r0;
  if (k < PACK_MIN_M || n < 8 || m < PACK_MIN_M) {
    // row stride 4 bytes (the next X column), step stride one X row
    gemmBlocked(x, 4, ldx, dPtr, ldd, g, ldd, rows, n, m, 0, mode);
    return;
  }
  for (let s0 = 0; s0 < m; s0 += KC) {
    const sb = min(KC, m - s0);
    gemmPackedAT(x + <usize>s0 * ldx, ldx, dPtr + <usize>s0 * ldd, ldd, g, ldd, rows, n, sb, s0 == 0 ? mode : INIT_LOAD);
  }
}

// dst[cols×rows] = srcᵀ for src[rows×cols]; 4×4 tiles go through transpose4, edges are scalar.
function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  const ls = <usize>cols << 2, ld = <usize>rows << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const s0 = src + <usize>r * ls;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      transpose4(s0 + (<usize>c << 2), ls, dst + <usize>c * ld + (<usize>r << 2), ld);
    }
    for (; c < cols; c++) {
      for (let rr = r; rr < r + 4; rr++) {
        store<f32>(dst + <usize>c * ld + (<usize>rr << 2), load<f32>(src + <usize>rr * ls + (<usize>c << 2)));
      }
    }
  }
  for (; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(dst + <usize>c * ld + (<usize>r << 2), load<f32>(src + <usize>r * ls + (<usize>c << 2)));
    }
  }
}
