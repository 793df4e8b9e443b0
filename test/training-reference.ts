// Float64 reference training for the training-*.test.ts files: backpropagation written from the
// chain rule, and the optimizers written from their published formulas (PyTorch's SGD with
// momentum/Nesterov and coupled L2 weight decay; Kingma & Ba's Adam, which DIVIDES by 1 − β^t).
// Nothing here calls simdnet; the tests hand it the same initial float32 weights and data.
import { derivativeFromY, f64, forwardRef, lossRef, rng, randomF32, type ActivationRef, type LossRef, type NetRef } from './reference.js';
import type { Weights } from '../src/index.js';

export { rng, randomF32, f64, forwardRef, lossRef, type ActivationRef, type NetRef, type LossRef };

/** The float64 reference network of a float32 weight set. */
export function toRef(w: Weights, layers: number[], activations: ActivationRef[]): NetRef {
  return {
    layers, activations,
    weights: w.weights.map((a) => f64(a)),
    biases: w.biases.map((b) => (b ? f64(b) : null)),
  };
}

/** Float32 weights drawn from mulberry32 (independent of simdnet's generator), biases too. */
export function randomWeights(layers: number[], seed: number, scale = 0.8): Weights {
  const random = rng(seed);
  const weights: Float32Array[] = [], biases: Float32Array[] = [];
  for (let l = 0; l < layers.length - 1; l++) {
    weights.push(randomF32(layers[l]! * layers[l + 1]!, random, -scale, scale));
    biases.push(randomF32(layers[l + 1]!, random, -scale / 4, scale / 4));
  }
  return { weights, biases };
}

/** ∂E/∂y of the loss as defined (sse Σ, mse and bce mean over rows·cols, ce mean over rows). */
function lossGradient(loss: LossRef, y: Float64Array, t: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!, ti = t[i]!;
    if (loss === 'sse') g[i] = 2 * (yi - ti);
    else if (loss === 'mse') g[i] = (2 * (yi - ti)) / (rows * cols);
    else if (loss === 'binary-cross-entropy') g[i] = (yi - ti) / (yi * (1 - yi)) / (rows * cols);
    else g[i] = -ti / yi / rows;
  }
  return g;
}

/** ∂E/∂s from ∂E/∂y through the activation (softmax: its full Jacobian, row by row). */
function throughActivation(a: ActivationRef, g: Float64Array, y: Float64Array, rows: number, cols: number): Float64Array {
  const d = new Float64Array(g.length);
  if (a.name === 'softmax') {
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += g[r * cols + j]! * y[r * cols + j]!;
      for (let j = 0; j < cols; j++) d[r * cols + j] = y[r * cols + j]! * (g[r * cols + j]! - dot);
    }
    return d;
  }
  for (let i = 0; i < g.length; i++) d[i] = g[i]! * derivativeFromY(a, y[i]!);
  return d;
}

export interface Gradient { weights: Float64Array[]; biases: (Float64Array | null)[]; loss: number }

/** The loss and its exact gradient by backpropagation, in float64. */
export function gradientRef(net: NetRef, loss: LossRef, x: ArrayLike<number>, t: ArrayLike<number>, rows: number): Gradient {
  const n = net.layers.length - 1;
  const ys = forwardRef(net, x, rows);
  const cols = net.layers[n]!;
  const out: Gradient = { weights: [], biases: [], loss: lossRef(loss, ys[n]!, t, rows, cols) };
  let d = throughActivation(net.activations[n - 1]!, lossGradient(loss, ys[n]!, t, rows, cols), ys[n]!, rows, cols);
  for (let l = n - 1; l >= 0; l--) {
    const fanIn = net.layers[l]!, fanOut = net.layers[l + 1]!, input = ys[l]!, w = net.weights[l]!;
    const gw = new Float64Array(fanIn * fanOut), gb = new Float64Array(fanOut);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < fanOut; j++) {
        const dj = d[r * fanOut + j]!;
        gb[j] = gb[j]! + dj;
        for (let i = 0; i < fanIn; i++) gw[i * fanOut + j] = gw[i * fanOut + j]! + input[r * fanIn + i]! * dj;
      }
    }
    out.weights[l] = gw;
    out.biases[l] = net.biases[l] ? gb : null;
    if (l > 0) {
      const back = new Float64Array(rows * fanIn);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < fanIn; i++) {
          let s = 0;
          for (let j = 0; j < fanOut; j++) s += d[r * fanOut + j]! * w[i * fanOut + j]!;
          back[r * fanIn + i] = s;
        }
      }
      d = throughActivation(net.activations[l - 1]!, back, input, rows, fanIn);
    }
  }
  return out;
}

