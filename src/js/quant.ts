// The 'js' twin of assembly/quant.ts: the quantized kernels, name for name, in plain loops. The
// arithmetic is defined there (and in docs/quantization.md); integer sums are exact here too (a
// float64 holds any i32 sum), and every float step is rounded to float32 as the Wasm builds round it.
import { quantLayerView, type MemoryViews } from '../abi/descriptor.js';
import type { QuantKernels } from '../abi/kernels.js';
import { activateRowQuant, roundHalfEven } from './quant-activation.js';

const f32 = Math.fround;
/** The smallest range a row quantizes against, 2^−100. */
export const RANGE_FLOOR = 2 ** -100;
const round4 = (n: number): number => (n + 3) & ~3;

/** clamp(roundHalfEven(t), −127, 127) of a float32 t; NaN gives 127 (as the Wasm builds' clamp). */
function clampRound(t: number): number {
  const r = roundHalfEven(t);
  return r < 127 ? (r > -127 ? r : -127) : 127;
}

/** The range a row quantizes against: its largest |x| (NaN skipped) or the calibrated range, floored. */
function rowRange(f: Float32Array, at: number, count: number, range: number): number {
  let m = 0;
  if (range > 0) m = range;
  else
    for (let i = at; i < at + count; i++) {
      const a = Math.abs(f[i]!);
      if (m < a) m = a;
    }
  return m < RANGE_FLOOR ? RANGE_FLOOR : m;
}

/** The quantized kernels of the Wasm ABI (assembly/quant.ts) for the 'js' engine. */
export function quantKernels(heap: MemoryViews): QuantKernels {
  const i8 = (): Int8Array => new Int8Array(heap.u8.buffer);

  /** Quantizes count floats of f from `at` into out (zeros beyond count); returns the row's scale. */
  function quantizeRow(f: Float32Array, at: number, count: number, range: number, out: Int32Array): number {
    const m = rowRange(f, at, count, range);
    const inv = f32(127 / m);
    for (let i = 0; i < count; i++) out[i] = clampRound(f32(f[at + i]! * inv));
    out.fill(0, count);
    return f32(m / 127);
  }

  function quantizeRows(xPtr: number, rows: number, cols: number, range: number, qPtr: number, scalePtr: number): void {
    const f = heap.f32,
      q = i8(),
      row = new Int32Array(cols);
    for (let r = 0; r < rows; r++) {
      f[(scalePtr >>> 2) + r] = quantizeRow(f, (xPtr >>> 2) + r * cols, cols, range, row);
      q.set(row, qPtr + r * cols);
    }
  }

  const quantScratchBytes = (width: number): number => round4(width) * 520 + 512;

  /**
   * One layer on one quantized row x (kp values, zeros past fanIn) with scale sx: s_j =
   * ((f32(S_j)·sx)·sw_j) + b_j into out[0, n), S_j summed over the packed groups of 4 columns.
   */
  function layerRow(
    x: Int32Array,
    sx: number,
    q: Int8Array,
    f: Float32Array,
    packed: number,
    kp: number,
    n: number,
    out: Float32Array,
  ): void {
    const np = round4(n),
      sw = (packed + kp * np) >>> 2,
      b = sw + np;
    for (let g = 0; g * 4 < n; g++) {
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      for (let i = 0, p = packed + g * kp * 4; i < kp; i += 4, p += 16) {
        const x0 = x[i]!,
          x1 = x[i + 1]!,
          x2 = x[i + 2]!,
          x3 = x[i + 3]!;
        a0 += q[p]! * x0 + q[p + 1]! * x1 + q[p + 2]! * x2 + q[p + 3]! * x3;
        a1 += q[p + 4]! * x0 + q[p + 5]! * x1 + q[p + 6]! * x2 + q[p + 7]! * x3;
        a2 += q[p + 8]! * x0 + q[p + 9]! * x1 + q[p + 10]! * x2 + q[p + 11]! * x3;
        a3 += q[p + 12]! * x0 + q[p + 13]! * x1 + q[p + 14]! * x2 + q[p + 15]! * x3;
      }
      const sums = [a0, a1, a2, a3];
      for (let c = 0; c < 4 && g * 4 + c < n; c++) {
        const j = g * 4 + c;
        out[j] = f32(f32(f32(f32(sums[c]!) * sx) * f[sw + j]!) + f[b + j]!);
      }
    }
  }

  /** One row at a time through every layer, on the calling thread whatever `threads` says. */
  function quantForward(
    layersPtr: number,
    layers: number,
    xPtr: number,
    rows: number,
    yPtr: number,
    _scratchPtr: number,
    _threads: number,
  ): void {
    const f = heap.f32,
      q = i8();
    const recs = Array.from({ length: layers }, (_, l) => quantLayerView(heap, layersPtr, l));
    let width = 0;
    for (const rec of recs) width = Math.max(width, rec.fanIn, rec.fanOut);
    const x = new Int32Array(round4(width)),
      s = new Float32Array(round4(width));
    const k0 = recs[0]!.fanIn,
      nL = recs[layers - 1]!.fanOut;
    for (let r = 0; r < rows; r++) {
      let sx = quantizeRow(f, (xPtr >>> 2) + r * k0, k0, recs[0]!.range, x);
      for (let l = 0; l < layers; l++) {
        const rec = recs[l]!,
          n = rec.fanOut;
        layerRow(x, sx, q, f, rec.packed, round4(rec.fanIn), n, s);
        activateRowQuant(rec.act, rec.p0, rec.p1, s, 0, n);
        if (l < layers - 1) sx = quantizeRow(s, 0, n, recs[l + 1]!.range, x);
      }
      f.set(s.subarray(0, nL), (yPtr >>> 2) + r * nL);
    }
  }

  return { quantizeRows, quantScratchBytes, quantForward };
}
