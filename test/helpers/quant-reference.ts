// The quantized arithmetic of docs/quantization.md re-derived in float64 from the float weights,
// without simdnet's quantizer or kernels: the weights quantized per output neuron, each input row
// by its own range (or a calibrated one), exact integer sums, then the float32 roundings where the
// definition rounds, and the activations with Math.exp (so exact through ReLU, leaky ReLU and
// linear layers, within the Wasm exponential's error through sigmoid, tanh and softmax).
import { ACT } from '../../src/abi/kinds.js';

const f32 = Math.fround;

/** Round half to even, from floor (independent of the twin's Math.round form). */
function rne(x: number): number {
  const f = Math.floor(x),
    d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}
const clamp127 = (r: number): number => Math.max(-127, Math.min(127, r));

/** What the reference needs of a layer: its activation code and parameters, and its input range (0: per row). */
export interface ReferenceLayer {
  act: number;
  p0: number;
  p1: number;
  range: number;
}

/**
 * The outputs of the quantized network of float32 weights (k×n each) and biases (null: none) over
 * the rows of x (row-major, sizes[0] wide), in float64.
 */
export function quantReference(
  sizes: readonly number[],
  layers: readonly ReferenceLayer[],
  weights: readonly Float32Array[],
  biases: readonly (Float32Array | null)[],
  x: Float32Array,
): Float64Array {
  const L = layers.length;
  const qw: Int8Array[] = [],
    sw: number[][] = [];
  for (let l = 0; l < L; l++) {
    const k = sizes[l]!,
      n = sizes[l + 1]!,
      w = weights[l]!;
    const q = new Int8Array(k * n),
      s: number[] = [];
    for (let j = 0; j < n; j++) {
      let m = 0;
      for (let i = 0; i < k; i++) m = Math.max(m, Math.abs(w[i * n + j]!));
      s.push(m > 0 ? f32(m / 127) : 1);
      for (let i = 0; i < k; i++) q[i * n + j] = m > 0 ? clamp127(rne(w[i * n + j]! * (127 / m))) : 0;
    }
    qw.push(q);
    sw.push(s);
  }
  const k0 = sizes[0]!,
    rows = x.length / k0,
    nL = sizes[L]!;
  const out = new Float64Array(rows * nL);
  for (let r = 0; r < rows; r++) {
    let row = Array.from(x.subarray(r * k0, (r + 1) * k0));
    for (let l = 0; l < L; l++) {
      const k = sizes[l]!,
        n = sizes[l + 1]!,
        spec = layers[l]!,
        b = biases[l];
      let m = spec.range;
      if (!(m > 0)) for (const v of row) m = Math.max(m, Math.abs(v));
      m = Math.max(m, 2 ** -100);
      const inv = f32(127 / m),
        sx = f32(m / 127);
      const qx = row.map((v) => clamp127(rne(f32(v * inv))));
      const s: number[] = [];
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += qx[i]! * qw[l]![i * n + j]!;
        s.push(f32(f32(f32(f32(acc) * sx) * sw[l]![j]!) + (b ? b[j]! : 0)));
      }
      row = activate64(spec.act, s, spec.p0, spec.p1);
    }
    out.set(row, r * nL);
  }
  return out;
}

/** An activation in float64 (leaky ReLU's product rounded to float32, as the definition does). */
export function activate64(kind: number, s: number[], p0: number, p1: number): number[] {
  switch (kind) {
    case ACT.sigmoid:
      return s.map((v) => 1 / (1 + Math.exp(-p0 * (v - p1))));
    case ACT.tanh:
      return s.map(Math.tanh);
    case ACT.relu:
      return s.map((v) => (v > 0 ? v : 0));
    case ACT['leaky-relu']:
      return s.map((v) => (v > 0 ? v : f32(p0 * v)));
    case ACT.softmax: {
      const max = Math.max(...s),
        e = s.map((v) => Math.exp(v - max)),
        sum = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / sum);
    }
    default:
      return s;
  }
}
