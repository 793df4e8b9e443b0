/**
 * LeanMLP: the multilayer perceptron a competent user writes by hand for a small network, in
 * plain JavaScript: typed arrays allocated once, loops over the actual sizes, nothing else.
 *
 * Every layer has the same activation, the sigmoid 1/(1+exp(-gain(s - threshold))) or tanh; the
 * loss is the article's E = Σ (y - t)², whose gradient is used as defined (summed over a
 * mini-batch, no averaging); the step is plain gradient descent. With batch 1 it is the article's
 * sequential update: each weight is corrected in the same sweep that back-propagates through it.
 * Weights are neuron-major (w[j][i], row j = the fan-in of neuron j), so both the forward dot
 * products and the backward sweep read contiguous memory.
 */
import type { Adapter, NetOptions } from './types.js';

export interface LeanSpec {
  layers: number[];
  activation: 'sigmoid' | 'tanh';
  gain: number;
  threshold: number;
  bias: boolean;
}

export class LeanMLP {
  private readonly L: number;
  private readonly sizes: number[];
  private readonly sigmoid: boolean;
  private readonly gain: number;
  private readonly threshold: number;
  /** w[l][j * fanIn + i]: weight from input i to neuron j of layer l */
  readonly w: Float32Array[] = [];
  readonly b: (Float32Array | null)[] = [];
  private readonly gw: Float32Array[] = [];
  private readonly gb: Float32Array[] = [];
  private readonly y: Float32Array[] = [];
  private readonly d: Float32Array[] = [];

  /** weights[l] is fanIn × fanOut row-major (s = x·W, simdnet's layout); it is stored transposed. */
  constructor(spec: LeanSpec, weights: Float32Array[], biases: (Float32Array | null)[]) {
    this.sizes = spec.layers.slice();
    this.L = this.sizes.length - 1;
    this.sigmoid = spec.activation === 'sigmoid';
    this.gain = spec.gain;
    this.threshold = spec.threshold;
    for (let l = 0; l < this.L; l++) {
      const nIn = this.sizes[l],
        nOut = this.sizes[l + 1];
      const w = new Float32Array(nIn * nOut);
      for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) w[j * nIn + i] = weights[l][i * nOut + j];
      this.w.push(w);
      this.b.push(spec.bias ? Float32Array.from(biases[l]!) : null);
      this.gw.push(new Float32Array(nIn * nOut));
      this.gb.push(new Float32Array(nOut));
      this.y.push(new Float32Array(nOut));
      this.d.push(new Float32Array(nOut));
    }
  }

  /** Forward pass of the row of x at offset off; returns the output layer's buffer. */
  forward(x: Float32Array, off: number): Float32Array {
    const gain = this.gain,
      threshold = this.threshold,
      sigmoid = this.sigmoid;
    let input = x,
      inOff = off;
    for (let l = 0; l < this.L; l++) {
      const nIn = this.sizes[l],
        nOut = this.sizes[l + 1],
        w = this.w[l],
        b = this.b[l],
        y = this.y[l];
      for (let j = 0; j < nOut; j++) {
        let s = b ? b[j] : 0;
        const row = j * nIn;
        for (let i = 0; i < nIn; i++) s += w[row + i] * input[inOff + i];
        y[j] = sigmoid ? 1 / (1 + Math.exp(-gain * (s - threshold))) : Math.tanh(s);
      }
      input = y;
      inOff = 0;
    }
    return this.y[this.L - 1];
  }

  /** One pass over rows in order; a descent step every `batch` rows (batch 1: the article's sequential update). */
  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void {
    const nIn = this.sizes[0],
      nOut = this.sizes[this.L];
    for (let start = 0; start < rows; start += batch) {
      const end = Math.min(rows, start + batch);
      for (let r = start; r < end; r++) {
        this.forward(x, r * nIn);
        this.backward(x, r * nIn, t, r * nOut, batch === 1 ? lr : 0);
      }
      if (batch !== 1) this.step(lr);
    }
  }

  /**
   * Error terms of the row after forward(); with lr > 0 each weight is corrected as soon as its
   * error term has been propagated through it, else its gradient is accumulated for step().
   */
  private backward(x: Float32Array, xOff: number, t: Float32Array, tOff: number, lr: number): void {
    const gain = this.gain,
      sigmoid = this.sigmoid,
      last = this.L - 1;
    const yOut = this.y[last],
      dOut = this.d[last];
    for (let j = 0; j < this.sizes[this.L]; j++) {
      const y = yOut[j];
      dOut[j] = 2 * (y - t[tOff + j]) * (sigmoid ? gain * y * (1 - y) : 1 - y * y);
    }
    for (let l = last; l >= 0; l--) {
      const nIn = this.sizes[l],
        nOut = this.sizes[l + 1],
        w = this.w[l],
        b = this.b[l],
        d = this.d[l];
      const input = l === 0 ? x : this.y[l - 1],
        inOff = l === 0 ? xOff : 0;
      const dPrev = l === 0 ? null : this.d[l - 1];
      if (dPrev) dPrev.fill(0);
      const gw = this.gw[l],
        gb = this.gb[l];
      for (let j = 0; j < nOut; j++) {
        const dj = d[j],
          row = j * nIn;
        if (lr > 0) {
          const step = lr * dj;
          for (let i = 0; i < nIn; i++) {
            const wi = w[row + i];
            if (dPrev) dPrev[i] += wi * dj;
            w[row + i] = wi - step * input[inOff + i];
          }
          if (b) b[j] -= step;
        } else {
          for (let i = 0; i < nIn; i++) {
            if (dPrev) dPrev[i] += w[row + i] * dj;
            gw[row + i] += dj * input[inOff + i];
          }
          gb[j] += dj;
        }
      }
      if (dPrev) {
        const y = this.y[l - 1];
        for (let i = 0; i < nIn; i++) dPrev[i] *= sigmoid ? gain * y[i] * (1 - y[i]) : 1 - y[i] * y[i];
      }
    }
  }

  /** w -= lr·(gradient summed over the batch); the sums start again from zero. */
  private step(lr: number): void {
    for (let l = 0; l < this.L; l++) {
      const w = this.w[l],
        gw = this.gw[l],
        b = this.b[l],
        gb = this.gb[l];
      for (let k = 0; k < w.length; k++) w[k] -= lr * gw[k];
      if (b) for (let k = 0; k < b.length; k++) b[k] -= lr * gb[k];
      gw.fill(0);
      gb.fill(0);
    }
  }
}

