// The dense layer's matrix products and its bias gradient (f32, row-major, byte pointers), name
// for name the kernels of src/js/dense.ts. How a product is blocked and packed is gemm.ts's part;
// how it is shared among threads (useThreads), parallel.ts's.
import { INIT_LOAD, INIT_ZERO } from './gemm';
import { parallelMatmul, parallelTransA, parallelTransB } from './parallel';

// Y[m×n] = X[m×k]·W[k×n] (+ b broadcast over rows when bPtr != 0).
export function matmul(xPtr: usize, wPtr: usize, bPtr: usize, yPtr: usize, m: i32, k: i32, n: i32): void {
  parallelMatmul(xPtr, wPtr, bPtr, yPtr, m, k, n);
}

// Y[m×k] = D[m×n]·Wᵀ (W is k×n): the error terms one layer back; scratch has room for 8·n floats.
export function matmulTransB(dPtr: usize, wPtr: usize, yPtr: usize, m: i32, n: i32, k: i32, scratchPtr: usize): void {
  parallelTransB(dPtr, wPtr, yPtr, m, n, k, scratchPtr);
}

// G[k×n] = Xᵀ·D (X is m×k, D is m×n): the weight gradient, or G += Xᵀ·D when accumulate != 0.
export function matmulTransA(xPtr: usize, dPtr: usize, gPtr: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  parallelTransA(xPtr, dPtr, gPtr, m, k, n, accumulate != 0 ? INIT_LOAD : INIT_ZERO);
}

// b[n] = Σ_i D[i, :], the bias gradient (column sums of the error terms).
export function columnSums(dPtr: usize, bPtr: usize, m: i32, n: i32): void {
  const n4 = n & ~3;
  memory.fill(bPtr, 0, <usize>n << 2);
  for (let i = 0; i < m; i++) {
    const dRow = dPtr + (<usize>(i * n) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(bPtr + o, f32x4.add(v128.load(bPtr + o), v128.load(dRow + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(bPtr + o, load<f32>(bPtr + o) + load<f32>(dRow + o));
    }
  }
}
