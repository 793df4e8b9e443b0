// Known-answer tests of every elementwise and product kernel of the ABI, on both engines, against
// float64 answers computed here; sizes that are and are not multiples of 4 (the SIMD tails), and
// canary values around every buffer so that a kernel writing outside its output is caught.
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../src/runtime/engine.js';
import { KERNEL_NAMES } from '../src/abi/kernels.js';
import { ACT, LOSS, OPT } from '../src/abi/kinds.js';
import { rng, randomF32 } from './helpers/random-data.js';
import {
  matmulRef,
  activateRef,
  derivativeFromY,
  type ActivationRef,
  type LossRef,
} from './helpers/float64-network.js';
import { U32, gamma, worstRatio } from './helpers/tolerance.js';
import { sameBits } from './helpers/bits.js';
import { ENGINES, engineOf } from './helpers/engines.js';

/** [kind, its engine], for describe.each */
const ENGINE_CASES = ENGINES.map((kind): [string, () => Engine] => [kind, () => engineOf(kind)]);
const SIZES = [1, 3, 4, 5, 7, 8, 13, 16, 32, 33];
const CANARY = Math.fround(-1234.5678);
const PAD = 8; // canary floats on each side of every buffer

/** Buffers in an engine's memory, each surrounded by canaries, all released after each test. */
class Arena {
  private blocks: { block: number; ptr: number; n: number }[] = [];
  constructor(readonly e: Engine) {}

  buf(values: ArrayLike<number> | number): number {
    const n = typeof values === 'number' ? values : values.length;
    const block = this.e.heap.alloc((n + 2 * PAD) * 4);
    const ptr = block + PAD * 4;
    const f = this.e.heap.f32;
    f.fill(CANARY, block >> 2, (block >> 2) + n + 2 * PAD);
    if (typeof values !== 'number') f.set(values, ptr >> 2);
    this.blocks.push({ block, ptr, n });
    return ptr;
  }

  read(ptr: number, n: number): Float32Array {
    return this.e.heap.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }

  /** Every canary is intact. */
  canariesIntact(): boolean {
    const f = this.e.heap.f32;
    for (const { ptr, n } of this.blocks) {
      const p = ptr >> 2;
      for (let i = 1; i <= PAD; i++) if (f[p - i] !== CANARY || f[p + n - 1 + i] !== CANARY) return false;
    }
    return true;
  }

  free(): void {
    for (const { block } of this.blocks) this.e.heap.release(block);
    this.blocks = [];
  }
}

const arenas: Arena[] = [];
function arena(e: Engine): Arena {
  const a = new Arena(e);
  arenas.push(a);
  return a;
}
afterEach(() => {
  for (const a of arenas.splice(0)) a.free();
});

/** Asserts every element within its tolerance, with a message naming the worst element. */
function expectWithin(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: (i: number) => number,
): void {
  const { ratio, index } = worstRatio(actual, expected, tol);
  expect(
    ratio,
    `${label}: element ${index} is ${actual[index]}, expected ${expected[index]} ± ${tol(Math.max(index, 0))}`,
  ).toBeLessThanOrEqual(1);
}

describe('the kernel list', () => {
  it('both engines implement every name in KERNEL_NAMES', () => {
    for (const [, get] of ENGINE_CASES) {
      const k = get().kernels as unknown as Record<string, unknown>;
      for (const name of KERNEL_NAMES) expect(typeof k[name], name).toBe('function');
    }
  });
});

