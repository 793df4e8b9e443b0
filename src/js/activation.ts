// The 'js' twin of assembly/activation.ts.
import type { MemoryViews } from '../abi/descriptor.js';
import { ACT } from '../abi/kinds.js';

export function activationKernels(heap: MemoryViews) {
  // y = exp(x) for count elements
  function vexp(xPtr: number, yPtr: number, count: number): void {
    const f = heap.f32;
    const x0 = xPtr >>> 2,
      y0 = yPtr >>> 2;
    for (let i = 0; i < count; i++) f[y0 + i] = Math.exp(f[x0 + i]!);
  }

  // Y = f(S) in place on rows×cols values; softmax row by row, max-subtracted
  function activate(kind: number, p0: number, p1: number, yPtr: number, rows: number, cols: number): void {
    const f = heap.f32;
    const y0 = yPtr >>> 2,
      count = rows * cols;
    switch (kind) {
      case ACT.sigmoid:
        for (let i = y0; i < y0 + count; i++) f[i] = 1 / (1 + Math.exp(-p0 * (f[i]! - p1)));
        break;
      case ACT.tanh:
        // 1 − 2/(e^(2s) + 1): one Math.exp, cheaper than Math.tanh, and Math.tanh's float32 bits (the
        // tests); below |s| = 1e-4, where it would cancel, s·(1 − s²/3) (error s⁵·2/15)
        for (let i = y0; i < y0 + count; i++) {
          const s = f[i]!;
          f[i] = s > 1e-4 || s < -1e-4 ? 1 - 2 / (Math.exp(2 * s) + 1) : s * (1 - (s * s) / 3);
        }
        break;
      case ACT.relu:
        for (let i = y0; i < y0 + count; i++) if (f[i]! < 0) f[i] = 0;
        break;
      case ACT['leaky-relu']:
        for (let i = y0; i < y0 + count; i++) if (f[i]! < 0) f[i] = p0 * f[i]!;
        break;
      case ACT.softmax:
        for (let r = 0; r < rows; r++) {
          const row = y0 + r * cols;
          let max = f[row]!;
          for (let j = 1; j < cols; j++) if (f[row + j]! > max) max = f[row + j]!;
          let sum = 0;
          for (let j = 0; j < cols; j++) {
            const e = Math.exp(f[row + j]! - max);
            f[row + j] = e;
            sum += e;
          }
          for (let j = 0; j < cols; j++) f[row + j] = f[row + j]! / sum;
        }
        break;
    }
  }

  // D ⊙= f'(Y) on count values
  function activationGrad(kind: number, p0: number, yPtr: number, dPtr: number, count: number): void {
    const f = heap.f32;
    const y0 = yPtr >>> 2,
      d0 = dPtr >>> 2;
    switch (kind) {
      case ACT.sigmoid:
        for (let i = 0; i < count; i++) {
          const y = f[y0 + i]!;
          f[d0 + i] = f[d0 + i]! * p0 * y * (1 - y);
        }
        break;
      case ACT.tanh:
        for (let i = 0; i < count; i++) {
          const y = f[y0 + i]!;
          f[d0 + i] = f[d0 + i]! * (1 - y * y);
        }
        break;
      case ACT.relu:
        for (let i = 0; i < count; i++) if (!(f[y0 + i]! > 0)) f[d0 + i] = 0;
        break;
      case ACT['leaky-relu']:
        for (let i = 0; i < count; i++) if (!(f[y0 + i]! > 0)) f[d0 + i] = f[d0 + i]! * p0;
        break;
    }
  }

  return { vexp, activate, activationGrad };
}
