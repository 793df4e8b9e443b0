// The blocked f32 matrix products behind assembly/dense.ts (row-major, byte pointers, natural
// strides). All three forms are C (=|+=) A·B with A read through (row, step) byte strides, so Xᵀ·D
// is the same loop with A's strides swapped. Large shapes pack a k-block of A into bands of MR rows
// ([step][MR]) and 8-column panels of B ([step][8]; D·Wᵀ packs its Wᵀ panels straight from W rows)
// in a small scratch area, so that the band kernel (microkernels.ts) streams contiguous memory at
// constant offsets. Blocking and packing never change a bit: every element is summed in step order
// by the same kind of multiply-add whatever tile computes it. Every instance of the module (the
// caller's and each helper thread's, on one shared memory) packs into its own scratch, which
// JavaScript allocates (SCRATCH_BYTES) and hands to setScratch.
import {
  INIT_BIAS, INIT_LOAD, INIT_ZERO, MR, NR1, initS, initV, kernel1x1, kernel1x16, kernel1x4, kernel1x8, kernel4x1,
  kernel4x4, kernel4x8, kernelBand, kernelRow, madd,
} from './microkernels';

export { INIT_BIAS, INIT_LOAD, INIT_ZERO, madd };

// Steps per k-block: keeps the B panel (KC × 8 floats) in L1 while a block of A bands streams from L2.
const KC: i32 = 128;
// k-blocks of the unpacked path (few rows, B streamed about once). When the B row stride is a
// multiple of 4 KiB, a panel's rows fall in one L1 set (8 ways), so only ~8 rows can stay cached.
const KC_SMALL: i32 = 64;
const KC_ALIASED: i32 = 8;
// Rows of A packed per block (a multiple of 4 and of 6): MC × KC floats (132 KiB) stay in L2, and
// a 256-row chunk of predictions is one block, so each B panel is packed once for it.
const MC: i32 = 264;
// Below this many rows a packed panel is reused too little to pay for its copy.
const PACK_MIN_M: i32 = 16;

// C[M×N] (=|+=) A·B summed over S steps, straight from A and B: the unpacked path (few rows) and
// the edge columns of the packed ones. One copy of its kernels serves them all: inlined at each
// caller, they would double the module.
// A(r,s) is at a + r*ars + s*ass; B row s at b + s*ldb; C row r at c + r*ldc (all bytes).
// bias (mode 1) is an N-float row added to every C row.
function gemmCore(
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
    for (; j + NR1 <= N; j += NR1) kernelRow(a0, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), S, bias + (<usize>j << 2), mode);
    for (; j + 16 <= N; j += 16) kernel1x16(a0, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), S, bias + (<usize>j << 2), mode);
    for (; j + 4 <= N; j += 4) kernel1x4(a0, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), S, bias + (<usize>j << 2), mode);
    for (; j < N; j++) kernel1x1(a0, ass, b + (<usize>j << 2), ldb, c0 + (<usize>j << 2), S, bias + (<usize>j << 2), mode);
  }
}


// KC×8 panel of B and MC×KC block of A, copied contiguous so the band kernel streams them instead
// of striding through B and A (a 4 KiB stride at n = 1024 thrashes L1 sets and the TLB).
const PANEL_BYTES: i32 = KC * 8 * 4;
const ABUF_BYTES: i32 = MC * KC * 4;
// Globals are per instance while memory is shared: these point into this thread's own scratch.
// (Not memory.data: with an imported memory that becomes a data segment, which every helper's
// instantiation would write again over the buffers of a thread that is using them.)
let PANEL: usize = 0;
let ABUF: usize = 0;

// Bytes of one thread's packing scratch (PANEL, then ABUF).
export const SCRATCH_BYTES: i32 = PANEL_BYTES + ABUF_BYTES;

// Points this instance's packing buffers at scratchPtr (SCRATCH_BYTES, 16-byte aligned).
export function setScratch(scratchPtr: usize): void {
  PANEL = scratchPtr;
  ABUF = scratchPtr + PANEL_BYTES;
}

