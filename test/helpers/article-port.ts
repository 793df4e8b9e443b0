// The article's Python NN class, ported line by line to float64 (the test that holds simdnet to it
// is article.test.ts; article-python.test.ts runs the Python itself).
import { matmulRef, transpose } from './float64-network.js';

/**
 * The article's NN class in float64: sigmoid 1/(1+exp(−α(s−θ))), forward, backword (error terms
 * of every layer from the current weights), update (per row, w −= kron(input_row, μ·diff_row))
 * and calculate_error (Σ (y−t)²). Weights w[l] are fanIn × fanOut, as in the article.
 */
export class ArticleNN {
  output: Float64Array[] = [];
  outputSigm: Float64Array[] = [];

  constructor(
    readonly layers: number[],
    public w: Float64Array[],
    readonly alph: number,
    readonly theta: number,
    readonly mu: number,
  ) {}

  sigmoid(s: number): number {
    return 1 / (1 + Math.exp(-this.alph * (s - this.theta)));
  }
  dsigmoid(y: number): number {
    return y * (1 - y);
  }

  forward(x: ArrayLike<number>, rows: number): void {
    this.output = [];
    this.outputSigm = [];
    let input: ArrayLike<number> = x;
    for (let l = 0; l < this.w.length; l++) {
      const s = matmulRef(input, this.w[l]!, null, rows, this.layers[l]!, this.layers[l + 1]!).c;
      const y = s.map((v) => this.sigmoid(v));
      this.output.push(s);
      this.outputSigm.push(y);
      input = y;
    }
  }

  /** diff (last layer) = α·2(y−t)·y(1−y); diff_mult (hidden) = α·y(1−y)·(result·w[l+1]ᵀ). */
  backword(t: ArrayLike<number>, rows: number): Float64Array[] {
    const result: Float64Array[] = [];
    for (let l = this.w.length - 1; l >= 0; l--) {
      const y = this.outputSigm[l]!,
        n = this.layers[l + 1]!;
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
      const fanIn = this.layers[l]!,
        fanOut = this.layers[l + 1]!;
      const input: ArrayLike<number> = l === 0 ? x : this.outputSigm[l - 1]!;
      const w = this.w[l]!;
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < fanIn; i++) {
          for (let j = 0; j < fanOut; j++)
            w[i * fanOut + j] = w[i * fanOut + j]! - input[r * fanIn + i]! * (this.mu * diff[l]![r * fanOut + j]!);
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
    const nIn = this.layers[0]!,
      nOut = this.layers[this.layers.length - 1]!;
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
