// Whether quantized networks on an engine take the relaxed build's int8 dot product
// (i32x4.relaxed_dot_i8x16_i7x16_add_s, the narrow tiles of assembly/quant-dot.ts) or the plain
// SIMD one. Both give the same bits where the relaxed instruction computes what it should, so this
// is a choice of speed, made once per build per process by two short probes on first use:
// - a known answer: Node 20's V8 behind --experimental-wasm-relaxed-simd returns twice the dot
//   product and drops the addend; a build whose relaxed dot product misses the answer never uses it;
// - a timing: V8 emits one AVX-VNNI instruction for it where the CPU has that (then it does twice
//   the work of the plain path per instruction) and three otherwise (then it is slower than the
//   plain path); Wasm cannot see which, so both run on the same layer and the faster one is kept.
import { FloatArray } from '../float.js';
import type { QuantizedLayer } from '../model/quantize.js';
import type { ResolvedActivation } from '../vocabulary.js';
import type { Engine } from './engine.js';
import { QuantizedNetwork } from './quantized.js';

const decided = new Map<string, boolean>();

/** Whether quantized networks on `engine` may take the relaxed int8 dot product (cached per build). */
export function narrowTiles(engine: Engine): boolean {
  if (engine.build !== 'relaxed-simd') return false;
  let narrow = decided.get(engine.build);
  if (narrow === undefined) {
    narrow = relaxedDotExact(engine) && narrowFaster(engine);
    decided.set(engine.build, narrow);
  }
  return narrow;
}

const linear: ResolvedActivation = { name: 'linear', gain: 1, threshold: 0, slope: 0 };

/** A one-layer network k → n with int8 weights w (k×n) at scale 1, no bias. */
function probeNetwork(engine: Engine, k: number, n: number, w: Int8Array, narrow: boolean): QuantizedNetwork {
  const layer: QuantizedLayer = { weights: w, scales: new Float32Array(n).fill(1), bias: null, range: 0 };
  return new QuantizedNetwork(engine, { layers: [k, n], activations: [linear], loss: 'mse' }, [layer], 1, narrow);
}

/**
 * The relaxed path on a known answer: 4 rows of 32 inputs in [0, 127], each row holding 127, and 8
 * columns of weights in [−127, 127], each holding 127, so that quantizing changes nothing (both
 * scales are 1) and every output is the exact integer Σ x·w (16 columns of 2 tiles, 8 steps of 4).
 */
export function relaxedDotExact(engine: Engine): boolean {
  const k = 32,
    n = 8,
    rows = 4;
  const x = new FloatArray(rows * k),
    w = new Int8Array(k * n);
  for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) x[r * k + i] = i === r ? 127 : (i * 7 + r * 13) % 128;
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) w[i * n + j] = i === j ? 127 : ((i * 5 + j * 11) % 255) - 127;
  const net = probeNetwork(engine, k, n, w, true);
  try {
    const y = net.outputs({ data: x, rows, cols: k, form: 'flat' });
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let i = 0; i < k; i++) sum += x[r * k + i]! * w[i * n + j]!;
        if (y[r * n + j] !== sum) return false;
      }
    return true;
  } finally {
    net.release();
  }
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Whether the narrow tiles run a 256 → 128 layer over 256 non-negative rows faster than the wide
 * ones: three warm-up calls each (V8 optimizes a function after its first calls), then the best of
 * five interleaved rounds of each (a few milliseconds in all; each call takes long enough for a
 * browser's coarse clock).
 */
export function narrowFaster(engine: Engine): boolean {
  const k = 256,
    n = 128,
    rows = 256;
  const w = Int8Array.from({ length: k * n }, (_, i) => ((i * 37) % 255) - 127);
  const x = FloatArray.from({ length: rows * k }, (_, i) => ((i * 11) % 97) / 97);
  const input = { data: x, rows, cols: k, form: 'flat' as const };
  const nets = [probeNetwork(engine, k, n, w, false), probeNetwork(engine, k, n, w, true)];
  try {
    const best = [Infinity, Infinity];
    for (let round = 0; round < 8; round++)
      for (let side = 0; side < 2; side++) {
        const start = now();
        nets[side]!.outputs(input);
        if (round >= 3) best[side] = Math.min(best[side]!, now() - start);
      }
    return best[1]! < best[0]!;
  } finally {
    for (const net of nets) net.release();
  }
}