// Copies B rows [0, S) × 8 columns (row stride ldb) into PANEL.
// @ts-ignore: decorator
@inline function packPanel(b: usize, ldb: usize, S: i32): void {
  let src = b, dst = PANEL;
  for (let s = 0; s < S; s++) {
    v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
    src += ldb; dst += 32;
  }
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


// Packs MR rows × S steps of A at dst as [step][MR]. With rowMajor, A(r, s) is at a + r*ars + s*4
// (X of X·W, D of D·Wᵀ) and goes through 4×4 transposes; else at a + r*4 + s*ass (the columns of X
// in Xᵀ·D), MR consecutive floats per step.
// @ts-ignore: decorator
@inline function packBand(a: usize, ars: usize, ass: usize, S: i32, dst: usize, rowMajor: bool): void {
  const ld = <usize>MR << 2;
  if (!rowMajor) {
    for (let s = 0; s < S; s++) {
      const src = a + <usize>s * ass, d = dst + <usize>s * ld;
      v128.store(d, v128.load(src));
      if (MR == 6) store<u64>(d, load<u64>(src, 16), 16);
    }
    return;
  }
  let s = 0;
  for (; s + 4 <= S; s += 4) {
    const src = a + (<usize>s << 2), d = dst + <usize>s * ld;
    transpose4(src, ars, d, ld);
    if (MR == 6) { // rows 4 and 5: pairs of lanes, one 8-byte store per step
      const r4 = v128.load(src + (ars << 2)), r5 = v128.load(src + (ars << 2) + ars);
      const lo = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5), hi = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
      v128.store64_lane(d, lo, 0, 16); v128.store64_lane(d + ld, lo, 1, 16);
      v128.store64_lane(d + 2 * ld, hi, 0, 16); v128.store64_lane(d + 3 * ld, hi, 1, 16);
    }
  }
  for (; s < S; s++) {
    for (let r = 0; r < MR; r++) store<f32>(dst + <usize>s * ld + (<usize>r << 2), load<f32>(a + <usize>r * ars + (<usize>s << 2)));
  }
}

// C (=|+=) A·B for one k-block of S steps, both operands packed: blocks of at most MC rows of A in
// bands of MR (the last rows of a block that fill no band are read in place), each 8-column panel
// of B packed once per block (bT: B(s, j) is at b + j*ldb + s*4, B being stored transposed).
// Edge columns (N % 8) go through the
// narrow kernels (the transposed caller does its own).
function gemmPacked(
  a: usize, ars: usize, ass: usize, b: usize, ldb: usize, c: usize, ldc: usize,
  M: i32, N: i32, S: i32, bias: usize, mode: i32, bT: bool
): void {
  // steps 4 bytes apart: A's rows are rows of a matrix (transposed in packing), else its columns (ars = 4)
  const rowMajor = ass == 4;
  const N8 = N & ~7, bandBytes = <usize>S * (<usize>MR << 2);
  // blocks of equal size in whole bands, so that B's panels are packed as few times as they can be
  const blocks = (M + MC - 1) / MC, mc = (((M + blocks - 1) / blocks + MR - 1) / MR) * MR;
  for (let i0 = 0; i0 < M; i0 += mc) {
    const iEnd = min(i0 + mc, M), bands = (iEnd - i0) / MR, iBands = i0 + bands * MR;
    for (let p = 0; p < bands; p++) {
      packBand(a + <usize>(i0 + p * MR) * ars, ars, ass, S, ABUF + <usize>p * bandBytes, rowMajor);
    }
    for (let j = 0; j < N8; j += 8) {
      if (bT) packPanelT(b + <usize>j * ldb, ldb, S);
      else packPanel(b + (<usize>j << 2), ldb, S);
      const cj = c + (<usize>j << 2), qj = bias + (<usize>j << 2);
      for (let p = 0; p < bands; p++) {
        kernelBand(ABUF + <usize>p * bandBytes, PANEL, cj + <usize>(i0 + p * MR) * ldc, ldc, S, qj, mode);
      }
      let i = iBands;
      if (MR > 4 && i + 4 <= iEnd) {
        kernel4x8(a + <usize>i * ars, ars, ass, PANEL, 32, cj + <usize>i * ldc, ldc, S, qj, mode);
        i += 4;
      }
      for (; i < iEnd; i++) kernel1x8(a + <usize>i * ars, ass, PANEL, 32, cj + <usize>i * ldc, S, qj, mode);
    }
  }
  if (!bT && N8 < N) gemmCore(a, ars, ass, b + (<usize>N8 << 2), ldb, c + (<usize>N8 << 2), ldc, M, N - N8, S, bias + (<usize>N8 << 2), mode);
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
// ones pack bands of X columns (gemmPacked).
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
    gemmPacked(x + <usize>s0 * ldx, 4, ldx, dPtr + <usize>s0 * ldd, ldd, g, ldd, rows, n, sb, 0, s0 == 0 ? mode : INIT_LOAD, false);
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
