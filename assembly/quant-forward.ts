// The quantized forward on one thread: int8 weights with one scale per output neuron, activations
// quantized per row, integer products, then float. The arithmetic (docs/quantization.md; src/js/quant.ts is the
// twin, step for step):
// - weights, once (src/js/quant-pack.ts, which also packs them for the tiles): m = max_k |W[k][j]|;
//   sw[j] = f32(m / 127) and Wq = clamp(roundHalfEven(W·(127 / m)), −127, 127) in float64; a zero
//   column has sw = 1 and Wq = 0.
// - a layer's input row x, per row: m = max(max_k |x[k]|, 2^−100) in f32, or max(range, 2^−100) for a
//   layer with a calibrated range; sx = m / 127, inv = 127 / m, q = clamp(roundHalfEven(x·inv),
//   −127, 127), each an f32 operation. The floor keeps inv finite, and a zero
//   row quantizes to zeros whatever its scale. A NaN product (only where a row holds an infinity)
//   counts as 127.
// - S = Σ_k q[k]·Wq[k][j] exactly in i32, then s = ((f32(S)·sx)·sw[j]) + b[j] (b = 0 without a bias),
//   then the activation in f32 steps without fused multiply-adds (quant-activation.ts).
// Each of these steps is an ONNX operator's (Abs, ReduceMax, Max, Div, Mul, Round, Clip, Cast,
// MatMulInteger, Add), so an exported graph can give the same bits up to the activation.
import { tileWide4x4, tileWide1x8, tileWide1x4, tileNarrow4x8, tileNarrow4x4 } from './quant-dot';
import { activateRow } from './quant-activation';
import { QuantLayerRecord, quantLayer } from './contract.generated';

// The smallest range a row quantizes against (2^−100): 127 / m stays finite.
const RANGE_FLOOR: f32 = reinterpret<f32>(0x0D800000);
// Rows per chunk: the forward runs every layer on 64 rows at a time, so that each group of weights,
// widened to i16 once per chunk for the wide tiles, meets many rows (chosen by measurement, see
// bench/RESULTS.md); a chunk's quantized rows stay in L2.
const CHUNK: i32 = 64;

// @ts-ignore: decorator
@inline function round4(n: i32): i32 { return (n + 3) & ~3; }

// ---- rows ----

// max |x| over count floats (NaN ignored), floored at RANGE_FLOOR; or range when it is > 0. The
// relaxed build also notes a value below zero in `negative` (the narrow tiles need inputs in [0, 127]).
let negative = false;
function rowRange(x: usize, count: i32, range: f32): f32 {
  // four independent maxima, so that the loop is not one chain of pmax latencies
  let m0 = f32x4.splat(0), m1 = m0, m2 = m0, m3 = m0, neg = m0;
  const zero = m0, c16 = count & ~15;
  let i = 0;
  for (; i < c16; i += 16) {
    const p = x + (<usize>i << 2);
    const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
    m0 = f32x4.pmax(m0, f32x4.abs(v0)); m1 = f32x4.pmax(m1, f32x4.abs(v1));
    m2 = f32x4.pmax(m2, f32x4.abs(v2)); m3 = f32x4.pmax(m3, f32x4.abs(v3));
    if (ASC_FEATURE_RELAXED_SIMD) {
      neg = v128.or(neg, v128.or(v128.or(f32x4.lt(v0, zero), f32x4.lt(v1, zero)), v128.or(f32x4.lt(v2, zero), f32x4.lt(v3, zero))));
    }
  }
  for (; i < count; i++) {
    const v = f32x4.splat(load<f32>(x + (<usize>i << 2)));
    m0 = f32x4.pmax(m0, f32x4.abs(v));
    if (ASC_FEATURE_RELAXED_SIMD) neg = v128.or(neg, f32x4.lt(v, zero));
  }
  if (ASC_FEATURE_RELAXED_SIMD && v128.any_true(neg)) negative = true;
  const m = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
  const r = range > 0 ? range
    : max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  return r < RANGE_FLOOR ? RANGE_FLOOR : r;
}

// clamp(roundHalfEven(x·inv), −127, 127) lane-wise as i32: the product is clamped in f32 (a NaN
// becomes 127: pmin keeps its first operand then), then 1.5·2^23 added rounds it half to even into
// the low mantissa bits, which the integer subtraction of that number's bits reads out.
// @ts-ignore: decorator
@inline function quantize4(x: v128, inv: v128, lo: v128, hi: v128, magic: v128): v128 {
  const c = f32x4.pmax(lo, f32x4.pmin(hi, f32x4.mul(x, inv)));
  return i32x4.sub(f32x4.add(c, magic), magic);
}

