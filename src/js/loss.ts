// The 'js' twin of assembly/loss.ts.
import type { MemoryViews } from '../abi/descriptor.js';
import { ACT, LOSS, lossScale } from '../abi/kinds.js';

/**
 * Σ of the per-value loss terms of `count` outputs y[y0…] against targets t[t0…], unscaled: the
 * twin's lossSum, and the quantized network's loss over its outputs (src/runtime/quantized.ts).
 */
export function lossTerms(
  loss: number,
  y: Float32Array,
  y0: number,
  t: Float32Array,
  t0: number,
  count: number,
): number {
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const yi = y[y0 + i]!,
      ti = t[t0 + i]!;
    if (loss === LOSS.sse || loss === LOSS.mse) sum += (yi - ti) * (yi - ti);
    else if (loss === LOSS['binary-cross-entropy']) {
      const yc = Math.min(Math.max(yi, 1e-12), 1 - 1e-12);
      sum -= ti * Math.log(yc) + (1 - ti) * Math.log(1 - yc);
    } else if (ti !== 0) sum -= ti * Math.log(Math.max(yi, 1e-30));
  }
  return sum;
}

export function lossKernels(
  heap: MemoryViews,
  activationGrad: (kind: number, p0: number, yPtr: number, dPtr: number, count: number) => void,
) {
  // Σ of the per-value loss terms, unscaled
  function lossSum(loss: number, yPtr: number, tPtr: number, rows: number, cols: number): number {
    return lossTerms(loss, heap.f32, yPtr >>> 2, heap.f32, tPtr >>> 2, rows * cols);
  }

  // D = dE/ds of the output layer
  function outputDelta(
    loss: number,
    act: number,
    p0: number,
    yPtr: number,
    tPtr: number,
    dPtr: number,
    rows: number,
    cols: number,
  ): void {
    const f = heap.f32;
    const y0 = yPtr >>> 2,
      t0 = tPtr >>> 2,
      d0 = dPtr >>> 2,
      count = rows * cols;
    const scale = lossScale(loss, rows, cols);
    if (loss === LOSS['cross-entropy'] && act === ACT.softmax) {
      for (let r = 0; r < rows; r++) {
        const row = r * cols;
        let tSum = 0;
        for (let j = 0; j < cols; j++) tSum += f[t0 + row + j]!;
        for (let j = 0; j < cols; j++) f[d0 + row + j] = (f[y0 + row + j]! * tSum - f[t0 + row + j]!) * scale;
      }
      return;
    }
    if (loss === LOSS['binary-cross-entropy'] && act === ACT.sigmoid) {
      for (let i = 0; i < count; i++) f[d0 + i] = (f[y0 + i]! - f[t0 + i]!) * scale * p0;
      return;
    }
    if (loss === LOSS.sse || loss === LOSS.mse) {
      for (let i = 0; i < count; i++) f[d0 + i] = 2 * scale * (f[y0 + i]! - f[t0 + i]!);
    } else {
      for (let i = 0; i < count; i++) {
        const y = Math.min(Math.max(f[y0 + i]!, 1e-7), 1 - 1e-7),
          t = f[t0 + i]!;
        f[d0 + i] = (loss === LOSS['binary-cross-entropy'] ? (y - t) / (y * (1 - y)) : -t / y) * scale;
      }
    }
    if (act === ACT.softmax) {
      for (let r = 0; r < rows; r++) {
        const row = r * cols;
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += f[d0 + row + j]! * f[y0 + row + j]!;
        for (let j = 0; j < cols; j++) f[d0 + row + j] = f[y0 + row + j]! * (f[d0 + row + j]! - dot);
      }
    } else {
      activationGrad(act, p0, yPtr, dPtr, count);
    }
  }

  return { lossSum, outputDelta };
}
