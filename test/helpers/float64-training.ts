// Training in float64: backpropagation written from the chain rule, and the optimizers from their
// published formulas (PyTorch's SGD with momentum/Nesterov and coupled L2 weight decay; Kingma &
// Ba's Adam, which DIVIDES by 1 − β^t). Nothing here calls simdnet; the tests hand it the same
// initial float32 weights and data.
import type { TrainOptions } from '../../src/index.js';
import {
  derivativeFromY,
  forwardRef,
  lossRef,
  type ActivationRef,
  type LossRef,
  type NetRef,
} from './float64-network.js';

/** ∂E/∂y of the loss as defined (sse Σ, mse and bce mean over rows·cols, ce mean over rows). */
function lossGradient(loss: LossRef, y: Float64Array, t: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const g = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!,
      ti = t[i]!;
    if (loss === 'sse') g[i] = 2 * (yi - ti);
    else if (loss === 'mse') g[i] = (2 * (yi - ti)) / (rows * cols);
    else if (loss === 'binary-cross-entropy') g[i] = (yi - ti) / (yi * (1 - yi)) / (rows * cols);
    else g[i] = -ti / yi / rows;
  }
  return g;
}

/** ∂E/∂s from ∂E/∂y through the activation (softmax: its full Jacobian, row by row). */
function throughActivation(
  a: ActivationRef,
  g: Float64Array,
  y: Float64Array,
  rows: number,
  cols: number,
): Float64Array {
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

export interface Gradient {
  weights: Float64Array[];
  biases: (Float64Array | null)[];
  loss: number;
}

/** The loss and its exact gradient by backpropagation, in float64. */
export function gradientRef(
  net: NetRef,
  loss: LossRef,
  x: ArrayLike<number>,
  t: ArrayLike<number>,
  rows: number,
): Gradient {
  const n = net.layers.length - 1;
  const ys = forwardRef(net, x, rows);
  const cols = net.layers[n]!;
  const out: Gradient = { weights: [], biases: [], loss: lossRef(loss, ys[n]!, t, rows, cols) };
  let d = throughActivation(net.activations[n - 1]!, lossGradient(loss, ys[n]!, t, rows, cols), ys[n]!, rows, cols);
  for (let l = n - 1; l >= 0; l--) {
    const fanIn = net.layers[l]!,
      fanOut = net.layers[l + 1]!,
      input = ys[l]!,
      w = net.weights[l]!;
    const gw = new Float64Array(fanIn * fanOut),
      gb = new Float64Array(fanOut);
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

/** simdnet's optimizer settings, plus two wrong variants to show the tests can tell. */
export interface OptimizerRef
  extends Pick<TrainOptions, 'momentum' | 'beta1' | 'beta2' | 'epsilon' | 'weightDecay' | 'clipNorm'> {
  optimizer: 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adam-convnetjs';
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
      const norm = (arrays: Float64Array[]): number =>
        Math.sqrt(arrays.reduce((s, a) => s + a.reduce((q, v) => q + v * v, 0), 0));
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
    const mu = o.momentum ?? 0.9,
      b1 = o.beta1 ?? 0.9,
      b2 = o.beta2 ?? 0.999,
      eps = o.epsilon ?? 1e-8,
      decay = o.weightDecay ?? 0;
    const c1 = 1 - b1 ** this.t,
      c2 = 1 - b2 ** this.t;
    params.forEach((w, k) => {
      const m = this.m![k]!,
        v = this.v![k]!,
        gk = grads[k]!;
      for (let i = 0; i < w.length; i++) {
        const wi = w[i]!,
          g = gk[i]! * scales[k]! + decay * wi;
        switch (o.optimizer) {
          case 'sgd':
            w[i] = wi - lr * g;
            break;
          case 'momentum':
            m[i] = mu * m[i]! + g;
            w[i] = wi - lr * m[i]!;
            break;
          case 'nesterov':
            m[i] = mu * m[i]! + g;
            w[i] = wi - lr * (g + mu * m[i]!);
            break;
          case 'adam':
            m[i] = b1 * m[i]! + (1 - b1) * g;
            v[i] = b2 * v[i]! + (1 - b2) * g * g;
            w[i] = wi - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
            break;
          case 'adam-convnetjs':
            m[i] = b1 * m[i]! + (1 - b1) * g;
            v[i] = b2 * v[i]! + (1 - b2) * g * g;
            w[i] = wi - (lr * (m[i]! * c1)) / (Math.sqrt(v[i]! * c2) + eps);
            break;
        }
      }
    });
  }
}

/** [W0, b0, W1, b1, …] views of a reference network (biases must exist). */
const paramList = (net: NetRef): Float64Array[] => net.weights.flatMap((w, l) => [w, net.biases[l]!]);
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
export function trainRef(
  net: NetRef,
  loss: LossRef,
  x: ArrayLike<number>,
  t: ArrayLike<number>,
  rows: number,
  opt: Optimizer,
  epochs: number,
  batchSize: number,
  lrAt: (epoch: number) => number,
): RefRun {
  const nin = net.layers[0]!,
    nout = net.layers[net.layers.length - 1]!;
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
