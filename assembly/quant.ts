// Quantized inference: int8 weights with one scale per output neuron, activations quantized per
// row, integer products, then float. The arithmetic (docs/quantization.md; src/js/quant.ts is the
// twin, step for step):
// - weights, once: m = max_k |W[k][j]|; sw[j] = f32(m / 127) and Wq = clamp(roundHalfEven(W·(127 / m)),
//   −127, 127) in float64; a zero column has sw = 1 and Wq = 0.
// - a layer's input row x, per row: m = max(max_k |x[k]|, 2^−100) in f32, or max(range, 2^−100) for a
//   layer with a calibrated range; sx = m / 127, inv = 127 / m, q = clamp(roundHalfEven(x·inv),
//   −127, 127), each an f32 operation (a NaN x gives q = 0). The floor keeps inv finite, and a zero
//   row quantizes to zeros whatever its scale.
// - S = Σ_k q[k]·Wq[k][j] exactly in i32, then s = ((f32(S)·sx)·sw[j]) + b[j] (b = 0 without a bias),
//   then the activation in f32 steps without fused multiply-adds (quant-activation.ts).
// Each of these steps is an ONNX operator's (Abs, ReduceMax, Max, Div, Mul, Round, Clip, Cast,
// MatMulInteger, Add), so an exported graph can give the same bits up to the activation.
import { tileWide4x4, tileWide1x8, tileWide1x4, tileNarrow4x8, tileNarrow4x4, tileNarrow1x16, tileNarrow1x4 } from './quant-dot';
import { activateRow } from './quant-activation';

// A quantized network is an array of layer records of QUANT_LAYER_WORDS 32-bit words
// (src/js/quant-layout.ts mirrors these): sizes, the activation, the packed block, the input range.
export const QUANT_LAYER_WORDS: i32 = 8;
const Q_FAN_IN = 0, Q_FAN_OUT = 1, Q_ACT = 2, Q_P0 = 3, Q_P1 = 4, Q_PACKED = 5, Q_RANGE = 6;

// The smallest range a row quantizes against (2^−100): 127 / m stays finite.
const RANGE_FLOOR: f32 = reinterpret<f32>(0x0D800000);
// Rows per block: the forward runs every layer on 4 rows at a time (the tiles' height).
const BLOCK: i32 = 4;

// @ts-ignore: decorator
@inline function round4(n: i32): i32 { return (n + 3) & ~3; }

// ---- weights ----

// Quantizes W[k×n] (f32, row-major) to qPtr (int8, k×n, row-major) and scalePtr (n f32), as defined
// above. Returns −1, or the first column holding a non-finite weight (then nothing is written).
export function quantizeWeights(wPtr: usize, k: i32, n: i32, qPtr: usize, scalePtr: usize): i32 {
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < k; i++) if (!isFinite(load<f32>(wPtr + (<usize>(i * n + j) << 2)))) return j;
  }
  for (let j = 0; j < n; j++) {
    let m: f32 = 0;
    for (let i = 0; i < k; i++) m = max(m, abs(load<f32>(wPtr + (<usize>(i * n + j) << 2))));
    store<f32>(scalePtr + (<usize>j << 2), m > 0 ? m / 127 : 1);
    const factor: f64 = m > 0 ? 127 / <f64>m : 0;
    for (let i = 0; i < k; i++) {
      const r = nearest<f64>(<f64>load<f32>(wPtr + (<usize>(i * n + j) << 2)) * factor);
      store<i8>(qPtr + <usize>(i * n + j), <i8>max<f64>(-127, min<f64>(127, r)));
    }
  }
  return -1;
}

// Bytes of a layer's packed block: Kp×Np int8 weights, then Np scales and Np biases (f32), where
// Kp and Np are k and n rounded up to multiples of 4.
export function quantPackedBytes(k: i32, n: i32): i32 {
  const np = round4(n);
  return round4(k) * np + (np << 3);
}

// Packs a layer for the tiles: int8 Wq[k×n] (row-major) into groups of 4 columns, each group
// [Kp/4][4 columns][4 steps], zeros beyond k and n; then the scales and the biases (bPtr 0: zeros),
// padded with zeros to Np. packedPtr is 16-byte aligned and holds quantPackedBytes(k, n).
export function quantPack(qPtr: usize, scalePtr: usize, bPtr: usize, k: i32, n: i32, packedPtr: usize): void {
  const kp = round4(k), np = round4(n);
  memory.fill(packedPtr, 0, <usize>quantPackedBytes(k, n));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) {
      const at = <usize>((j >> 2) * kp * 4 + (i >> 2) * 16 + (j & 3) * 4 + (i & 3));
      store<i8>(packedPtr + at, load<i8>(qPtr + <usize>(i * n + j)));
    }
  }
  const tail = packedPtr + <usize>(kp * np);
  memory.copy(tail, scalePtr, <usize>n << 2);
  if (bPtr) memory.copy(tail + (<usize>np << 2), bPtr, <usize>n << 2);
}

