// Float64 reference implementations for the tests: written from the article and the
// mathematics, never by calling simdnet's kernels. Every matrix is a row-major Float64Array.
import { mulberry32 } from '../src/model/random.js';

/** 2^-24: the unit roundoff of float32 (half an ulp of 1). */
export const U32 = 2 ** -24;

/** γ_n = n·u / (1 − n·u): the classical bound on the relative error of an n-term float32 sum. */
export const gamma = (n: number): number => (n * U32) / (1 - n * U32);

/** mulberry32 (src/model/random.ts): test data independent of simdnet's own generator. */
export const rng = mulberry32;

/** n float32-representable values uniform in [lo, hi). */
export function randomF32(n: number, random: () => number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}

export const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a as ArrayLike<number>);

// ---- activations -------------------------------------------------------------------------

export interface ActivationRef {
  name: 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'linear' | 'softmax';
  gain?: number;
  threshold?: number;
  slope?: number;
}

/** y = f(s) on a rows×cols matrix (softmax row by row). */
export function activateRef(a: ActivationRef, s: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(s.length);
  const gain = a.gain ?? 1, threshold = a.threshold ?? 0, slope = a.slope ?? 0.01;
  if (a.name === 'softmax') {
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, s[r * cols + j]!);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(s[r * cols + j]! - max);
      for (let j = 0; j < cols; j++) y[r * cols + j] = Math.exp(s[r * cols + j]! - max) / sum;
    }
    return y;
  }
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    switch (a.name) {
      case 'sigmoid': y[i] = 1 / (1 + Math.exp(-gain * (v - threshold))); break;
      case 'tanh': y[i] = Math.tanh(v); break;
      case 'relu': y[i] = v > 0 ? v : 0; break;
      case 'leaky-relu': y[i] = v > 0 ? v : slope * v; break;
      case 'linear': y[i] = v; break;
    }
  }
  return y;
}

/** f'(s) written in terms of y = f(s), for the elementwise activations. */
export function derivativeFromY(a: ActivationRef, y: number): number {
  switch (a.name) {
    case 'sigmoid': return (a.gain ?? 1) * y * (1 - y);
    case 'tanh': return 1 - y * y;
    case 'relu': return y > 0 ? 1 : 0;
    case 'leaky-relu': return y > 0 ? 1 : (a.slope ?? 0.01);
    case 'linear': return 1;
    default: throw new Error(`no elementwise derivative for ${a.name}`);
  }
}

// ---- dense products ----------------------------------------------------------------------

/** C[m×n] = A[m×k] · B[k×n] (+ bias[n]); also returns Σ|a||b| per entry for error bounds. */
export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, bias: ArrayLike<number> | null, m: number, k: number, n: number): { c: Float64Array; abs: Float64Array } {
  const c = new Float64Array(m * n), abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j]! : 0, t = bias ? Math.abs(bias[j]!) : 0;
      for (let p = 0; p < k; p++) { const v = a[i * k + p]! * b[p * n + j]!; s += v; t += Math.abs(v); }
      c[i * n + j] = s; abs[i * n + j] = t;
    }
  }
  return { c, abs };
}

export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

// ---- networks ----------------------------------------------------------------------------

export interface NetRef {
  layers: number[];
  activations: ActivationRef[];
  weights: Float64Array[];        // fanIn × fanOut, row-major
  biases: (Float64Array | null)[];
}

/** Every layer's output for rows×layers[0] inputs x (index 0 is x itself). */
export function forwardRef(net: NetRef, x: ArrayLike<number>, rows: number): Float64Array[] {
  const outs: Float64Array[] = [f64(x)];
  for (let l = 0; l < net.layers.length - 1; l++) {
    const s = matmulRef(outs[l]!, net.weights[l]!, net.biases[l] ?? null, rows, net.layers[l]!, net.layers[l + 1]!).c;
    outs.push(activateRef(net.activations[l]!, s, rows, net.layers[l + 1]!));
  }
  return outs;
}

export type LossRef = 'sse' | 'mse' | 'binary-cross-entropy' | 'cross-entropy';

/** The loss as defined: SSE Σ(y−t)², MSE mean over rows×cols, BCE mean over rows×cols, CE mean over rows of −Σ t ln y. */
export function lossRef(loss: LossRef, y: ArrayLike<number>, t: ArrayLike<number>, rows: number, cols: number): number {
  let sum = 0;
  for (let i = 0; i < rows * cols; i++) {
    const yi = y[i]!, ti = t[i]!;
    if (loss === 'sse' || loss === 'mse') sum += (yi - ti) ** 2;
    else if (loss === 'binary-cross-entropy') sum -= ti * Math.log(yi) + (1 - ti) * Math.log(1 - yi);
    else if (ti !== 0) sum -= ti * Math.log(yi);
  }
  if (loss === 'sse') return sum;
  if (loss === 'cross-entropy') return sum / rows;
  return sum / (rows * cols);
}

/** Central-difference gradient of the network's loss in float64, every weight and bias. */
export function finiteDifferenceGradient(net: NetRef, loss: LossRef, x: ArrayLike<number>, t: ArrayLike<number>, rows: number, h = 1e-6): { weights: Float64Array[]; biases: (Float64Array | null)[] } {
  const out = net.layers.length - 1;
  const E = (): number => lossRef(loss, forwardRef(net, x, rows)[out]!, t, rows, net.layers[out]!);
  const grad = (p: Float64Array): Float64Array => {
    const g = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const v = p[i]!;
      p[i] = v + h; const up = E();
      p[i] = v - h; const down = E();
      p[i] = v;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  };
  return { weights: net.weights.map(grad), biases: net.biases.map((b) => (b ? grad(b) : null)) };
}