describe.each(ENGINE_CASES)('hand-worked examples on %s', (_name, get) => {
  // small cases whose answers are exact in float32 (or known constants), worked out by hand
  const run = (fn: (a: Arena) => Float32Array): Float32Array => {
    const a = arena(get());
    const out = fn(a);
    expect(a.canariesIntact()).toBe(true);
    return out;
  };
  const k = () => get().kernels;

  it('products', () => {
    // [[1,2],[3,4]]·[[5,6],[7,8]] + [0.5, −1] = [[19.5, 21], [43.5, 49]]
    expect(
      Array.from(
        run((a) => {
          const y = a.buf(4);
          k().matmul(a.buf([1, 2, 3, 4]), a.buf([5, 6, 7, 8]), a.buf([0.5, -1]), y, 2, 2, 2);
          return a.read(y, 4);
        }),
      ),
    ).toEqual([19.5, 21, 43.5, 49]);
    // [1, 2]·Wᵀ with W = [[1,0],[0,1],[1,1]] = [1, 2, 3]
    expect(
      Array.from(
        run((a) => {
          const y = a.buf(3);
          k().matmulTransB(a.buf([1, 2]), a.buf([1, 0, 0, 1, 1, 1]), y, 1, 2, 3, a.buf(16));
          return a.read(y, 3);
        }),
      ),
    ).toEqual([1, 2, 3]);
    // [[1],[2]]ᵀ·[[3,4],[5,6]] = [13, 16]; accumulated onto [1, 1]: [14, 17]
    expect(
      Array.from(
        run((a) => {
          const g = a.buf(2);
          k().matmulTransA(a.buf([1, 2]), a.buf([3, 4, 5, 6]), g, 2, 1, 2, 0);
          return a.read(g, 2);
        }),
      ),
    ).toEqual([13, 16]);
    expect(
      Array.from(
        run((a) => {
          const g = a.buf([1, 1]);
          k().matmulTransA(a.buf([1, 2]), a.buf([3, 4, 5, 6]), g, 2, 1, 2, 1);
          return a.read(g, 2);
        }),
      ),
    ).toEqual([14, 17]);
    // column sums of [[1,2],[3,4],[5,6]] = [9, 12]
    expect(
      Array.from(
        run((a) => {
          const b = a.buf(2);
          k().columnSums(a.buf([1, 2, 3, 4, 5, 6]), b, 3, 2);
          return a.read(b, 2);
        }),
      ),
    ).toEqual([9, 12]);
  });

  it('activations', () => {
    const act = (kind: number, p0: number, p1: number, s: number[], rows = 1): number[] =>
      Array.from(
        run((a) => {
          const y = a.buf(s);
          k().activate(kind, p0, p1, y, rows, s.length / rows);
          return a.read(y, s.length);
        }),
      );
    // sigmoid is ½ at its threshold, whatever the gain
    expect(act(ACT.sigmoid, 1, 0, [0])[0]).toBeCloseTo(0.5, 7);
    expect(act(ACT.sigmoid, 2, 1, [1])[0]).toBeCloseTo(0.5, 7);
    expect(act(ACT.tanh, 0, 0, [0])).toEqual([0]);
    expect(act(ACT.relu, 0, 0, [-3, 2, 0])).toEqual([0, 2, 0]);
    expect(act(ACT['leaky-relu'], 0.25, 0, [-4, 2])).toEqual([-1, 2]);
    expect(act(ACT.linear, 0, 0, [-4, 2.5])).toEqual([-4, 2.5]);
    // softmax of equal values is uniform; of ln(1..4) it is (1..4)/10; row by row (2 rows of 4)
    for (const v of act(ACT.softmax, 0, 0, [0, 0, 0, 0])) expect(v).toBeCloseTo(0.25, 7);
    const sm = act(ACT.softmax, 0, 0, [Math.log(1), Math.log(2), Math.log(3), Math.log(4), 5, 5, 5, 5], 2);
    [0.1, 0.2, 0.3, 0.4].forEach((p, i) => expect(sm[i]).toBeCloseTo(p, 6));
    for (const v of sm.slice(4)) expect(v).toBeCloseTo(0.25, 7);
    // exp(0) = 1 exactly, exp(1) = e
    const e = Array.from(
      run((a) => {
        const y = a.buf(2);
        k().testExp(a.buf([0, 1]), y, 2);
        return a.read(y, 2);
      }),
    );
    expect(e[0]).toBe(1);
    expect(Math.abs(e[1]! - Math.E) / Math.E).toBeLessThan(1e-6);
  });

  it('losses, error terms, updates', () => {
    const a = arena(get());
    const y = a.buf([1, 2]),
      t = a.buf([0, 0]);
    expect(k().lossSum(LOSS.sse, y, t, 1, 2)).toBe(5); // 1² + 2²
    expect(k().lossSum(LOSS.mse, y, t, 1, 2)).toBe(5); // unscaled: the caller divides by rows·cols
    const d = a.buf(2);
    k().outputDelta(LOSS.sse, ACT.linear, 0, y, t, d, 1, 2);
    expect(Array.from(a.read(d, 2))).toEqual([2, 4]); // 2(y − t)
    k().outputDelta(LOSS.mse, ACT.linear, 0, y, t, d, 1, 2);
    expect(Array.from(a.read(d, 2))).toEqual([1, 2]); // 2(y − t)/(rows·cols)
    const p = a.buf([0.25, 0.75]),
      onehot = a.buf([0, 1]);
    k().outputDelta(LOSS['cross-entropy'], ACT.softmax, 0, p, onehot, d, 1, 2);
    expect(Array.from(a.read(d, 2))).toEqual([0.25, -0.25]); // y − t
    // SGD: 1 − 0.5·0.5 = 0.75
    const w = a.buf([1]),
      g = a.buf([0.5]);
    k().applyUpdate(OPT.sgd, w, g, 0, 0, 1, 0.5, 0.9, 0.999, 1e-8, 0, 1, 1, 1);
    expect(a.read(w, 1)[0]).toBe(0.75);
    // Adam's first step is lr·sign(g) (bias-corrected m/√v = g/|g|), up to ε
    const w2 = a.buf([1]),
      m = a.buf([0]),
      v = a.buf([0]);
    // after one step the bias corrections are c1 = 1 − β1, c2 = 1 − β2
    // (β as float32, as the descriptor holds it; 1 − β is then exact)
    k().applyUpdate(OPT.adam, w2, g, m, v, 1, 0.5, f(0.9), f(0.999), 1e-8, 0, 1, 1 - f(0.9), 1 - f(0.999));
    expect(Math.abs(a.read(w2, 1)[0]! - 0.5)).toBeLessThan(1e-6);
    expect(k().sumSquares(a.buf([3, 4]), 2)).toBe(25);
    expect(a.canariesIntact()).toBe(true);
  });
});

/**
 * Dense products. Tolerance: the classical bound for a float32 sum of n products in any order
 * (recursive, blocked or fused), |fl(Σ) − Σ| ≤ γ_n·Σ|terms| with γ_n = n·2^-24/(1 − n·2^-24); we
 * allow γ_{n+2} to cover the bias or accumulated start value and the final store.
 */