// ---- rows ----

// max |x| over count floats (NaN ignored), floored at RANGE_FLOOR; or range when it is > 0. Sets
// negative when a value is below zero (the narrow tiles need inputs in [0, 127]).
let negative = false;
function rowRange(x: usize, count: i32, range: f32): f32 {
  let m = f32x4.splat(0), neg = m;
  const zero = m, c4 = count & ~3;
  let i = 0;
  for (; i < c4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    m = f32x4.pmax(m, f32x4.abs(v));
    neg = v128.or(neg, f32x4.lt(v, zero));
  }
  for (; i < count; i++) {
    const v = f32x4.splat(load<f32>(x + (<usize>i << 2)));
    m = f32x4.pmax(m, f32x4.abs(v));
    neg = v128.or(neg, f32x4.lt(v, zero));
  }
  if (v128.any_true(neg)) negative = true;
  const r = range > 0 ? range
    : max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  return r < RANGE_FLOOR ? RANGE_FLOOR : r;
}

// clamp(roundHalfEven(x·inv), −127, 127) lane-wise as i32 (NaN → 0 by the saturating conversion).
// @ts-ignore: decorator
@inline function quantize4(x: v128, inv: v128): v128 {
  const q = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(x, inv)));
  return i32x4.min_s(i32x4.max_s(q, i32x4.splat(-127)), i32x4.splat(127));
}

