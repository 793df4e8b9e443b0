// A network's parameters as the public API sees them: per layer, the weights (fanIn × fanOut,
// row-major) and the biases. Their initial values, and the check of any set the user hands in.
import { FloatArray } from '../float.js';
import type { NetworkConfig } from '../vocabulary.js';
import { checkKeys, isPlainObject, rangeError, typeError } from '../check.js';
import { toMatrix } from './data.js';
import type { Random } from './random.js';

export interface Weights {
  /** weights[l] is fanIn × fanOut, row-major: s = x · W (the article's layout) */
  weights: FloatArray[];
  biases: (FloatArray | null)[];
}

/**
 * Initial weights from the network's seeded generator; biases start at zero.
 * 'xavier' (Glorot uniform, ±√(6/(fanIn+fanOut))), 'he' (normal, σ = √(2/fanIn)), 'uniform'
 * (±initScale, default 0.5, the textbook's small random weights), 'normal' (σ = initScale,
 * default 1: the article's randn); 'auto' is He for ReLU-family layers and Xavier otherwise.
 */
export function initialWeights(c: NetworkConfig, random: Random): Weights {
  const weights: FloatArray[] = [],
    biases: (FloatArray | null)[] = [];
  for (let l = 0; l < c.layers.length - 1; l++) {
    const fanIn = c.layers[l]!,
      fanOut = c.layers[l + 1]!;
    const act = c.activations[l]!.name;
    let init = c.init;
    if (init === 'auto') init = act === 'relu' || act === 'leaky-relu' ? 'he' : 'xavier';
    const w = new FloatArray(fanIn * fanOut);
    if (init === 'xavier' || init === 'uniform') {
      const r = init === 'xavier' ? Math.sqrt(6 / (fanIn + fanOut)) : (c.initScale ?? 0.5);
      for (let i = 0; i < w.length; i++) w[i] = (2 * random.uniform() - 1) * r;
    } else {
      const sigma = init === 'he' ? Math.sqrt(2 / fanIn) : (c.initScale ?? 1);
      for (let i = 0; i < w.length; i++) w[i] = random.normal() * sigma;
    }
    weights.push(w);
    biases.push(c.bias ? new FloatArray(fanOut) : null);
  }
  return { weights, biases };
}

/** Checks a { weights, biases } object against the architecture; returns it as Float32Arrays. */
export function checkWeights(w: unknown, c: NetworkConfig, field: string): Weights {
  if (!isPlainObject(w)) throw typeError(field, '{ weights, biases }', w);
  checkKeys(field, w, ['weights', 'biases']);
  const { weights, biases } = w;
  const n = c.layers.length - 1;
  if (!Array.isArray(weights) || weights.length !== n)
    throw rangeError(`${field}.weights`, `an array of ${n} matrices`, weights);
  if (
    c.bias
      ? !Array.isArray(biases) || biases.length !== n
      : biases != null && (!Array.isArray(biases) || biases.some((b) => b !== null))
  ) {
    throw rangeError(
      `${field}.biases`,
      c.bias ? `an array of ${n} vectors` : 'null entries (the network has no bias)',
      biases,
    );
  }
  const out: Weights = { weights: [], biases: [] };
  for (let l = 0; l < n; l++) {
    const fanIn = c.layers[l]!,
      fanOut = c.layers[l + 1]!;
    const m = toMatrix(weights[l], fanOut, `${field}.weights[${l}]`);
    if (m.rows !== fanIn)
      throw rangeError(
        `${field}.weights[${l}]`,
        `${fanIn} x ${fanOut} values (fanIn x fanOut)`,
        `${m.rows} rows of ${fanOut}`,
      );
    out.weights.push(m.data === weights[l] ? m.data.slice() : m.data);
    if (c.bias) {
      const b = toMatrix((biases as unknown[])[l], fanOut, `${field}.biases[${l}]`);
      if (b.rows !== 1) throw rangeError(`${field}.biases[${l}].length`, `${fanOut}`, b.data.length);
      out.biases.push(b.data);
    } else out.biases.push(null);
  }
  return out;
}