/**
 * LeanMLP as a bench engine. It needs the workload's initial weights (NetOptions.initial);
 * predict of one row returns the network's own output buffer: the bare forward pass.
 */
export class LeanAdapter implements Adapter {
  readonly name = 'lean';
  readonly takesInitialWeights = true;
  private net: LeanMLP | null = null;
  private nIn = 0;
  private nOut = 0;

  async init(layers: number[], opts: NetOptions): Promise<void> {
    if (!opts.initial || opts.hidden !== opts.output || (opts.hidden !== 'sigmoid' && opts.hidden !== 'tanh')) {
      throw new Error('lean runs sigmoid or tanh networks (one activation) from given initial weights');
    }
    this.nIn = layers[0];
    this.nOut = layers[layers.length - 1];
    const spec: LeanSpec = {
      layers,
      activation: opts.hidden,
      gain: opts.gain ?? 1,
      threshold: opts.threshold ?? 0,
      bias: opts.bias ?? true,
    };
    this.net = new LeanMLP(spec, opts.initial.weights, opts.initial.biases);
  }

  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void {
    this.net!.trainEpoch(x, t, rows, batch, lr);
  }

  predict(x: Float32Array, rows: number): Float32Array {
    if (rows === 1) return this.net!.forward(x, 0);
    const out = new Float32Array(rows * this.nOut);
    for (let r = 0; r < rows; r++) out.set(this.net!.forward(x, r * this.nIn), r * this.nOut);
    return out;
  }

  dispose(): void {
    this.net = null;
  }
}