export interface OptimizerRef {
  optimizer: 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adam-convnetjs';
  momentum?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  clipNorm?: number;
  /** clip each layer's weights and biases separately (a wrong variant, to show the test can tell) */
  clipPerLayer?: boolean;
}

/**
 * Optimizer state over a list of parameter arrays [W0, b0, W1, b1, …]. Per step, with g the loss
 * gradient (rescaled so that ‖g‖₂ over ALL arrays ≤ clipNorm) plus decay·w:
 *   sgd       w −= lr·g
 *   momentum  v = μv + g;  w −= lr·v                        (PyTorch SGD, dampening 0)
 *   nesterov  v = μv + g;  w −= lr·(g + μv)                 (PyTorch SGD, nesterov=True)
 *   adam      m = β1m + (1−β1)g;  v = β2v + (1−β2)g²;  w −= lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
 *   adam-convnetjs: the same but MULTIPLYING m and v by (1−β^t), ConvNetJS's mistake.
 */
export class Optimizer {
  t = 0;
  private m: Float64Array[] | null = null;
  private v: Float64Array[] | null = null;
  constructor(readonly o: OptimizerRef) {}

  step(params: Float64Array[], grads: Float64Array[], lr: number): void {
    const o = this.o;
    this.m ??= params.map((p) => new Float64Array(p.length));
    this.v ??= params.map((p) => new Float64Array(p.length));
    this.t++;
    const scales = params.map(() => 1);
    if (o.clipNorm) {
      const norm = (arrays: Float64Array[]): number => Math.sqrt(arrays.reduce((s, a) => s + a.reduce((q, v) => q + v * v, 0), 0));
      if (o.clipPerLayer) {
        for (let k = 0; k < grads.length; k += 2) {
          const n = norm(grads.slice(k, k + 2));
          if (n > o.clipNorm) scales[k] = scales[k + 1] = o.clipNorm / n;
        }
      } else {
        const n = norm(grads);
        if (n > o.clipNorm) scales.fill(o.clipNorm / n);
      }
    }
    const mu = o.momentum ?? 0.9, b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.epsilon ?? 1e-8, decay = o.weightDecay ?? 0;
    const c1 = 1 - Math.pow(b1, this.t), c2 = 1 - Math.pow(b2, this.t);
    params.forEach((w, k) => {
      const m = this.m![k]!, v = this.v![k]!, gk = grads[k]!;
      for (let i = 0; i < w.length; i++) {
        const wi = w[i]!, g = gk[i]! * scales[k]! + decay * wi;
        switch (o.optimizer) {
          case 'sgd': w[i] = wi - lr * g; break;
          case 'momentum': m[i] = mu * m[i]! + g; w[i] = wi - lr * m[i]!; break;
          case 'nesterov': m[i] = mu * m[i]! + g; w[i] = wi - lr * (g + mu * m[i]!); break;
          case 'adam':
            m[i] = b1 * m[i]! + (1 - b1) * g; v[i] = b2 * v[i]! + (1 - b2) * g * g;
            w[i] = wi - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
            break;
          case 'adam-convnetjs':
            m[i] = b1 * m[i]! + (1 - b1) * g; v[i] = b2 * v[i]! + (1 - b2) * g * g;
            w[i] = wi - (lr * (m[i]! * c1)) / (Math.sqrt(v[i]! * c2) + eps);
            break;
        }
      }
    });
  }
}