describe.each(ENGINE_CASES)('dense products on %s', (name, get) => {
  const triples: [number, number, number][] = [];
  for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) triples.push([m, k, n]);
  // shapes past the blocking of the Wasm GEMM (128-step k-blocks, 128/96-row blocks, 8-column panels)
  // and a 1024-float row stride (4 KiB, the cache-aliasing path), in every argument position
  const LARGE: [number, number, number][] = [
    [130, 257, 9],
    [200, 33, 131],
    [129, 130, 17],
    [97, 300, 12],
    [5, 20, 1024],
    [20, 5, 1024],
    [1024, 3, 5],
    [17, 129, 8],
  ];
  triples.push(...LARGE);

  it('matmul: Y = X·W (+ b), every m, k, n; inputs and surroundings untouched', () => {
    const e = get(),
      random = rng(1);
    for (const [m, k, n] of triples) {
      for (const withBias of [false, true]) {
        const a = arena(e);
        const x = randomF32(m * k, random),
          w = randomF32(k * n, random),
          b = randomF32(n, random);
        const xp = a.buf(x),
          wp = a.buf(w),
          bp = withBias ? a.buf(b) : 0,
          yp = a.buf(randomF32(m * n, random, 5, 9));
        e.kernels.matmul(xp, wp, bp, yp, m, k, n);
        const ref = matmulRef(x, w, withBias ? b : null, m, k, n);
        expectWithin(
          `${name} matmul ${m}×${k}×${n} bias=${withBias}`,
          a.read(yp, m * n),
          ref.c,
          (i) => gamma(k + 2) * ref.abs[i]! + 1e-30,
        );
        expect(a.canariesIntact(), `canaries ${m}×${k}×${n}`).toBe(true);
        expect(sameBits(a.read(xp, m * k), x) && sameBits(a.read(wp, k * n), w)).toBe(true);
        a.free();
      }
    }
  });

  it('matmulTransB: Y[m×k] = D[m×n]·Wᵀ, W being k×n', () => {
    const e = get(),
      random = rng(2);
    for (const [m, n, k] of triples) {
      const a = arena(e);
      const d = randomF32(m * n, random),
        w = randomF32(k * n, random);
      // the documented scratch room: 8·n floats
      const dp = a.buf(d),
        wp = a.buf(w),
        yp = a.buf(m * k),
        scratch = a.buf(8 * n);
      e.kernels.matmulTransB(dp, wp, yp, m, n, k, scratch);
      // Wᵀ as an n×k matrix for the reference product
      const wt = new Float64Array(n * k);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) wt[j * k + p] = w[p * n + j]!;
      const ref = matmulRef(d, wt, null, m, n, k);
      expectWithin(
        `${name} matmulTransB ${m}×${n}×${k}`,
        a.read(yp, m * k),
        ref.c,
        (i) => gamma(n + 2) * ref.abs[i]! + 1e-30,
      );
      // the scratch block may be used, but only within its 8·n floats (its canaries are checked)
      expect(a.canariesIntact(), `canaries ${m}×${n}×${k}`).toBe(true);
      expect(sameBits(a.read(dp, m * n), d) && sameBits(a.read(wp, k * n), w)).toBe(true);
      a.free();
    }
  });

  it('matmulTransA: G[k×n] = Xᵀ·D, and G += Xᵀ·D when accumulating', () => {
    const e = get(),
      random = rng(3);
    for (const [m, k, n] of triples) {
      for (const accumulate of [0, 1]) {
        const a = arena(e);
        const x = randomF32(m * k, random),
          d = randomF32(m * n, random),
          g0 = randomF32(k * n, random);
        const xp = a.buf(x),
          dp = a.buf(d),
          gp = a.buf(g0);
        e.kernels.matmulTransA(xp, dp, gp, m, k, n, accumulate);
        // G as a bias-like start value: Xᵀ is k×m
        const xt = new Float64Array(k * m);
        for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) xt[p * m + i] = x[i * k + p]!;
        const ref = matmulRef(xt, d, null, k, m, n);
        const expected = ref.c.map((v, i) => v + (accumulate ? g0[i]! : 0));
        const abs = ref.abs.map((v, i) => v + (accumulate ? Math.abs(g0[i]!) : 0));
        expectWithin(
          `${name} matmulTransA ${m}×${k}×${n} acc=${accumulate}`,
          a.read(gp, k * n),
          expected,
          (i) => gamma(m + 2) * abs[i]! + 1e-30,
        );
        expect(a.canariesIntact(), `canaries ${m}×${k}×${n}`).toBe(true);
        expect(sameBits(a.read(xp, m * k), x) && sameBits(a.read(dp, m * n), d)).toBe(true);
        a.free();
      }
    }
  });

  it('columnSums: b[n] = Σ_i D[i, :]', () => {
    const e = get(),
      random = rng(4);
    for (const m of [...SIZES, 100, 257]) {
      for (const n of SIZES) {
        const a = arena(e);
        const d = randomF32(m * n, random);
        const dp = a.buf(d),
          bp = a.buf(randomF32(n, random, 3, 4));
        e.kernels.columnSums(dp, bp, m, n);
        const expected = new Float64Array(n),
          abs = new Float64Array(n);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            expected[j] = expected[j]! + d[i * n + j]!;
            abs[j] = abs[j]! + Math.abs(d[i * n + j]!);
          }
        expectWithin(`${name} columnSums ${m}×${n}`, a.read(bp, n), expected, (j) => gamma(m + 1) * abs[j]! + 1e-30);
        expect(a.canariesIntact()).toBe(true);
        a.free();
      }
    }
  });
});

const ROWS = [1, 2, 3, 4, 5];
const GAIN = Math.fround(0.7),
  THRESHOLD = Math.fround(0.3),
  SLOPE = Math.fround(0.1);
