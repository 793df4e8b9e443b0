// A dense layer as it is read from a file, with the per-feature affine maps around it folded in:
// BatchNormalization in inference form (PyTorch's BatchNorm1d in eval mode, Keras's layer) after
// the layer, before its activation, scales its columns; one after an activation scales the rows of
// the next layer. The scales are kept in float64 beside the file's float32 weights and applied
// once, when the layer closes, so every folded weight is rounded to float32 once.

/** y = x·scale + shift, per feature. */
export interface Affine64 {
  scale: Float64Array;
  shift: Float64Array;
}

/** BatchNormalization at inference: y = (x − mean)·scale + beta, with scale = gamma/√(variance + ε). */
export interface BatchNorm {
  mean: Float32Array;
  scale: Float64Array;
  beta: Float32Array;
}

/** A dense layer being read: alpha·(x·diag(rowScale))·W·diag(colScale) + bias, in float64 until it closes. */
export interface PendingDense {
  /** the file's weights, fanIn × fanOut, row-major */
  weights: Float32Array;
  fanOut: number;
  alpha: number;
  rowScale: Float64Array | null;
  colScale: Float64Array | null;
  bias: Float64Array | null;
}

/**
 * The inference form of a BatchNormalization; `where` names it in a refusal. A feature whose
 * variance + ε is not positive has no finite scale.
 */
export function batchNorm(
  gamma: Float32Array | null,
  beta: Float32Array | null,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
  where: string,
): BatchNorm {
  const n = mean.length;
  const scale = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const root = Math.sqrt(variance[j]! + epsilon);
    if (!(root > 0 && Number.isFinite(root)))
      throw new RangeError(`${where}: variance[${j}] + epsilon is ${variance[j]! + epsilon}; it must be positive`);
    const g = gamma ? gamma[j]! : 1;
    // exactly gamma where no division is needed (simdnet's own TF.js export writes variance 1, ε 0)
    scale[j] = root === 1 ? g : g / root;
  }
  return { mean, scale, beta: beta ?? new Float32Array(n) };
}

/** The BatchNormalization as y = x·scale + shift. */
export function affineOf(bn: BatchNorm): Affine64 {
  const shift = Float64Array.from(bn.scale, (s, j) => bn.beta[j]! - bn.mean[j]! * s);
  return { scale: Float64Array.from(bn.scale), shift };
}

/** g ∘ f: f applied first. */
export function composeAffine(f: Affine64, g: Affine64): Affine64 {
  return {
    scale: f.scale.map((s, j) => s * g.scale[j]!),
    shift: f.shift.map((t, j) => t * g.scale[j]! + g.shift[j]!),
  };
}

/**
 * A dense layer alpha·x·W (fanIn × fanOut) whose input first goes through `before` (an affine map
 * that follows the previous layer's activation): alpha·(x·s + t)·W = alpha·x·diag(s)·W + alpha·t·W.
 */
export function openDense(weights: Float32Array, fanOut: number, alpha: number, before: Affine64 | null): PendingDense {
  const layer: PendingDense = { weights, fanOut, alpha, rowScale: null, colScale: null, bias: null };
  if (before) {
    layer.rowScale = before.scale;
    const bias = new Float64Array(fanOut);
    before.shift.forEach((t, i) => {
      if (t === 0) return;
      for (let j = 0; j < fanOut; j++) bias[j] = bias[j]! + t * weights[i * fanOut + j]!;
    });
    layer.bias = bias.map((b) => alpha * b);
  }
  return layer;
}

/** Adds `factor`·values to the bias (Gemm's beta·C, a MatMul's Add). */
export function addBias(layer: PendingDense, values: ArrayLike<number>, factor = 1): void {
  const bias = layer.bias ?? new Float64Array(layer.fanOut);
  for (let j = 0; j < layer.fanOut; j++) bias[j] = bias[j]! + factor * values[j]!;
  layer.bias = bias;
}

/** A BatchNormalization on the layer's output (before its activation): columns scaled, bias moved. */
export function foldAfter(layer: PendingDense, bn: BatchNorm): void {
  const { scale, mean, beta } = bn;
  layer.colScale = layer.colScale ? layer.colScale.map((c, j) => c * scale[j]!) : Float64Array.from(scale);
  const bias = layer.bias;
  // a layer without a bias keeps none when the normalisation adds no shift (centred, beta 0)
  if (!bias && mean.every((m, j) => m === 0 && beta[j] === 0)) return;
  layer.bias = Float64Array.from(scale, (s, j) => ((bias ? bias[j]! : 0) - mean[j]!) * s + beta[j]!);
}

/**
 * The layer's float32 weights and bias, each rounded once. `gain` divides both (a sigmoid that
 * keeps Gemm's alpha as its gain); with nothing folded and alpha = gain the file's weights are kept.
 */
export function closeDense(layer: PendingDense, gain: number): { weights: Float32Array; bias: Float32Array | null } {
  const { weights: w, fanOut, alpha, rowScale, colScale } = layer;
  let weights = w;
  if (rowScale || colScale || alpha !== gain) {
    weights = new Float32Array(w.length);
    for (let i = 0, k = 0; k < w.length; i++) {
      const r = rowScale ? rowScale[i]! : 1;
      for (let j = 0; j < fanOut; j++, k++) {
        let v = w[k]! * alpha;
        if (rowScale) v *= r;
        if (colScale) v *= colScale[j]!;
        weights[k] = v / gain;
      }
    }
  }
  const bias = layer.bias ? Float32Array.from(layer.bias, (b) => b / gain) : null;
  return { weights, bias };
}
