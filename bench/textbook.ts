/**
 * TextbookMLP: an independent, textbook, pure-JavaScript multilayer perceptron.
 *
 * This is the yardstick every other engine is compared against. It is meant
 * to be what a competent JS developer would write from a textbook:
 *   - weights stored per layer as one row-major Float32Array [out][in]
 *   - forward pass one sample at a time: for each output neuron, a dot
 *     product over the inputs, plus bias, then the activation
 *   - backward pass one sample at a time, gradients accumulated over the
 *     mini-batch, then one plain SGD step per mini-batch
 * No SIMD, no blocking/tiling, no unrolling, no batched GEMM; also nothing
 * deliberately slow (typed arrays, no allocation in the inner loops).
 */
import { mulberry32, randomMatrix } from './data.js';
import { keep } from './measure.js';
import type { Adapter, GemmForm, GemmHook, Hidden, NetOptions, Output } from './types.js';

export interface TextbookOptions {
  hidden: Hidden;
  /** softmax pairs with cross-entropy loss; sigmoid and tanh with squared error. */
  output: Output;
  seed: number;
}

export class TextbookMLP {
  readonly layers: readonly number[];
  private readonly hidden: Hidden;
  private readonly output: Output;
  /** weights[l] connects layer l to layer l+1: rows = layers[l+1], cols = layers[l]. */
  private readonly weights: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];
  private readonly gradW: Float32Array[] = [];
  private readonly gradB: Float32Array[] = [];
  /** acts[l] = activations of layer l+1 for the current sample (input is read in place). */
  private readonly acts: Float32Array[] = [];
  /** deltas[l] = dLoss/dz for layer l+1 of the current sample. */
  private readonly deltas: Float32Array[] = [];

  constructor(layers: number[], opts: TextbookOptions) {
    if (layers.length < 2) throw new Error('need at least input and output layer');
    this.layers = layers.slice();
    this.hidden = opts.hidden;
    this.output = opts.output;
    const rnd = mulberry32(opts.seed);
    for (let l = 0; l < layers.length - 1; l++) {
      const fanIn = layers[l];
      const fanOut = layers[l + 1];
      const isLast = l === layers.length - 2;
      // He-uniform for ReLU hidden layers, Glorot-uniform otherwise.
      const limit = !isLast && this.hidden === 'relu' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
      const w = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < w.length; i++) w[i] = (rnd() * 2 - 1) * limit;
      this.weights.push(w);
      this.biases.push(new Float32Array(fanOut));
      this.gradW.push(new Float32Array(fanIn * fanOut));
      this.gradB.push(new Float32Array(fanOut));
      this.acts.push(new Float32Array(fanOut));
      this.deltas.push(new Float32Array(fanOut));
    }
  }

  /** Forward pass for the row of `x` starting at `off`; result left in acts[last]. */
  private forward(x: Float32Array, off: number): Float32Array {
    const L = this.weights.length;
    let input = x;
    let inOff = off;
    for (let l = 0; l < L; l++) {
      const nIn = this.layers[l];
      const nOut = this.layers[l + 1];
      const w = this.weights[l];
      const b = this.biases[l];
      const out = this.acts[l];
      const isLast = l === L - 1;
      for (let j = 0; j < nOut; j++) {
        let sum = b[j];
        const row = j * nIn;
        for (let i = 0; i < nIn; i++) sum += w[row + i] * input[inOff + i];
        out[j] = sum;
      }
      if (isLast && this.output === 'softmax') {
        let max = -Infinity;
        for (let j = 0; j < nOut; j++) if (out[j] > max) max = out[j];
        let total = 0;
        for (let j = 0; j < nOut; j++) {
          const e = Math.exp(out[j] - max);
          out[j] = e;
          total += e;
        }
        for (let j = 0; j < nOut; j++) out[j] /= total;
      } else if (isLast ? this.output === 'tanh' : this.hidden === 'tanh') {
        for (let j = 0; j < nOut; j++) out[j] = Math.tanh(out[j]);
      } else if (isLast || this.hidden === 'sigmoid') {
        for (let j = 0; j < nOut; j++) out[j] = 1 / (1 + Math.exp(-out[j]));
      } else {
        for (let j = 0; j < nOut; j++) if (out[j] < 0) out[j] = 0;
      }
      input = out;
      inOff = 0;
    }
    return this.acts[L - 1];
  }

  /** Backward pass for one sample (after forward); adds into gradW/gradB. */
  private backward(x: Float32Array, xOff: number, t: Float32Array, tOff: number): void {
    const L = this.weights.length;
    const y = this.acts[L - 1];
    const dOut = this.deltas[L - 1];
    const nOut = this.layers[L];
    if (this.output === 'softmax') {
      // softmax + cross-entropy: dL/dz = y - t
      for (let j = 0; j < nOut; j++) dOut[j] = y[j] - t[tOff + j];
    } else if (this.output === 'tanh') {
      // tanh + squared error (1/2 sum (y-t)^2): dL/dz = (y - t) * (1 - y²)
      for (let j = 0; j < nOut; j++) dOut[j] = (y[j] - t[tOff + j]) * (1 - y[j] * y[j]);
    } else {
      // sigmoid + squared error (1/2 sum (y-t)^2): dL/dz = (y - t) * y * (1 - y)
      for (let j = 0; j < nOut; j++) {
        const yj = y[j];
        dOut[j] = (yj - t[tOff + j]) * yj * (1 - yj);
      }
    }
    for (let l = L - 1; l >= 0; l--) {
      const nIn = this.layers[l];
      const nO = this.layers[l + 1];
      const w = this.weights[l];
      const gw = this.gradW[l];
      const gb = this.gradB[l];
      const d = this.deltas[l];
      const prev = l === 0 ? x : this.acts[l - 1];
      const pOff = l === 0 ? xOff : 0;
      if (l === 0) {
        // input layer: only the weight gradient is needed
        for (let j = 0; j < nO; j++) {
          const dj = d[j];
          const row = j * nIn;
          for (let i = 0; i < nIn; i++) gw[row + i] += dj * prev[pOff + i];
          gb[j] += dj;
        }
        continue;
      }
      const dPrev = this.deltas[l - 1];
      dPrev.fill(0);
      for (let j = 0; j < nO; j++) {
        const dj = d[j];
        const row = j * nIn;
        for (let i = 0; i < nIn; i++) {
          gw[row + i] += dj * prev[i];
          dPrev[i] += w[row + i] * dj;
        }
        gb[j] += dj;
      }
      // multiply by the derivative of the hidden activation, from its output value
      if (this.hidden === 'relu') {
        for (let i = 0; i < nIn; i++) if (prev[i] <= 0) dPrev[i] = 0;
      } else if (this.hidden === 'tanh') {
        for (let i = 0; i < nIn; i++) dPrev[i] *= 1 - prev[i] * prev[i];
      } else {
        for (let i = 0; i < nIn; i++) dPrev[i] *= prev[i] * (1 - prev[i]);
      }
    }
  }

  /** Plain SGD step with the batch-averaged gradient, then clear the accumulators. */
  private step(lr: number, batchRows: number): void {
    const scale = lr / batchRows;
    for (let l = 0; l < this.weights.length; l++) {
      const w = this.weights[l];
      const gw = this.gradW[l];
      for (let k = 0; k < w.length; k++) w[k] -= scale * gw[k];
      const b = this.biases[l];
      const gb = this.gradB[l];
      for (let k = 0; k < b.length; k++) b[k] -= scale * gb[k];
      gw.fill(0);
      gb.fill(0);
    }
  }

  /** One pass over `rows` rows in order (no shuffle), mini-batches of `batch` rows. */
  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void {
    const nIn = this.layers[0];
    const nOut = this.layers[this.layers.length - 1];
    for (let start = 0; start < rows; start += batch) {
      const end = Math.min(rows, start + batch);
      for (let r = start; r < end; r++) {
        this.forward(x, r * nIn);
        this.backward(x, r * nIn, t, r * nOut);
      }
      this.step(lr, end - start);
    }
  }

  /** Forward pass for `rows` rows; returns rows*outputs values. */
  predict(x: Float32Array, rows: number): Float32Array {
    const nIn = this.layers[0];
    const nOut = this.layers[this.layers.length - 1];
    const result = new Float32Array(rows * nOut);
    for (let r = 0; r < rows; r++) {
      result.set(this.forward(x, r * nIn), r * nOut);
    }
    return result;
  }
}

