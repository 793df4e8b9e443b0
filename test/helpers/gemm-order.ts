// The suite of test/gemm-order.test.ts (Node) and test/browser/gemm-order.browser.test.ts (Chromium,
// where the relaxed build runs on every npm test); what it checks is said there.
import { describe, expect, it } from 'vitest';
import relaxedBytes from '../../build/relaxed.wasm';
import simdBytes from '../../build/simd.wasm';
import { createWasmEngine, type Engine } from '../../src/runtime/engine.js';
import { randomF32, rng } from './random-data.js';

const f32 = Math.fround;
const f64 = new Float64Array(1);
const bits = new BigInt64Array(f64.buffer);

/** a·b + c rounded once to float32 (an FMA): the exact sum rounded to odd in float64, then to float32. */
function fmaF32(a: number, b: number, c: number): number {
  const p = a * b; // exact: two 24-bit significands
  const s = p + c;
  const v = s - p;
  const err = p - (s - v) + (c - v); // s + err = p + c exactly (TwoSum)
  if (err === 0 || !Number.isFinite(s)) return f32(s);
  f64[0] = s;
  if ((bits[0]! & 1n) === 0n) bits[0] = bits[0]! + (err > 0 === s > 0 ? 1n : -1n);
  return f32(f64[0]!);
}

type Madd = (a: number, b: number, acc: number) => number;
const unfused: Madd = (a, b, acc) => f32(acc + f32(a * b));
const fused: Madd = (a, b, acc) => fmaF32(a, b, acc);

/**
 * C[M×N] from init (M×N) plus the sum over s of A(r, s)·B(s, j), in step order: `vector` for
 * j < N & ~3, unfused for the rest. A(r, s) = a[r*ars + s*ass], B(s, j) = b[s*bss + j*bjs].
 */
function chain(
  init: Float32Array,
  a: Float32Array,
  ars: number,
  ass: number,
  b: Float32Array,
  bss: number,
  bjs: number,
  M: number,
  N: number,
  S: number,
  vector: Madd,
): Float32Array {
  const c = new Float32Array(M * N);
  const n4 = N & ~3;
  for (let r = 0; r < M; r++) {
    for (let j = 0; j < N; j++) {
      const madd = j < n4 ? vector : unfused;
      let acc = init[r * N + j]!;
      for (let s = 0; s < S; s++) acc = madd(a[r * ars + s * ass]!, b[s * bss + j * bjs]!, acc);
      c[r * N + j] = acc;
    }
  }
  return c;
}

/** The first index where two float32 arrays differ in their bits, or -1. */
function firstDifference(x: Float32Array, y: Float32Array): number {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length),
    v = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
  return u.length === v.length ? -1 : u.length;
}

/** Copies values into the engine's memory; the addresses are released by `free`. */
function place(e: Engine, held: number[], values: Float32Array | number): number {
  const n = typeof values === 'number' ? values : values.length;
  const ptr = e.heap.alloc(Math.max(n, 1) * 4);
  held.push(ptr);
  if (typeof values !== 'number') e.heap.f32.set(values, ptr >> 2);
  return ptr;
}
const read = (e: Engine, ptr: number, n: number): Float32Array => e.heap.f32.slice(ptr >> 2, (ptr >> 2) + n);

const ROWS = [1, 2, 3, 4, 5, 6, 7, 12, 15, 16, 17, 23, 25, 197];
const STEPS = [1, 3, 127, 129, 257];
const COLS = [1, 3, 4, 7, 8, 9, 23, 24, 25, 31, 33];
/** Every row count with a few step and column counts (and a few with all), plus W rows 4 KiB apart. */
function shapes(): [number, number, number][] {
  const out: [number, number, number][] = [];
  ROWS.forEach((m, i) => {
    out.push([m, STEPS[i % STEPS.length]!, COLS[(3 * i) % COLS.length]!]);
    out.push([m, STEPS[(i + 2) % STEPS.length]!, COLS[(3 * i + 5) % COLS.length]!]);
  });
  for (const k of STEPS) for (const n of COLS) out.push([17, k, n]);
  out.push([20, 130, 1024], [193, 200, 40], [6, 1030, 33]);
  return out;
}

