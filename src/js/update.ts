// The 'js' twin of assembly/update.ts.
import type { MemoryViews } from '../abi/descriptor.js';
import { OPT } from '../abi/kinds.js';

export function updateKernels(heap: MemoryViews) {
  // Σ g²
  function sumSquares(gPtr: number, count: number): number {
    const f = heap.f32;
    const g0 = gPtr >>> 2;
    let sum = 0;
    for (let i = g0; i < g0 + count; i++) sum += f[i]! * f[i]!;
    return sum;
  }

  // One optimizer step (formulas in assembly/update.ts); momentum and Nesterov keep their velocity in slot m
  function applyUpdate(
    opt: number,
    wPtr: number,
    gPtr: number,
    mPtr: number,
    vPtr: number,
    count: number,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    decay: number,
    gradScale: number,
    c1: number,
    c2: number,
  ): void {
    const f = heap.f32;
    const w0 = wPtr >>> 2,
      g0 = gPtr >>> 2,
      m0 = mPtr >>> 2,
      v0 = vPtr >>> 2;
    if (opt === OPT.sgd) {
      for (let i = 0; i < count; i++) {
        const w = f[w0 + i]!;
        f[w0 + i] = w - lr * (f[g0 + i]! * gradScale + decay * w);
      }
    } else if (opt === OPT.adam) {
      const lrc = Math.fround(lr / c1),
        ic2 = Math.fround(1 / c2);
      for (let i = 0; i < count; i++) {
        const w = f[w0 + i]!;
        const g = f[g0 + i]! * gradScale + decay * w;
        const m = beta1 * f[m0 + i]! + (1 - beta1) * g;
        const v = beta2 * f[v0 + i]! + (1 - beta2) * g * g;
        f[m0 + i] = m;
        f[v0 + i] = v;
        f[w0 + i] = w - (lrc * m) / (Math.sqrt(v * ic2) + epsilon);
      }
    } else {
      const nesterov = opt === OPT.nesterov;
      for (let i = 0; i < count; i++) {
        const w = f[w0 + i]!;
        const g = f[g0 + i]! * gradScale + decay * w;
        const velocity = beta1 * f[m0 + i]! + g;
        f[m0 + i] = velocity;
        f[w0 + i] = w - lr * (nesterov ? g + beta1 * velocity : velocity);
      }
    }
  }

  return { sumSquares, applyUpdate };
}