// Quantizes count floats at x with inv into dst: int8 (narrow) or i16, then zeros up to padTo.
function quantizeRowInto(x: usize, count: i32, inv: f32, dst: usize, padTo: i32, narrow: bool): void {
  const vinv = f32x4.splat(inv), lo = f32x4.splat(-127), hi = f32x4.splat(127), magic = f32x4.splat(12582912);
  const c8 = count & ~7;
  let i = 0;
  for (; i < c8; i += 8) {
    const p = x + (<usize>i << 2);
    const h = i16x8.narrow_i32x4_s(quantize4(v128.load(p), vinv, lo, hi, magic), quantize4(v128.load(p, 16), vinv, lo, hi, magic));
    if (narrow) v128.store64_lane(dst + <usize>i, i8x16.narrow_i16x8_s(h, h), 0);
    else v128.store(dst + (<usize>i << 1), h);
  }
  for (; i < count; i++) {
    const q = i32x4.extract_lane(quantize4(f32x4.splat(load<f32>(x + (<usize>i << 2))), vinv, lo, hi, magic), 0);
    if (narrow) store<i8>(dst + <usize>i, <i8>q);
    else store<i16>(dst + (<usize>i << 1), <i16>q);
  }
  if (padTo > count) memory.fill(dst + (<usize>count << (narrow ? 0 : 1)), 0, <usize>(padTo - count) << (narrow ? 0 : 1));
}

// Quantizes rows×cols floats at xPtr row by row (range > 0: that calibrated range for every row):
// int8 to qPtr (rows×cols) and each row's scale sx to scalePtr. The row quantizer of the forward.
export function quantizeRows(xPtr: usize, rows: i32, cols: i32, range: f32, qPtr: usize, scalePtr: usize): void {
  for (let r = 0; r < rows; r++) {
    const x = xPtr + (<usize>(r * cols) << 2);
    const m = rowRange(x, cols, range);
    store<f32>(scalePtr + (<usize>r << 2), m / 127);
    quantizeRowInto(x, cols, <f32>127 / m, qPtr + <usize>(r * cols), cols, true);
  }
}

// Quantizes `rows` rows of count floats (src rows srcStride bytes apart) for a layer: each row's
// scale to sxPtr, its values to dst rows (dstStride bytes apart) padded with zeros to padTo.
// Returns whether the block takes the narrow tiles: relaxed build, the layer's record allows them, no
// negative value, and whole tiles of 4 rows (the narrow path has no one-row tiles; a few rows take
// the wide ones).
function quantizeBlock(src: usize, srcStride: usize, count: i32, rows: i32, rec: QuantLayerRecord, dst: usize, dstStride: usize, padTo: i32, sxPtr: usize): bool {
  negative = false;
  const range = rec.range;
  for (let r = 0; r < rows; r++) store<f32>(sxPtr + (<usize>r << 2), rowRange(src + <usize>r * srcStride, count, range));
  const narrow = ASC_FEATURE_RELAXED_SIMD && rec.narrow != 0 && !negative && (rows & 3) == 0;
  for (let r = 0; r < rows; r++) {
    const m = load<f32>(sxPtr + (<usize>r << 2));
    store<f32>(sxPtr + (<usize>r << 2), m / 127);
    quantizeRowInto(src + <usize>r * srcStride, count, <f32>127 / m, dst + <usize>r * dstStride, padTo, narrow);
  }
  return narrow;
}

// ---- the forward ----

// One layer on `rows` (1 to CHUNK) quantized input rows: the tiles write s to the f32 row buffer
// out (rows rs bytes apart, Np columns). x rows are xs bytes apart, sxPtr their scales; panel holds
// one group of weights widened to i16 for the 4-row wide tiles.
function layerChunk(x: usize, xs: usize, sxPtr: usize, rows: i32, packed: usize, kp: i32, np: i32, narrow: bool, out: usize, rs: usize, panel: usize): void {
  const quads = kp >> 2, gs = <usize>kp << 2, groups = np >> 2;
  const sw = packed + <usize>(kp * np), b = sw + (<usize>np << 2);
  const full = rows & ~3;
  if (full > 0) {
    if (ASC_FEATURE_RELAXED_SIMD && narrow) {
      let g = 0;
      for (; g + 2 <= groups; g += 2) {
        const c = <usize>g << 4, w = packed + <usize>g * gs;
        for (let i = 0; i < full; i += 4) tileNarrow4x8(x + <usize>i * xs, xs, w, gs, quads, sxPtr + (<usize>i << 2), sw + c, b + c, out + <usize>i * rs + c, rs);
      }
      if (g < groups) {
        const c = <usize>g << 4, w = packed + <usize>g * gs;
        for (let i = 0; i < full; i += 4) tileNarrow4x4(x + <usize>i * xs, xs, w, quads, sxPtr + (<usize>i << 2), sw + c, b + c, out + <usize>i * rs + c, rs);
      }
    } else {
      for (let g = 0; g < groups; g++) {
        const c = <usize>g << 4;
        widen(packed + <usize>g * gs, panel, quads);
        for (let i = 0; i < full; i += 4) tileWide4x4(x + <usize>i * xs, xs, panel, quads, sxPtr + (<usize>i << 2), sw + c, b + c, out + <usize>i * rs + c, rs);
      }
    }
  }
  for (let r = full; r < rows; r++) {
    const xr = x + <usize>r * xs, sr = sxPtr + (<usize>r << 2), o = out + <usize>r * rs;
    let g = 0;
    for (; g + 2 <= groups; g += 2) {
      const c = <usize>g << 4;
      tileWide1x8(xr, packed + <usize>g * gs, gs, quads, sr, sw + c, b + c, o + c);
    }
    if (g < groups) tileWide1x4(xr, packed + <usize>g * gs, quads, sr, sw + (<usize>g << 4), b + (<usize>g << 4), o + (<usize>g << 4));
  }
}

