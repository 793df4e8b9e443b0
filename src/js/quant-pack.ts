// A quantized layer's weights, engine-independent: quantized once from float32 (when a network is
// quantized) and packed into the block that both engines' quantForward read (assembly/quant-dot.ts
// and src/js/quant.ts). The arithmetic is docs/quantization.md's; the layout is declared here only.
import { roundHalfEven } from './quant-activation.js';

const round4 = (n: number): number => (n + 3) & ~3;

/** The first column of W[k×n] (row-major) that holds a NaN or an infinity, or −1. */
export function firstNonFiniteColumn(w: Float32Array, k: number, n: number): number {
  let first = -1;
  for (let i = 0; i < k * n; i++) if (!Number.isFinite(w[i]!) && (first < 0 || i % n < first)) first = i % n;
  return first;
}

/**
 * W[k×n] as int8 with one scale per output neuron j: m = max_i |W[i][j]|, scale = f32(m / 127),
 * q = clamp(roundHalfEven(W·(127 / m)), −127, 127) in float64; a zero column has scale 1 and zeros.
 * W must be finite (firstNonFiniteColumn).
 */
export function quantizeWeights(w: Float32Array, k: number, n: number): { q: Int8Array; scales: Float32Array } {
  const q = new Int8Array(k * n),
    scales = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let m = 0;
    for (let i = 0; i < k; i++) m = Math.max(m, Math.abs(w[i * n + j]!));
    scales[j] = m > 0 ? m / 127 : 1; // float64 division rounded once to float32: the float32 division
    const factor = m > 0 ? 127 / m : 0;
    for (let i = 0; i < k; i++) q[i * n + j] = Math.max(-127, Math.min(127, roundHalfEven(w[i * n + j]! * factor)));
  }
  return { q, scales };
}

/** Bytes of a layer's packed block: Kp×Np int8 weights, then Np scales and Np biases (float32). */
export const packedBytes = (k: number, n: number): number => round4(k) * round4(n) + round4(n) * 8;

/**
 * The packed block of a layer, with Kp and Np its sizes rounded up to multiples of 4: the weights
 * in groups of 4 output columns, each group [Kp/4][4 columns][4 steps] (so that one 16-byte load
 * holds 4 steps of 4 columns), zeros beyond k and n; then the scales and the biases (zeros without
 * a bias), each padded with zeros to Np. It goes to 16-byte-aligned engine memory.
 */
export function packLayer(
  q: Int8Array,
  scales: Float32Array,
  bias: Float32Array | null,
  k: number,
  n: number,
): Uint8Array {
  const kp = round4(k),
    np = round4(n);
  const block = new Uint8Array(packedBytes(k, n));
  const weights = new Int8Array(block.buffer, 0, kp * np);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < n; j++) weights[(j >> 2) * kp * 4 + (i >> 2) * 16 + (j & 3) * 4 + (i & 3)] = q[i * n + j]!;
  const tail = new Float32Array(block.buffer, kp * np, 2 * np);
  tail.set(scales.subarray(0, n));
  if (bias) tail.set(bias.subarray(0, n), np);
  return block;
}