const KINDS: [keyof typeof ACT, ActivationRef, number, number][] = [
  ['linear', { name: 'linear' }, 0, 0],
  ['sigmoid', { name: 'sigmoid', gain: GAIN, threshold: THRESHOLD }, GAIN, THRESHOLD],
  ['tanh', { name: 'tanh' }, 0, 0],
  ['relu', { name: 'relu' }, 0, 0],
  ['leaky-relu', { name: 'leaky-relu', slope: SLOPE }, SLOPE, 0],
  ['softmax', { name: 'softmax' }, 0, 0],
];

/**
 * Activation tolerances, from the float32 operations each engine performs:
 * sigmoid: exp of z = gain·(θ − s) (z carries ≤ 2u·|z| absolute error, i.e. relative error of
 *   exp(z), and the polynomial exp ≤ 3e-7), then 1/(1 + e): relative ≤ 3e-7 + (2|z| + 4)·u;
 * tanh: (1 − e)/(1 + e) with e = exp(−2|s|): absolute ≤ 1e-6;
 * relu exact; leaky-relu one rounding of slope·s; linear unchanged;
 * softmax: exp(s − max) with relative error ≤ 3e-7 + |s − max|·u, normalised by a float32 sum of cols
 *   terms: relative ≤ 3e-7 + (|s − max| + 4)·u + γ_cols.
 */
function activationTolerance(
  kind: string,
  s: Float32Array,
  expected: Float64Array,
  rows: number,
  cols: number,
): (i: number) => number {
  switch (kind) {
    case 'sigmoid':
      return (i) => (3e-7 + (2 * Math.abs(GAIN * (THRESHOLD - s[i]!)) + 4) * U32) * expected[i]! * 2;
    case 'tanh':
      return () => 1e-6;
    case 'relu':
    case 'linear':
      return () => 1e-45;
    case 'leaky-relu':
      return (i) => U32 * Math.abs(expected[i]!) + 1e-45;
    default: {
      const max = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        max[r] = -Infinity;
        for (let j = 0; j < cols; j++) max[r] = Math.max(max[r]!, s[r * cols + j]!);
      }
      return (i) =>
        (3e-7 + (Math.abs(s[i]! - max[Math.floor(i / cols)]!) + 4) * U32 + gamma(cols + 1)) * expected[i]! * 2;
    }
  }
}

describe.each(ENGINE_CASES)('activations on %s', (name, get) => {
  it.each(KINDS)('activate %s: Y = f(S) in place, row by row for softmax', (kind, spec, p0, p1) => {
    const e = get(),
      random = rng(10 + ACT[kind]);
    for (const rows of ROWS) {
      for (const cols of SIZES) {
        const a = arena(e);
        const s = randomF32(rows * cols, random, -12, 12);
        if (rows * cols > 2) {
          s[0] = 0;
          s[1] = -0.5;
        } // the kinks of relu and leaky relu
        const yp = a.buf(s);
        e.kernels.activate(ACT[kind], p0, p1, yp, rows, cols);
        const expected = activateRef(spec, Float64Array.from(s), rows, cols);
        expectWithin(
          `${name} ${kind} ${rows}×${cols}`,
          a.read(yp, rows * cols),
          expected,
          activationTolerance(kind, s, expected, rows, cols),
        );
        expect(a.canariesIntact(), `${kind} ${rows}×${cols} canaries`).toBe(true);
        a.free();
      }
    }
  });

  it('sigmoid with the article parameters (gain 0.04, threshold 0.1) and saturating inputs', () => {
    const e = get(),
      a = arena(e);
    const gain = Math.fround(0.04),
      threshold = Math.fround(0.1);
    const s = Float32Array.from([-3, -1, 0, 0.1, 1, 2, 3, 50, -50, 200, -200, 1000, -1000]);
    const yp = a.buf(s);
    e.kernels.activate(ACT.sigmoid, gain, threshold, yp, 1, s.length);
    const expected = activateRef({ name: 'sigmoid', gain, threshold }, Float64Array.from(s), 1, s.length);
    // the same bound as above, with this gain and threshold: z = 0.04·(0.1 − s) reaches |z| = 40 here
    expectWithin(
      `${name} article sigmoid`,
      a.read(yp, s.length),
      expected,
      (i) => (3e-7 + (2 * Math.abs(gain * (threshold - s[i]!)) + 4) * U32) * expected[i]! * 2,
    );
    expect(a.canariesIntact()).toBe(true);
  });

  it('tanh saturates to ±1 and is odd', () => {
    const e = get(),
      a = arena(e);
    const s = Float32Array.from([-100, -20, -9, 9, 20, 100, 0.25, -0.25, 1e-3, -1e-3]);
    const yp = a.buf(s);
    e.kernels.activate(ACT.tanh, 0, 0, yp, 1, s.length);
    const y = a.read(yp, s.length);
    expectWithin(`${name} tanh`, y, Array.from(s, Math.tanh), () => 1e-6);
    for (let i = 0; i < 6; i++) expect(Math.abs(y[i]!)).toBeLessThanOrEqual(1);
  });

  const GRAD_KINDS = KINDS.filter(([kind]) => kind !== 'softmax');
  it.each(GRAD_KINDS)('activationGrad %s: D ⊙= f′(Y), f′ written in terms of y', (kind, spec, p0) => {
    const e = get(),
      random = rng(20 + ACT[kind]);
    for (const count of [...SIZES, 64, 101]) {
      const a = arena(e);
      // outputs in the activation's range, with exact zeros for relu and leaky relu
      const lo = kind === 'sigmoid' ? 0 : kind === 'tanh' ? -1 : kind === 'relu' ? 0 : -3;
      const hi = kind === 'sigmoid' || kind === 'tanh' ? 1 : 3;
      const y = randomF32(count, random, lo, hi);
      if (kind === 'relu' || kind === 'leaky-relu')
        for (let i = 0; i < count; i += 3) y[i] = kind === 'relu' ? 0 : -Math.abs(y[i]!);
      if (count > 1 && (kind === 'relu' || kind === 'leaky-relu')) y[1] = 0;
      const d = randomF32(count, random, -2, 2);
      const yp = a.buf(y),
        dp = a.buf(d);
      e.kernels.activationGrad(ACT[kind], p0, yp, dp, count);
      const expected = Array.from(d, (di, i) => di * derivativeFromY(spec, y[i]!));
      // a handful of float32 roundings on d·f′, with 1 − y² cancelling near |y| = 1: 1e-6·|d|·(1 + p0)
      expectWithin(
        `${name} activationGrad ${kind} ${count}`,
        a.read(dp, count),
        expected,
        (i) => 1e-6 * Math.abs(d[i]!) * (1 + p0) + 1e-45,
      );
      expect(sameBits(a.read(yp, count), y), 'Y untouched').toBe(true);
      expect(a.canariesIntact()).toBe(true);
      a.free();
    }
  });

  it('testExp: y = exp(x), every tail length', () => {
    const e = get(),
      random = rng(30);
    for (const count of [...SIZES, 63, 65]) {
      const a = arena(e);
      const x = randomF32(count, random, -20, 20);
      const xp = a.buf(x),
        yp = a.buf(count);
      e.kernels.testExp(xp, yp, count);
      expectWithin(`${name} vexp ${count}`, a.read(yp, count), Array.from(x, Math.exp), (i) => 1e-6 * Math.exp(x[i]!));
      expect(sameBits(a.read(xp, count), x)).toBe(true);
      expect(a.canariesIntact()).toBe(true);
      a.free();
    }
  });
});

