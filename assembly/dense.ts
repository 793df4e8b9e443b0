// Dense matrix products of backpropagation, f32 row-major, pointers in bytes, sizes in elements.
// (Placeholder straightforward SIMD version; the register-blocked kernels replace it.)

// Y[m×n] = X[m×k] · W[k×n] (+ b[n] on every row when bPtr != 0). Forward pass of a dense layer.
export function matmul(xPtr: usize, wPtr: usize, bPtr: usize, yPtr: usize, m: i32, k: i32, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const yRow = yPtr + (<usize>(i * n) << 2);
    const xRow = xPtr + (<usize>(i * k) << 2);
    for (let j = 0; j < n; j++) store<f32>(yRow + (<usize>j << 2), bPtr ? load<f32>(bPtr + (<usize>j << 2)) : 0);
    for (let p = 0; p < k; p++) {
      const a = load<f32>(xRow + (<usize>p << 2));
      const av = f32x4.splat(a);
      const wRow = wPtr + (<usize>(p * n) << 2);
      let j = 0;
      for (; j < n4; j += 4) {
        const o = <usize>j << 2;
        v128.store(yRow + o, f32x4.add(v128.load(yRow + o), f32x4.mul(av, v128.load(wRow + o))));
      }
      for (; j < n; j++) {
        const o = <usize>j << 2;
        store<f32>(yRow + o, load<f32>(yRow + o) + a * load<f32>(wRow + o));
      }
    }
  }
}

// Y[m×k] = D[m×n] · Wᵀ, W being k×n. Error terms carried back to the previous layer.
export function matmulTransB(dPtr: usize, wPtr: usize, yPtr: usize, m: i32, n: i32, k: i32, scratchPtr: usize): void {
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const dRow = dPtr + (<usize>(i * n) << 2);
    for (let p = 0; p < k; p++) {
      const wRow = wPtr + (<usize>(p * n) << 2);
      let acc = f32x4.splat(0);
      let j = 0;
      for (; j < n4; j += 4) {
        const o = <usize>j << 2;
        acc = f32x4.add(acc, f32x4.mul(v128.load(dRow + o), v128.load(wRow + o)));
      }
      let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; j < n; j++) s += load<f32>(dRow + (<usize>j << 2)) * load<f32>(wRow + (<usize>j << 2));
      store<f32>(yPtr + (<usize>(i * k + p) << 2), s);
    }
  }
}

// G[k×n] = Xᵀ · D (X m×k, D m×n), or G += Xᵀ · D when accumulate != 0. Weight gradient.
export function matmulTransA(xPtr: usize, dPtr: usize, gPtr: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  const n4 = n & ~3;
  if (!accumulate) memory.fill(gPtr, 0, <usize>(k * n) << 2);
  for (let i = 0; i < m; i++) {
    const dRow = dPtr + (<usize>(i * n) << 2);
    const xRow = xPtr + (<usize>(i * k) << 2);
    for (let p = 0; p < k; p++) {
      const a = load<f32>(xRow + (<usize>p << 2));
      const av = f32x4.splat(a);
      const gRow = gPtr + (<usize>(p * n) << 2);
      let j = 0;
      for (; j < n4; j += 4) {
        const o = <usize>j << 2;
        v128.store(gRow + o, f32x4.add(v128.load(gRow + o), f32x4.mul(av, v128.load(dRow + o))));
      }
      for (; j < n; j++) {
        const o = <usize>j << 2;
        store<f32>(gRow + o, load<f32>(gRow + o) + a * load<f32>(dRow + o));
      }
    }
  }
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