// ---- the article's Python, ported line by line -------------------------------------------

/**
 * The article's NN class in float64: sigmoid 1/(1+exp(−α(s−θ))), forward, backword (error terms
 * of every layer from the current weights), update (per row, w −= kron(input_row, μ·diff_row))
 * and calculate_error (Σ (y−t)²). Weights w[l] are fanIn × fanOut, as in the article.
 */
export class ArticleNN {
  output: Float64Array[] = [];
  outputSigm: Float64Array[] = [];

  constructor(
    readonly layers: number[], public w: Float64Array[],
    readonly alph: number, readonly theta: number, readonly mu: number,
  ) {}

  sigmoid(s: number): number { return 1 / (1 + Math.exp(-this.alph * (s - this.theta))); }
  dsigmoid(y: number): number { return y * (1 - y); }

  forward(x: ArrayLike<number>, rows: number): void {
    this.output = []; this.outputSigm = [];
    let input: ArrayLike<number> = x;
    for (let l = 0; l < this.w.length; l++) {
      const s = matmulRef(input, this.w[l]!, null, rows, this.layers[l]!, this.layers[l + 1]!).c;
      const y = s.map((v) => this.sigmoid(v));
      this.output.push(s); this.outputSigm.push(y);
      input = y;
    }
  }

  /** diff (last layer) = α·2(y−t)·y(1−y); diff_mult (hidden) = α·y(1−y)·(result·w[l+1]ᵀ). */
  backword(t: ArrayLike<number>, rows: number): Float64Array[] {
    const result: Float64Array[] = [];
    for (let l = this.w.length - 1; l >= 0; l--) {
      const y = this.outputSigm[l]!, n = this.layers[l + 1]!;
      if (l === this.w.length - 1) {
        result.unshift(y.map((yi, i) => this.alph * 2 * (yi - t[i]!) * this.dsigmoid(yi)));
      } else {
        const next = this.layers[l + 2]!;
        const prp = matmulRef(result[0]!, transpose(this.w[l + 1]!, n, next), null, rows, next, n).c;
        result.unshift(y.map((yi, i) => this.alph * this.dsigmoid(yi) * prp[i]!));
      }
    }
    return result;
  }

  /** For every row: w[l] −= kron(input_row as a column, μ·diff_row). */
  update(diff: Float64Array[], x: ArrayLike<number>, rows: number): void {
    for (let l = this.w.length - 1; l >= 0; l--) {
      const fanIn = this.layers[l]!, fanOut = this.layers[l + 1]!;
      const input: ArrayLike<number> = l === 0 ? x : this.outputSigm[l - 1]!;
      const w = this.w[l]!;
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < fanIn; i++) {
          for (let j = 0; j < fanOut; j++) w[i * fanOut + j] = w[i * fanOut + j]! - input[r * fanIn + i]! * (this.mu * diff[l]![r * fanOut + j]!);
        }
      }
    }
  }

  calculateError(t: ArrayLike<number>): number {
    const y = this.outputSigm[this.outputSigm.length - 1]!;
    let e = 0;
    for (let i = 0; i < y.length; i++) e += (t[i]! - y[i]!) ** 2;
    return e;
  }

  /** The article's fit loop for `epochs` iterations: update(backword()), forward(), error; returns each T's error. */
  fit(x: ArrayLike<number>, t: ArrayLike<number>, rows: number, epochs: number): number[] {
    const errors: number[] = [];
    this.forward(x, rows);
    for (let T = 1; T <= epochs; T++) {
      this.update(this.backword(t, rows), x, rows);
      this.forward(x, rows);
      errors.push(this.calculateError(t));
    }
    return errors;
  }

  /**
   * The article's text: the sequential (online) update. For each sample in order, the error terms
   * come from the current weights and the weights are corrected at once. Returns each epoch's error
   * over the whole set with the weights after the epoch.
   */
  fitSequential(x: ArrayLike<number>, t: ArrayLike<number>, rows: number, epochs: number): number[] {
    const nIn = this.layers[0]!, nOut = this.layers[this.layers.length - 1]!;
    const errors: number[] = [];
    for (let e = 0; e < epochs; e++) {
      for (let r = 0; r < rows; r++) {
        const xr = Array.prototype.slice.call(x, r * nIn, (r + 1) * nIn) as number[];
        const tr = Array.prototype.slice.call(t, r * nOut, (r + 1) * nOut) as number[];
        this.forward(xr, 1);
        this.update(this.backword(tr, 1), xr, 1);
      }
      this.forward(x, rows);
      errors.push(this.calculateError(t));
    }
    return errors;
  }
}

// ---- assertions helpers ------------------------------------------------------------------

/** Largest |a_i − b_i| / (tol_i), so a value ≤ 1 means every element is within its tolerance. */
export function worstRatio(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (i: number) => number): { ratio: number; index: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let ratio = 0, index = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    const r = Number.isNaN(d) ? Infinity : d / tol(i);
    if (r > ratio) { ratio = r; index = i; }
  }
  return { ratio, index };
}

export function maxAbs(...arrays: ArrayLike<number>[]): number {
  let m = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}