describe('vexp accuracy', () => {
  it.each(ENGINE_CASES)('relative error ≤ 1e-6 against Math.exp over [-80, 80] (%s)', (_name, get) => {
    const e = get(),
      a = arena(e);
    // a dense grid (every 1e-3) plus the integers and half-integers, where range reduction switches k
    const xs: number[] = [];
    for (let i = -80000; i <= 80000; i++) xs.push(i / 1000);
    for (let i = -160; i <= 160; i++) xs.push(i / 2, i / 2 + 1e-4, i / 2 - 1e-4);
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: float32 neighbours of ln 2 and ln 2 / 2 on purpose
    for (const v of [0.34657359, -0.34657359, 0.6931472, -0.6931472, 1e-8, -1e-8, 0]) xs.push(v);
    const x = Float32Array.from(xs);
    const xp = a.buf(x),
      yp = a.buf(x.length);
    e.kernels.testExp(xp, yp, x.length);
    const y = a.read(yp, x.length);
    let worst = 0,
      at = 0;
    for (let i = 0; i < x.length; i++) {
      const ref = Math.exp(x[i]!);
      const rel = Math.abs(y[i]! - ref) / ref;
      if (!(rel <= worst)) {
        worst = rel;
        at = x[i]!;
      }
    }
    expect(worst, `worst relative error at x = ${at}`).toBeLessThanOrEqual(1e-6);
    expect(a.canariesIntact()).toBe(true);
  });
});

// ---- losses ------------------------------------------------------------------------------

const LOSSES: LossRef[] = ['sse', 'mse', 'binary-cross-entropy', 'cross-entropy'];

/** Outputs and targets fit for the loss: probabilities for the cross-entropies, one-hot rows for CE. */
function lossData(
  loss: LossRef,
  rows: number,
  cols: number,
  random: () => number,
): { y: Float32Array; t: Float32Array } {
  const y = randomF32(rows * cols, random, 0.02, 0.98);
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const hot = Math.floor(random() * cols);
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      if (loss === 'cross-entropy') t[i] = j === hot ? 1 : 0;
      else if (loss === 'binary-cross-entropy') t[i] = i % 3 === 0 ? Math.fround(random()) : random() < 0.5 ? 0 : 1;
      else t[i] = Math.fround(random() * 2 - 0.5);
    }
  }
  return { y, t };
}

