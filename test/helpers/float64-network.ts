// The network in float64, written from the mathematics and never by calling simdnet's kernels:
// activations, dense products, the forward pass, the losses as defined and their finite-difference
// gradient. Every matrix is a row-major Float64Array; weights are fanIn × fanOut.
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
  const gain = a.gain ?? 1,
    threshold = a.threshold ?? 0,
    slope = a.slope ?? 0.01;
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
      case 'sigmoid':
        y[i] = 1 / (1 + Math.exp(-gain * (v - threshold)));
        break;
      case 'tanh':
        y[i] = Math.tanh(v);
        break;
      case 'relu':
        y[i] = v > 0 ? v : 0;
        break;
      case 'leaky-relu':
        y[i] = v > 0 ? v : slope * v;
        break;
      case 'linear':
        y[i] = v;
        break;
    }
  }
  return y;
}

/** f'(s) written in terms of y = f(s), for the elementwise activations. */
export function derivativeFromY(a: ActivationRef, y: number): number {
  switch (a.name) {
    case 'sigmoid':
      return (a.gain ?? 1) * y * (1 - y);
    case 'tanh':
      return 1 - y * y;
    case 'relu':
      return y > 0 ? 1 : 0;
    case 'leaky-relu':
      return y > 0 ? 1 : (a.slope ?? 0.01);
    case 'linear':
      return 1;
    default:
      throw new Error(`no elementwise derivative for ${a.name}`);
  }
}

// ---- dense products ----------------------------------------------------------------------

/** C[m×n] = A[m×k] · B[k×n] (+ bias[n]); also returns Σ|a||b| per entry for error bounds. */
export function matmulRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  m: number,
  k: number,
  n: number,
): { c: Float64Array; abs: Float64Array } {
  const c = new Float64Array(m * n),
    abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j]! : 0,
        t = bias ? Math.abs(bias[j]!) : 0;
      for (let p = 0; p < k; p++) {
        const v = a[i * k + p]! * b[p * n + j]!;
        s += v;
        t += Math.abs(v);
      }
      c[i * n + j] = s;
      abs[i * n + j] = t;
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
  weights: Float64Array[]; // fanIn × fanOut, row-major
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
    const yi = y[i]!,
      ti = t[i]!;
    if (loss === 'sse' || loss === 'mse') sum += (yi - ti) ** 2;
    else if (loss === 'binary-cross-entropy') sum -= ti * Math.log(yi) + (1 - ti) * Math.log(1 - yi);
    else if (ti !== 0) sum -= ti * Math.log(yi);
  }
  if (loss === 'sse') return sum;
  if (loss === 'cross-entropy') return sum / rows;
  return sum / (rows * cols);
}

/** Central-difference gradient of the network's loss in float64, every weight and bias. */
export function finiteDifferenceGradient(
  net: NetRef,
  loss: LossRef,
  x: ArrayLike<number>,
  t: ArrayLike<number>,
  rows: number,
  h = 1e-6,
): { weights: Float64Array[]; biases: (Float64Array | null)[] } {
  const out = net.layers.length - 1;
  const E = (): number => lossRef(loss, forwardRef(net, x, rows)[out]!, t, rows, net.layers[out]!);
  const grad = (p: Float64Array): Float64Array => {
    const g = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const v = p[i]!;
      p[i] = v + h;
      const up = E();
      p[i] = v - h;
      const down = E();
      p[i] = v;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  };
  return { weights: net.weights.map(grad), biases: net.biases.map((b) => (b ? grad(b) : null)) };
}

/** The float64 network of a weight set (simdnet's Weights, or a saved model's arrays). */
export function toRef(
  w: { weights: ArrayLike<number>[]; biases: (ArrayLike<number> | null)[] },
  layers: number[],
  activations: ActivationRef[],
): NetRef {
  return {
    layers,
    activations,
    weights: w.weights.map((a) => f64(a)),
    biases: w.biases.map((b) => (b ? f64(b) : null)),
  };
}