// One group of packed weights (quads of 4 columns × 4 steps, int8) widened to i16 at panel: per
// quadruple, columns 0 and 1, then columns 2 and 3 (32 bytes).
function widen(w: usize, panel: usize, quads: i32): void {
  for (let q = 0; q < quads; q++) {
    const v = v128.load(w + (<usize>q << 4)), d = panel + (<usize>q << 5);
    v128.store(d, i16x8.extend_low_i8x16_s(v));
    v128.store(d, i16x8.extend_high_i8x16_s(v), 16);
  }
}

// The widest layer of the network at layersPtr, rounded up to a multiple of 4.
export function widest(layersPtr: usize, layers: i32): i32 {
  let w = 0;
  for (let l = 0; l < layers; l++) {
    const rec = quantLayer(layersPtr, l);
    w = max(w, max(rec.fanIn, rec.fanOut));
  }
  return round4(w);
}

// Scratch bytes forwardRows needs for a network whose widest layer is width: two chunks of
// quantized rows as i16, the chunk's f32 row buffer, a widened group of weights, two sets of scales.
export function quantScratchBytes(width: i32): i32 {
  return round4(width) * (CHUNK * 8 + 8) + CHUNK * 8;
}

// Multiply-adds of one row through the network at layersPtr (parallel.ts weighs a split by them).
export function macsPerRow(layersPtr: usize, layers: i32): f64 {
  let macs: f64 = 0;
  for (let l = 0; l < layers; l++) {
    const rec = quantLayer(layersPtr, l);
    macs += <f64>rec.fanIn * <f64>rec.fanOut;
  }
  return macs;
}

// Y[rows × n_L] = the quantized network at layersPtr (layers records) applied to X[rows × k_0]
// (f32, row-major), CHUNK rows at a time through every layer; scratchPtr holds quantScratchBytes of
// the widest layer (16-byte aligned). Each row's outputs depend on that row alone.
export function forwardRows(layersPtr: usize, layers: i32, xPtr: usize, rows: i32, yPtr: usize, scratchPtr: usize): void {
  const width = widest(layersPtr, layers);
  const xs = <usize>width << 1, rs = <usize>width << 2;
  let actIn = scratchPtr, actOut = actIn + xs * CHUNK;
  const rowBuf = actOut + xs * CHUNK, panel = rowBuf + rs * CHUNK;
  let sxIn = panel + (<usize>width << 3), sxOut = sxIn + (<usize>CHUNK << 2);
  const first = quantLayer(layersPtr, 0);
  const k0 = first.fanIn;
  const nL = quantLayer(layersPtr, layers - 1).fanOut;
  for (let r0 = 0; r0 < rows; r0 += CHUNK) {
    const m = min(CHUNK, rows - r0);
    let narrow = quantizeBlock(xPtr + (<usize>(r0 * k0) << 2), <usize>k0 << 2, k0, m, first, actIn, xs, round4(k0), sxIn);
    for (let l = 0; l < layers; l++) {
      const rec = quantLayer(layersPtr, l);
      const n = rec.fanOut, np = round4(n);
      layerChunk(actIn, xs, sxIn, m, rec.packed, round4(rec.fanIn), np, narrow, rowBuf, rs, panel);
      for (let r = 0; r < m; r++) activateRow(rec.act, rec.p0, rec.p1, rowBuf + <usize>r * rs, n, np);
      if (l == layers - 1) break;
      narrow = quantizeBlock(rowBuf, rs, np, m, quantLayer(layersPtr, l + 1), actOut, xs, np, sxOut);
      const t = actIn; actIn = actOut; actOut = t;
      const s = sxIn; sxIn = sxOut; sxOut = s;
    }
    for (let r = 0; r < m; r++) memory.copy(yPtr + (<usize>((r0 + r) * nL) << 2), rowBuf + <usize>r * rs, <usize>nL << 2);
  }
}
