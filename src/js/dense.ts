// The 'js' twin of assembly/dense.ts: same names, same signatures, plain loops over Float32Array.
import type { MemoryViews } from '../abi/descriptor.js';

export function denseKernels(heap: MemoryViews) {
  // Y[m×n] = X[m×k] · W[k×n] (+ b[n] on every row when bPtr != 0)
  function matmul(xPtr: number, wPtr: number, bPtr: number, yPtr: number, m: number, k: number, n: number): void {
    const f = heap.f32;
    const x0 = xPtr >>> 2,
      w0 = wPtr >>> 2,
      b0 = bPtr >>> 2,
      y0 = yPtr >>> 2;
    for (let i = 0; i < m; i++) {
      const yRow = y0 + i * n,
        xRow = x0 + i * k;
      if (bPtr) for (let j = 0; j < n; j++) f[yRow + j] = f[b0 + j]!;
      else f.fill(0, yRow, yRow + n);
      for (let p = 0; p < k; p++) {
        const a = f[xRow + p]!;
        const wRow = w0 + p * n;
        for (let j = 0; j < n; j++) f[yRow + j] = f[yRow + j]! + a * f[wRow + j]!;
      }
    }
  }

  // Y[m×k] = D[m×n] · Wᵀ, W being k×n (scratch is unused here: rows of W are already contiguous)
  function matmulTransB(
    dPtr: number,
    wPtr: number,
    yPtr: number,
    m: number,
    n: number,
    k: number,
    _scratchPtr: number,
  ): void {
    const f = heap.f32;
    const d0 = dPtr >>> 2,
      w0 = wPtr >>> 2,
      y0 = yPtr >>> 2;
    for (let i = 0; i < m; i++) {
      const dRow = d0 + i * n;
      for (let p = 0; p < k; p++) {
        const wRow = w0 + p * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += f[dRow + j]! * f[wRow + j]!;
        f[y0 + i * k + p] = s;
      }
    }
  }

  // G[k×n] = Xᵀ · D (X m×k, D m×n), or G += Xᵀ · D when accumulate != 0
  function matmulTransA(
    xPtr: number,
    dPtr: number,
    gPtr: number,
    m: number,
    k: number,
    n: number,
    accumulate: number,
  ): void {
    const f = heap.f32;
    const x0 = xPtr >>> 2,
      d0 = dPtr >>> 2,
      g0 = gPtr >>> 2;
    if (!accumulate) f.fill(0, g0, g0 + k * n);
    for (let i = 0; i < m; i++) {
      const xRow = x0 + i * k,
        dRow = d0 + i * n;
      for (let p = 0; p < k; p++) {
        const a = f[xRow + p]!;
        const gRow = g0 + p * n;
        for (let j = 0; j < n; j++) f[gRow + j] = f[gRow + j]! + a * f[dRow + j]!;
      }
    }
  }

  // b[n] = Σ_i D[i, :]
  function columnSums(dPtr: number, bPtr: number, m: number, n: number): void {
    const f = heap.f32;
    const d0 = dPtr >>> 2,
      b0 = bPtr >>> 2;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += f[d0 + i * n + j]!;
      f[b0 + j] = s;
    }
  }

  return { matmul, matmulTransB, matmulTransA, columnSums };
}