// Quantizes count floats at x with inv into dst: int8 (narrow) or i16, then zeros up to padTo.
function quantizeRowInto(x: usize, count: i32, inv: f32, dst: usize, padTo: i32, narrow: bool): void {
  const vinv = f32x4.splat(inv), c4 = count & ~3;
  let i = 0;
  for (; i < c4; i += 4) {
    const q = quantize4(v128.load(x + (<usize>i << 2)), vinv);
    const h = i16x8.narrow_i32x4_s(q, q);
    if (narrow) v128.store32_lane(dst + <usize>i, i8x16.narrow_i16x8_s(h, h), 0);
    else v128.store64_lane(dst + (<usize>i << 1), h, 0);
  }
  for (; i < count; i++) {
    const q = i32x4.extract_lane(quantize4(f32x4.splat(load<f32>(x + (<usize>i << 2))), vinv), 0);
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
// Returns whether the block takes the narrow tiles (relaxed build, no negative value).
function quantizeBlock(src: usize, srcStride: usize, count: i32, rows: i32, range: f32, dst: usize, dstStride: usize, padTo: i32, sxPtr: usize): bool {
  negative = false;
  for (let r = 0; r < rows; r++) store<f32>(sxPtr + (<usize>r << 2), rowRange(src + <usize>r * srcStride, count, range));
  const narrow = ASC_FEATURE_RELAXED_SIMD && !negative;
  for (let r = 0; r < rows; r++) {
    const m = load<f32>(sxPtr + (<usize>r << 2));
    store<f32>(sxPtr + (<usize>r << 2), m / 127);
    quantizeRowInto(src + <usize>r * srcStride, count, <f32>127 / m, dst + <usize>r * dstStride, padTo, narrow);
  }
  return narrow;
}

// ---- the forward ----

// One layer on `rows` (1 to 4) quantized input rows: the tiles write s to the f32 row buffer out
// (rows rs bytes apart, Np columns). x rows are xs bytes apart, sxPtr their scales.
function layerBlock(x: usize, xs: usize, sxPtr: usize, rows: i32, packed: usize, kp: i32, np: i32, narrow: bool, out: usize, rs: usize): void {
  const quads = kp >> 2, gs = <usize>kp << 2, groups = np >> 2;
  const sw = packed + <usize>(kp * np), b = sw + (<usize>np << 2);
  if (rows == BLOCK) {
    let g = 0;
    if (ASC_FEATURE_RELAXED_SIMD && narrow) {
      for (; g + 2 <= groups; g += 2) {
        const c = <usize>g << 4;
        tileNarrow4x8(x, xs, packed + <usize>g * gs, gs, quads, sxPtr, sw + c, b + c, out + c, rs);
      }
      if (g < groups) tileNarrow4x4(x, xs, packed + <usize>g * gs, quads, sxPtr, sw + (<usize>g << 4), b + (<usize>g << 4), out + (<usize>g << 4), rs);
    } else {
      for (; g < groups; g++) {
        const c = <usize>g << 4;
        tileWide4x4(x, xs, packed + <usize>g * gs, quads, sxPtr, sw + c, b + c, out + c, rs);
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * xs, sr = sxPtr + (<usize>r << 2), o = out + <usize>r * rs;
    let g = 0;
    if (ASC_FEATURE_RELAXED_SIMD && narrow) {
      for (; g + 4 <= groups; g += 4) {
        const c = <usize>g << 4;
        tileNarrow1x16(xr, packed + <usize>g * gs, gs, quads, sr, sw + c, b + c, o + c);
      }
      for (; g < groups; g++) {
        const c = <usize>g << 4;
        tileNarrow1x4(xr, packed + <usize>g * gs, quads, sr, sw + c, b + c, o + c);
      }
    } else {
      for (; g + 2 <= groups; g += 2) {
        const c = <usize>g << 4;
        tileWide1x8(xr, packed + <usize>g * gs, gs, quads, sr, sw + c, b + c, o + c);
      }
      if (g < groups) tileWide1x4(xr, packed + <usize>g * gs, quads, sr, sw + (<usize>g << 4), b + (<usize>g << 4), o + (<usize>g << 4));
    }
  }
}

// @ts-ignore: decorator
@inline function word(rec: usize, w: i32): i32 { return load<i32>(rec + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function wordF(rec: usize, w: i32): f32 { return load<f32>(rec + (<usize>w << 2)); }

// The widest layer of the network at layersPtr, rounded up to a multiple of 4.
function widest(layersPtr: usize, layers: i32): i32 {
  let w = 0;
  for (let l = 0; l < layers; l++) {
    const rec = layersPtr + (<usize>(l * QUANT_LAYER_WORDS) << 2);
    w = max(w, max(word(rec, Q_FAN_IN), word(rec, Q_FAN_OUT)));
  }
  return round4(w);
}

// Scratch bytes quantForward needs for a network whose widest layer is width (two blocks of
// quantized rows as i16, the f32 row buffer and two sets of row scales).
export function quantScratchBytes(width: i32): i32 {
  return round4(width) * BLOCK * 8 + 32;
}

// Y[rows × n_L] = the quantized network at layersPtr (layers records) applied to X[rows × k_0]
// (f32, row-major), 4 rows at a time through every layer; scratchPtr holds quantScratchBytes of
// the widest layer (16-byte aligned). Each row's outputs depend on that row alone.
export function quantForward(layersPtr: usize, layers: i32, xPtr: usize, rows: i32, yPtr: usize, scratchPtr: usize): void {
  const width = widest(layersPtr, layers);
  const xs = <usize>width << 1, rs = <usize>width << 2;
  let actIn = scratchPtr, actOut = actIn + xs * BLOCK;
  const rowBuf = actOut + xs * BLOCK;
  let sxIn = rowBuf + rs * BLOCK, sxOut = sxIn + 16;
  const first = layersPtr;
  const k0 = word(first, Q_FAN_IN);
  const last = layersPtr + (<usize>((layers - 1) * QUANT_LAYER_WORDS) << 2);
  const nL = word(last, Q_FAN_OUT);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const m = min(BLOCK, rows - r0);
    let narrow = quantizeBlock(xPtr + (<usize>(r0 * k0) << 2), <usize>k0 << 2, k0, m, wordF(first, Q_RANGE), actIn, xs, round4(k0), sxIn);
    for (let l = 0; l < layers; l++) {
      const rec = layersPtr + (<usize>(l * QUANT_LAYER_WORDS) << 2);
      const n = word(rec, Q_FAN_OUT), np = round4(n);
      layerBlock(actIn, xs, sxIn, m, <usize>word(rec, Q_PACKED), round4(word(rec, Q_FAN_IN)), np, narrow, rowBuf, rs);
      for (let r = 0; r < m; r++) activateRow(word(rec, Q_ACT), wordF(rec, Q_P0), wordF(rec, Q_P1), rowBuf + <usize>r * rs, n, np);
      if (l == layers - 1) break;
      const next = rec + (<usize>QUANT_LAYER_WORDS << 2);
      narrow = quantizeBlock(rowBuf, rs, np, m, wordF(next, Q_RANGE), actOut, xs, np, sxOut);
      const t = actIn; actIn = actOut; actOut = t;
      const s = sxIn; sxIn = sxOut; sxOut = s;
    }
    for (let r = 0; r < m; r++) memory.copy(yPtr + (<usize>((r0 + r) * nL) << 2), rowBuf + <usize>r * rs, <usize>nL << 2);
  }
}