/** The suite, for each build this runtime validates (Node 20: the plain one; Chromium and Node 22+: both). */
export function gemmOrderSuite(): void {
  const builds: [string, Uint8Array<ArrayBuffer>, Madd[]][] = [['simd', simdBytes, [unfused]]];
  // where the CPU has no FMA, V8 runs relaxed_madd as a multiply and an add
  if (WebAssembly.validate(relaxedBytes)) builds.push(['relaxed-simd', relaxedBytes, [fused, unfused]]);
  describe.each(builds)('the %s build sums every element in step order', (build, bytes, vectorForms) => {
    const e = createWasmEngine(bytes, build === 'simd' ? 'simd' : 'relaxed-simd');
    const random = rng(23);

    /** Expects `got` to be one of the chains (fused, or not where the CPU lacks FMA), bit for bit. */
    function expectChain(label: string, got: Float32Array, want: (vector: Madd) => Float32Array): void {
      const diffs = vectorForms.map((v) => firstDifference(got, want(v)));
      expect(diffs.includes(-1), `${label}: first element off the chain ${diffs[0]}`).toBe(true);
    }

    it('X·W, with and without a bias', () => {
      for (const [m, k, n] of shapes()) {
        for (const withBias of [false, true]) {
          const held: number[] = [];
          const x = randomF32(m * k, random),
            w = randomF32(k * n, random),
            b = randomF32(n, random);
          const yp = place(e, held, m * n);
          e.kernels.matmul(place(e, held, x), place(e, held, w), withBias ? place(e, held, b) : 0, yp, m, k, n);
          const init = new Float32Array(m * n);
          if (withBias) for (let r = 0; r < m; r++) init.set(b, r * n);
          expectChain(`${build} X·W ${m}×${k}×${n} bias=${withBias}`, read(e, yp, m * n), (v) =>
            chain(init, x, k, 1, w, n, 1, m, n, k, v),
          );
          for (const p of held) e.heap.release(p);
        }
      }
    });

    it('D·Wᵀ from 4 rows on', () => {
      for (const [m0, n, k] of shapes()) {
        const m = Math.max(m0, 4);
        const held: number[] = [];
        const d = randomF32(m * n, random),
          w = randomF32(k * n, random);
        const yp = place(e, held, m * k);
        e.kernels.matmulTransB(place(e, held, d), place(e, held, w), yp, m, n, k, place(e, held, 8 * n));
        // Y(r, p) = Σ_j D(r, j)·W(p, j): steps j, output columns p
        expectChain(`${build} D·Wᵀ ${m}×${n}×${k}`, read(e, yp, m * k), (v) =>
          chain(new Float32Array(m * k), d, n, 1, w, 1, n, m, k, n, v),
        );
        for (const p of held) e.heap.release(p);
      }
    });

    it('Xᵀ·D, and G += Xᵀ·D', () => {
      for (const [m, k, n] of shapes()) {
        for (const accumulate of [0, 1]) {
          const held: number[] = [];
          const x = randomF32(m * k, random),
            d = randomF32(m * n, random),
            g0 = randomF32(k * n, random);
          const gp = place(e, held, g0);
          e.kernels.matmulTransA(place(e, held, x), place(e, held, d), gp, m, k, n, accumulate);
          // G(p, j) = Σ_i X(i, p)·D(i, j): rows p are columns of X, steps i
          const init = accumulate ? g0 : new Float32Array(k * n);
          expectChain(`${build} Xᵀ·D ${m}×${k}×${n} acc=${accumulate}`, read(e, gp, k * n), (v) =>
            chain(init, x, 1, k, d, n, 1, k, n, m, v),
          );
          for (const p of held) e.heap.release(p);
        }
      }
    });

    it('D·Wᵀ below 4 rows: 4 partial dot products per element, combined pairwise', () => {
      const held: number[] = [];
      const m = 2,
        n = 11,
        k = 5;
      const d = randomF32(m * n, random),
        w = randomF32(k * n, random);
      const yp = place(e, held, m * k);
      e.kernels.matmulTransB(place(e, held, d), place(e, held, w), yp, m, n, k, place(e, held, 8 * n));
      const got = read(e, yp, m * k);
      const wants = vectorForms.map((madd) => {
        const y = new Float32Array(m * k);
        for (let r = 0; r < m; r++) {
          for (let p = 0; p < k; p++) {
            const row = (j: number): number => d[r * n + j]!;
            const wp = (j: number): number => w[p * n + j]!;
            if (p < (k & ~3)) {
              const lane = [0, 0, 0, 0];
              for (let j = 0; j < (n & ~3); j++) lane[j % 4] = madd(row(j), wp(j), lane[j % 4]!);
              let sum = f32(f32(lane[0]! + lane[2]!) + f32(lane[1]! + lane[3]!));
              for (let j = n & ~3; j < n; j++) sum = f32(sum + f32(row(j) * wp(j)));
              y[r * k + p] = sum;
            } else {
              let sum = 0;
              for (let j = 0; j < n; j++) sum = unfused(row(j), wp(j), sum);
              y[r * k + p] = sum;
            }
          }
        }
        return y;
      });
      expect(wants.some((y) => firstDifference(got, y) < 0)).toBe(true);
      for (const p of held) e.heap.release(p);
    });
  });
}
