// Initial weights from the network's seeded generator. Biases start at zero.
import { FloatArray } from './float.js';
import type { NetworkConfig } from './options.js';
import type { Random } from './random.js';
import type { Weights } from './nn.js';

/**
 * 'xavier' (Glorot uniform, ±√(6/(fanIn+fanOut))), 'he' (normal, σ = √(2/fanIn)), 'uniform'
 * (±initScale, default 0.5, the textbook's small random weights), 'normal' (σ = initScale,
 * default 1: the article's randn); 'auto' is He for ReLU-family layers and Xavier otherwise.
 */
export function initialWeights(c: NetworkConfig, random: Random): Weights {
  const weights: FloatArray[] = [], biases: (FloatArray | null)[] = [];
  for (let l = 0; l < c.layers.length - 1; l++) {
    const fanIn = c.layers[l]!, fanOut = c.layers[l + 1]!;
    const act = c.activations[l]!.name;
    let init = c.init;
    if (init === 'auto') init = act === 'relu' || act === 'leaky-relu' ? 'he' : 'xavier';
    const w = new FloatArray(fanIn * fanOut);
    if (init === 'xavier' || init === 'uniform') {
      const r = init === 'xavier' ? Math.sqrt(6 / (fanIn + fanOut)) : c.initScale ?? 0.5;
      for (let i = 0; i < w.length; i++) w[i] = (2 * random.uniform() - 1) * r;
    } else {
      const sigma = init === 'he' ? Math.sqrt(2 / fanIn) : c.initScale ?? 1;
      for (let i = 0; i < w.length; i++) w[i] = random.normal() * sigma;
    }
    weights.push(w);
    biases.push(c.bias ? new FloatArray(fanOut) : null);
  }
  return { weights, biases };
}