/** [W0, b0, W1, b1, …] views of a reference network (biases must exist). */
export const paramList = (net: NetRef): Float64Array[] => net.weights.flatMap((w, l) => [w, net.biases[l]!]);
export const gradList = (g: Gradient): Float64Array[] => g.weights.flatMap((w, l) => [w, g.biases[l]!]);

export interface RefRun {
  /** the loss of every batch, before its update */
  batchLosses: number[][];
  /** the loss over all rows after every epoch */
  errors: number[];
}

/**
 * Trains the reference in storage order (shuffle: false): batches of batchSize rows, one step each,
 * the learning rate of epoch e (0-based over the run) from lrAt(e).
 */
export function trainRef(net: NetRef, loss: LossRef, x: ArrayLike<number>, t: ArrayLike<number>, rows: number,
  opt: Optimizer, epochs: number, batchSize: number, lrAt: (epoch: number) => number): RefRun {
  const nin = net.layers[0]!, nout = net.layers[net.layers.length - 1]!;
  const run: RefRun = { batchLosses: [], errors: [] };
  for (let e = 0; e < epochs; e++) {
    const losses: number[] = [];
    for (let start = 0; start < rows; start += batchSize) {
      const count = Math.min(batchSize, rows - start);
      const xb = Array.prototype.slice.call(x, start * nin, (start + count) * nin) as number[];
      const tb = Array.prototype.slice.call(t, start * nout, (start + count) * nout) as number[];
      const g = gradientRef(net, loss, xb, tb, count);
      losses.push(g.loss);
      opt.step(paramList(net), gradList(g), lrAt(e));
    }
    run.batchLosses.push(losses);
    run.errors.push(lossRef(loss, forwardRef(net, x, rows)[net.layers.length - 1]!, t, rows, nout));
  }
  return run;
}

/** Largest |simdnet − reference| over every weight and bias. */
export function weightDiff(w: Weights, net: NetRef): number {
  let m = 0;
  w.weights.forEach((a, l) => {
    const b = net.weights[l]!;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
    const ab = w.biases[l], bb = net.biases[l];
    if (ab && bb) for (let i = 0; i < ab.length; i++) m = Math.max(m, Math.abs(ab[i]! - bb[i]!));
  });
  return Number.isNaN(m) ? Infinity : m;
}

/** Largest |w| over every weight and bias. */
export function weightScale(net: NetRef): number {
  let m = 0;
  for (const a of [...net.weights, ...net.biases]) if (a) for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** True when two weight sets are bit-identical. */
export function sameWeights(a: Weights, b: Weights): boolean {
  const eq = (p: ArrayLike<number> | null, q: ArrayLike<number> | null): boolean => {
    if (!p || !q) return p === q;
    if (p.length !== q.length) return false;
    for (let i = 0; i < p.length; i++) if (!Object.is(p[i], q[i])) return false;
    return true;
  };
  return a.weights.every((w, l) => eq(w, b.weights[l]!) && eq(a.biases[l] ?? null, b.biases[l] ?? null));
}

/** A classification task: class = band of a fixed projection, one-hot targets. */
export function classTask(rows: number, nin: number, nout: number, seed: number): { x: Float32Array; t: Float32Array } {
  const random = rng(seed);
  const x = randomF32(rows * nin, random);
  const t = new Float32Array(rows * nout);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < nin; i++) s += x[r * nin + i]! * (i + 1) * (i % 2 ? 1 : -1);
    t[r * nout + Math.min(nout - 1, Math.floor(((Math.tanh(s) + 1) / 2) * nout))] = 1;
  }
  return { x, t };
}