describe.each(ENGINE_CASES)('losses on %s', (name, get) => {
  it.each(LOSSES)('lossSum %s: Σ of the per-value terms, unscaled, accumulated in float64', (loss) => {
    const e = get(),
      random = rng(40 + LOSS[loss]);
    for (const rows of ROWS) {
      for (const cols of SIZES) {
        const a = arena(e);
        const { y, t } = lossData(loss, rows, cols, random);
        const yp = a.buf(y),
          tp = a.buf(t);
        const got = e.kernels.lossSum(LOSS[loss], yp, tp, rows, cols);
        let expected = 0,
          abs = 0;
        for (let i = 0; i < rows * cols; i++) {
          const yi = y[i]!,
            ti = t[i]!;
          const term =
            loss === 'sse' || loss === 'mse'
              ? (yi - ti) ** 2
              : loss === 'binary-cross-entropy'
                ? -(ti * Math.log(yi) + (1 - ti) * Math.log(1 - yi))
                : ti !== 0
                  ? -ti * Math.log(yi)
                  : 0;
          expected += term;
          abs += Math.abs(term);
        }
        // float64 terms from float32 inputs: only float64 rounding, ≤ 1e-12 relative
        expect(Math.abs(got - expected), `${name} ${loss} ${rows}×${cols}`).toBeLessThanOrEqual(1e-12 * abs + 1e-300);
        a.free();
      }
    }
  });

  it('lossSum takes 0·ln 0 as 0: exact cross-entropy targets give a finite, near-zero loss', () => {
    const e = get(),
      a = arena(e);
    const y = Float32Array.from([1, 0, 0, 0, 1, 0]),
      t = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const yp = a.buf(y),
      tp = a.buf(t);
    for (const loss of ['binary-cross-entropy', 'cross-entropy'] as const) {
      const v = e.kernels.lossSum(LOSS[loss], yp, tp, 2, 3);
      expect(Number.isFinite(v), loss).toBe(true);
      // the exact value is 0; clamping y away from 0 and 1 may leave ≤ 1e-6 per value
      expect(Math.abs(v), loss).toBeLessThanOrEqual(1e-5);
    }
  });

  const OUTPUT_KINDS = KINDS;
  for (const loss of LOSSES) {
    it.each(OUTPUT_KINDS)(`outputDelta ${loss} × %s: D = dE/ds of the loss as defined`, (kind, spec, p0) => {
      const e = get(),
        random = rng(50 + 7 * LOSS[loss] + ACT[kind]);
      for (const rows of ROWS) {
        for (const cols of SIZES) {
          if (kind === 'softmax' && cols < 2) continue;
          const a = arena(e);
          const { t } = lossData(loss, rows, cols, random);
          // outputs the activation can produce; probabilities (no clamping) for the cross-entropies
          const probabilities = loss === 'binary-cross-entropy' || loss === 'cross-entropy';
          let y: Float32Array;
          if (kind === 'softmax') {
            const s = randomF32(rows * cols, random, -3, 3);
            y = Float32Array.from(activateRef({ name: 'softmax' }, Float64Array.from(s), rows, cols));
          } else if (probabilities) {
            y = randomF32(rows * cols, random, 0.02, 0.98);
          } else {
            const lo = kind === 'sigmoid' || kind === 'relu' ? 0 : -1,
              hi = kind === 'tanh' ? 1 : kind === 'sigmoid' ? 1 : 2;
            y = randomF32(rows * cols, random, lo, hi);
            if (kind === 'relu') for (let i = 0; i < y.length; i += 4) y[i] = 0;
          }
          const yp = a.buf(y),
            tp = a.buf(t),
            dp = a.buf(rows * cols);
          e.kernels.outputDelta(LOSS[loss], ACT[kind], p0, yp, tp, dp, rows, cols);

          // dE/dy of the loss as defined, then the chain rule through the output activation
          const n = rows * cols;
          const scale = loss === 'sse' ? 1 : loss === 'cross-entropy' ? 1 / rows : 1 / n;
          const g = Array.from(y, (yi, i) => {
            const ti = t[i]!;
            if (loss === 'sse' || loss === 'mse') return 2 * (yi - ti) * scale;
            if (loss === 'binary-cross-entropy') return ((yi - ti) / (yi * (1 - yi))) * scale;
            return (-ti / yi) * scale;
          });
          const expected = new Float64Array(n),
            bound = new Float64Array(n);
          for (let r = 0; r < rows; r++) {
            let dot = 0,
              absDot = 0;
            for (let j = 0; j < cols; j++) {
              dot += g[r * cols + j]! * y[r * cols + j]!;
              absDot += Math.abs(g[r * cols + j]! * y[r * cols + j]!);
            }
            for (let j = 0; j < cols; j++) {
              const i = r * cols + j;
              if (kind === 'softmax') {
                expected[i] = y[i]! * (g[i]! - dot);
                bound[i] = y[i]! * (Math.abs(g[i]!) + absDot);
              } else {
                expected[i] = g[i]! * derivativeFromY(spec, y[i]!);
                // tanh's 1 − y² cancels near |y| = 1: its float32 error is u·y², not u·(1 − y²)
                bound[i] = Math.abs(expected[i]!) + (kind === 'tanh' ? Math.abs(g[i]!) * y[i]! * y[i]! : 0);
              }
            }
          }
          // a few float32 roundings per value (γ_cols more for softmax's dot product), on the size
          // of the terms that were combined: (16 + 2·cols)·u·bound
          expectWithin(
            `${name} outputDelta ${loss} ${kind} ${rows}×${cols}`,
            a.read(dp, n),
            expected,
            (i) => (16 + 2 * cols) * U32 * bound[i]! + 1e-38,
          );
          expect(a.canariesIntact()).toBe(true);
          expect(sameBits(a.read(yp, n), y) && sameBits(a.read(tp, n), t), 'Y and T untouched').toBe(true);
          a.free();
        }
      }
    });
  }
});

// ---- optimizer step and gradient norm ----------------------------------------------------

const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam'] as const;
const f = Math.fround;