/**
 * The three GEMM forms of dense back-propagation, all 2*m*k*n FLOPs:
 *   'AW'  : C[m x n] = A[m x k] . W[k x n]      (forward)
 *   'DWt' : C[m x k] = D[m x n] . W[k x n]^T    (delta to previous layer)
 *   'AtD' : C[k x n] = A[m x k]^T . D[m x n]    (weight gradient)
 * Operands are row-major. `a` is A (or D for 'DWt'), `b` is W (or D for 'AtD').
 */
export const GEMM_FORMS: readonly GemmForm[] = ['AW', 'DWt', 'AtD'];

/** Straightforward triple-loop GEMMs with cache-friendly loop orders, nothing more. */
export function gemmTextbook(
  form: GemmForm,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
): void {
  if (form === 'AW') {
    c.fill(0, 0, m * n);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        const bp = p * n;
        for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      }
    }
  } else if (form === 'DWt') {
    // a = D (m x n), b = W (k x n); C (m x k)
    for (let i = 0; i < m; i++) {
      const di = i * n;
      for (let p = 0; p < k; p++) {
        const wp = p * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += a[di + j] * b[wp + j];
        c[i * k + p] = s;
      }
    }
  } else {
    // a = A (m x k), b = D (m x n); C (k x n)
    c.fill(0, 0, k * n);
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      const di = i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[ai + p];
        const cp = p * n;
        for (let j = 0; j < n; j++) c[cp + j] += aip * b[di + j];
      }
    }
  }
}