describe.each(ENGINE_CASES)('optimizer step on %s', (name, get) => {
  const cases: [number, number, number][] = []; // [decay, gradScale, step]
  for (const decay of [0, f(0.01)])
    for (const gradScale of [1, f(0.5)]) for (const step of [1, 7]) cases.push([decay, gradScale, step]);

  it.each(OPTIMIZERS)('applyUpdate %s: the formulas of assembly/update.ts, every tail length', (opt) => {
    const e = get(),
      random = rng(60 + OPT[opt]);
    const lr = f(0.05),
      beta1 = f(opt === 'adam' ? 0.9 : 0.8),
      beta2 = f(0.999),
      eps = f(1e-8);
    for (const count of [...SIZES, 100, 1027]) {
      for (const [decay, gradScale, step] of cases) {
        const a = arena(e);
        const w0 = randomF32(count, random, -2, 2),
          g0 = randomF32(count, random, -1, 1);
        const s10 = randomF32(count, random, -0.5, 0.5),
          s20 = randomF32(count, random, 0.01, 0.5);
        const wp = a.buf(w0),
          gp = a.buf(g0),
          s1p = a.buf(s10),
          s2p = a.buf(s20);
        e.kernels.applyUpdate(
          OPT[opt],
          wp,
          gp,
          s1p,
          s2p,
          count,
          lr,
          beta1,
          beta2,
          eps,
          decay,
          gradScale,
          f(1 - beta1 ** step),
          f(1 - beta2 ** step),
        );

        const w = new Float64Array(count),
          s1 = Float64Array.from(s10),
          s2 = Float64Array.from(s20);
        const tolW = new Float64Array(count),
          tolS1 = new Float64Array(count),
          tolS2 = new Float64Array(count);
        for (let i = 0; i < count; i++) {
          const g = g0[i]! * gradScale + decay * w0[i]!;
          const gAbs = Math.abs(g0[i]! * gradScale) + Math.abs(decay * w0[i]!);
          let delta: number, deltaAbs: number;
          if (opt === 'sgd') {
            delta = lr * g;
            deltaAbs = lr * gAbs;
          } else if (opt === 'adam') {
            s1[i] = beta1 * s10[i]! + (1 - beta1) * g;
            s2[i] = beta2 * s20[i]! + (1 - beta2) * g * g;
            tolS1[i] = 8 * U32 * (Math.abs(beta1 * s10[i]!) + (1 - beta1) * gAbs);
            tolS2[i] = 8 * U32 * (beta2 * s20[i]! + (1 - beta2) * gAbs * gAbs);
            const c1 = 1 - beta1 ** step,
              c2 = 1 - beta2 ** step;
            delta = ((lr / c1) * s1[i]!) / (Math.sqrt(s2[i]! / c2) + eps);
            // relative error ~10 roundings of the quotient, plus the error of m itself
            deltaAbs = Math.abs(delta) * 4 + ((lr / c1) * tolS1[i]!) / (8 * U32) / Math.sqrt(s2[i]! / c2);
          } else {
            s1[i] = beta1 * s10[i]! + g;
            tolS1[i] = 8 * U32 * (Math.abs(beta1 * s10[i]!) + gAbs);
            delta = lr * (opt === 'nesterov' ? g + beta1 * s1[i]! : s1[i]!);
            deltaAbs = lr * (gAbs + 2 * (Math.abs(beta1 * s10[i]!) + gAbs));
          }
          w[i] = w0[i]! - delta;
          // ≤ 8 float32 roundings, each on a term no larger than |w0| or the update's terms
          tolW[i] = 8 * U32 * (Math.abs(w0[i]!) + deltaAbs) + 1e-38;
        }
        const label = `${name} ${opt} n=${count} decay=${decay} scale=${gradScale} step=${step}`;
        expectWithin(`${label} W`, a.read(wp, count), w, (i) => tolW[i]!);
        if (opt === 'momentum' || opt === 'nesterov' || opt === 'adam')
          expectWithin(`${label} state1`, a.read(s1p, count), s1, (i) => tolS1[i]! + 1e-38);
        else expect(sameBits(a.read(s1p, count), s10), `${label}: SGD keeps no state`).toBe(true);
        if (opt === 'adam') expectWithin(`${label} state2`, a.read(s2p, count), s2, (i) => tolS2[i]! + 1e-38);
        else expect(sameBits(a.read(s2p, count), s20), `${label}: only Adam uses state 2`).toBe(true);
        expect(sameBits(a.read(gp, count), g0), 'G untouched').toBe(true);
        expect(a.canariesIntact()).toBe(true);
        a.free();
      }
    }
  });

  it('sumSquares: Σ g², every tail length and across the 1024-value fold', () => {
    const e = get(),
      random = rng(70);
    for (const count of [...SIZES, 1023, 1024, 1025, 4099, 10000]) {
      const a = arena(e);
      const g = randomF32(count, random, -3, 3);
      const gp = a.buf(g);
      const got = e.kernels.sumSquares(gp, count);
      let expected = 0;
      for (const v of g) expected += v * v;
      // float32 squares summed by lanes of ≤ 257 terms before a float64 fold: γ_258 relative
      expect(Math.abs(got - expected), `${name} sumSquares ${count}`).toBeLessThanOrEqual(gamma(258) * expected);
      a.free();
    }
  });
});

describe.each(ENGINE_CASES)('gatherRows on %s', (name, get) => {
  it('dst rows = src rows order[start .. start+count)', () => {
    const e = get(),
      random = rng(80);
    for (const rowLen of [1, 3, 4, 7]) {
      const a = arena(e);
      const rows = 10,
        src = randomF32(rows * rowLen, random);
      const order = [7, 2, 9, 0, 4, 4, 1, 8, 3, 6];
      const orderPtr = e.heap.alloc(order.length * 4);
      e.heap.i32.set(order, orderPtr >> 2);
      const sp = a.buf(src),
        dp = a.buf(5 * rowLen);
      e.kernels.gatherRows(sp, orderPtr, 3, 5, rowLen, dp);
      const expected = order.slice(3, 8).flatMap((r) => Array.from(src.subarray(r * rowLen, (r + 1) * rowLen)));
      expect(Array.from(a.read(dp, 5 * rowLen)), `${name} rowLen ${rowLen}`).toEqual(expected);
      expect(a.canariesIntact()).toBe(true);
      e.heap.release(orderPtr);
      a.free();
    }
  });
});

describe.each(ENGINE_CASES)('firstNonFinite on %s', (name, get) => {
  it('the index of the first NaN or ±Infinity, at every position around the 64-value blocks; -1 for finite values', () => {
    const e = get(),
      random = rng(90);
    // finite values at every extreme: ±0, the smallest subnormal, the largest float32
    const extremes = [0, -0, 1.4e-45, -1.4e-45, 3.4028234663852886e38, -3.4028234663852886e38];
    for (const count of [0, 1, 3, 4, 63, 64, 65, 127, 128, 129, 200, 1000]) {
      const values = randomF32(count, random, -1e30, 1e30);
      for (let i = 0; i < count; i++) if (i % 17 === 3) values[i] = extremes[i % extremes.length]!;
      const a = arena(e),
        p = a.buf(values);
      expect(e.kernels.firstNonFinite(p, count), `${name}: ${count} finite values`).toBe(-1);
      const f = e.heap.f32;
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (let at = 0; at < count; at++) {
          f[(p >> 2) + at] = bad;
          f[(p >> 2) + Math.min(count - 1, at + 1 + (at % 5))] = bad; // a second one after it never wins
          expect(e.kernels.firstNonFinite(p, count), `${name}: ${bad} at ${at} of ${count}`).toBe(at);
          f.set(values.subarray(at, Math.min(count, at + 6)), (p >> 2) + at);
        }
        expect(e.kernels.firstNonFinite(p, count), `${name}: ${count} finite values again`).toBe(-1);
      }
      // a NaN with another payload, and one just past the counted values
      if (count > 0) {
        new Uint32Array(e.heap.f32.buffer)[(p >> 2) + count - 1] = 0xffc00001;
        expect(e.kernels.firstNonFinite(p, count), `${name}: a negative NaN with a payload`).toBe(count - 1);
        f[(p >> 2) + count - 1] = values[count - 1]!;
      }
      f[(p >> 2) + count] = NaN;
      expect(e.kernels.firstNonFinite(p, count), `${name}: a NaN after the last value is not counted`).toBe(-1);
      f[(p >> 2) + count] = CANARY;
      expect(a.canariesIntact()).toBe(true);
      a.free();
    }
  });
});

describe('engines agree with each other', () => {
  // each engine is within its float32 bound of the float64 answer, so on identical inputs they are
  // within the sum of both bounds of each other; checked directly on one chained workload, every
  // stage fed the same inputs (the js result of the stage before)
  it('matmul → activate → outputDelta → applyUpdate give the same values on js and wasm', () => {
    const random = rng(90);
    const m = 13,
      k = 33,
      n = 7;
    const x = randomF32(m * k, random),
      w = randomF32(k * n, random),
      b = randomF32(n, random);
    const t = randomF32(m * n, random, 0, 1);
    const run = (e: Engine, stage: number, input: Float32Array): Float32Array => {
      const a = arena(e);
      if (stage === 0) {
        const yp = a.buf(m * n);
        e.kernels.matmul(a.buf(x), a.buf(w), a.buf(b), yp, m, k, n);
        return a.read(yp, m * n);
      }
      if (stage === 1) {
        const yp = a.buf(input);
        e.kernels.activate(ACT.sigmoid, 1, 0, yp, m, n);
        return a.read(yp, m * n);
      }
      if (stage === 2) {
        const dp = a.buf(m * n);
        e.kernels.outputDelta(LOSS.mse, ACT.sigmoid, 1, a.buf(input), a.buf(t), dp, m, n);
        return a.read(dp, m * n);
      }
      const wp = a.buf(w.subarray(0, m * n));
      e.kernels.applyUpdate(
        OPT.adam,
        wp,
        a.buf(input),
        a.buf(new Float32Array(m * n)),
        a.buf(new Float32Array(m * n)),
        m * n,
        f(0.01),
        f(0.9),
        f(0.999),
        f(1e-8),
        0,
        1,
        f(1 - f(0.9)),
        f(1 - f(0.999)),
      );
      return a.read(wp, m * n);
    };
    const [js, wasm] = [engineOf('js'), engineOf('wasm')];
    const ref = matmulRef(x, w, b, m, k, n);
    const s = run(js, 0, new Float32Array(0));
    expectWithin('matmul', run(wasm, 0, s), s, (i) => 2 * gamma(k + 2) * ref.abs[i]! + 1e-30);
    const y = run(js, 1, s);
    expectWithin('sigmoid', run(wasm, 1, s), y, (i) => 2e-6 * y[i]!);
    const d = run(js, 2, y);
    expectWithin('outputDelta', run(wasm, 2, y), d, (i) => 2e-6 * Math.abs(d[i]!) + 1e-30);
    const w1 = run(js, 3, d);
    expectWithin('applyUpdate', run(wasm, 3, d), w1, (i) => 2e-6 * (Math.abs(w[i]!) + 0.01));
  });
});