/** Operand sizes (a, b, c) of a GEMM form at (m, k, n). */
export function gemmSizes(form: GemmForm, m: number, k: number, n: number): [number, number, number] {
  if (form === 'AW') return [m * k, k * n, m * n];
  if (form === 'DWt') return [m * n, k * n, m * k];
  return [m * k, m * n, k * n];
}

/** The textbook MLP, wrapped as an Adapter; its GEMM hook times gemmTextbook. */
export class TextbookAdapter implements Adapter {
  readonly name = 'textbook';
  private net: TextbookMLP | null = null;
  private bufs = new Map<string, Float32Array[]>();

  async init(layers: number[], opts: NetOptions): Promise<void> {
    this.net = new TextbookMLP(layers, opts);
  }
  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void {
    this.net!.trainEpoch(x, t, rows, batch, lr);
  }
  predict(x: Float32Array, rows: number): Float32Array {
    return this.net!.predict(x, rows);
  }
  dispose(): void {
    this.net = null;
  }
  gemm: GemmHook = (form, m, k, n) => {
    const key = `${form}:${m}:${k}:${n}`;
    let b = this.bufs.get(key);
    if (!b) {
      const [sa, sb, sc] = gemmSizes(form, m, k, n);
      b = [randomMatrix(sa, 11), randomMatrix(sb, 12), new Float32Array(sc)];
      this.bufs.set(key, b);
    }
    const t0 = performance.now();
    gemmTextbook(form, b[0], b[1], b[2], m, k, n);
    const dt = performance.now() - t0;
    keep(b[2][0] + b[2][b[2].length - 1]);
    return dt / 1000;
  };
}
