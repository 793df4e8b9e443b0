// toJSON → JSON.stringify → NN.fromJSON (and toBinary → fromBinary) give back the same network:
// bit-equal predictions on the same engine, float32-close on the other, the documented envelope.
import { describe, expect, it } from 'vitest';
import { NN, type ModelJSON } from '../src/index.js';
import { randomF32, rng } from './helpers/random-data.js';
import { f64, forwardRef, type ActivationRef } from './helpers/float64-network.js';
import { maxAbsDiff } from './helpers/tolerance.js';

const ENGINES = ['js', 'wasm'] as const;
const LAYERS = [5, 8, 6, 3];
const ACTIVATIONS: ActivationRef[] = [{ name: 'sigmoid', gain: 0.5, threshold: 0.25 }, { name: 'leaky-relu', slope: 0.2 }, { name: 'softmax' }];

async function trained(engine: 'js' | 'wasm'): Promise<NN> {
  const net = await NN.create({
    layers: LAYERS, activation: [{ name: 'sigmoid', gain: 0.5, threshold: 0.25 }, { name: 'leaky-relu', slope: 0.2 }, 'softmax'],
    loss: 'cross-entropy', engine, seed: 77,
  });
  const random = rng(12);
  const x = randomF32(64 * 5, random);
  const t = new Float32Array(64 * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  net.train(x, t, { epochs: 5, batchSize: 8, optimizer: 'adam', learningRate: 0.01 });
  return net;
}

describe.each(ENGINES)('serialization from %s', (from) => {
  it('the JSON is the documented envelope: format simdnet, version 1, architecture and weights', async () => {
    const net = await trained(from);
    const json = JSON.parse(JSON.stringify(net.toJSON())) as ModelJSON;
    expect(json.format).toBe('simdnet');
    expect(json.version).toBe(1);
    expect(json.layers).toEqual(LAYERS);
    expect(json.loss).toBe('cross-entropy');
    expect(json.bias).toBe(true);
    expect(json.seed).toBe(77);
    expect(json.activations.map((a) => a.name)).toEqual(['sigmoid', 'leaky-relu', 'softmax']);
    expect(json.activations[0]!.gain).toBe(0.5);
    expect(json.activations[0]!.threshold).toBe(0.25);
    expect(json.activations[1]!.slope).toBe(0.2);
    const w = net.getWeights();
    for (let l = 0; l < 3; l++) {
      expect(json.weights[l]).toHaveLength(LAYERS[l]! * LAYERS[l + 1]!);
      // float32 → double → decimal → double → float32 is exact
      expect(Float32Array.from(json.weights[l]!)).toEqual(w.weights[l]);
      expect(Float32Array.from(json.biases[l]!)).toEqual(w.biases[l]);
    }
    net.dispose();
  });

  for (const to of ENGINES) {
    it(`toJSON → JSON.stringify → NN.fromJSON on '${to}' predicts ${from === to ? 'bit-identically' : 'within float32 rounding'}`, async () => {
      const net = await trained(from);
      const text = JSON.stringify(net.toJSON());
      const copy = await NN.fromJSON(text, { engine: to });
      expect(copy.engine).toBe(to);
      expect(copy.layers).toEqual(LAYERS);
      const w = net.getWeights(), w2 = copy.getWeights();
      for (let l = 0; l < 3; l++) { expect(w2.weights[l]).toEqual(w.weights[l]); expect(w2.biases[l]).toEqual(w.biases[l]); }

      const x = randomF32(300 * 5, rng(13), -2, 2);
      const y = net.predict(x), y2 = copy.predict(x);
      if (from === to) expect(maxAbsDiff(y2, y)).toBe(0);
      // independent: the float64 forward pass of the saved weights (sums of ≤ 8 float32 products
      // and exp: 1e-6 absolute on probabilities)
      const json = JSON.parse(text) as ModelJSON;
      const ref = forwardRef({ layers: LAYERS, activations: ACTIVATIONS, weights: json.weights.map(f64), biases: json.biases.map((b) => f64(b!)) }, x, 300)[3]!;
      expect(maxAbsDiff(y2, ref)).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(y2, y)).toBeLessThanOrEqual(2e-6);

      // the parsed object is accepted as well as the string
      const copy2 = await NN.fromJSON(json, { engine: to });
      expect(maxAbsDiff(copy2.predict(x), y2)).toBe(0);
      for (const n of [net, copy, copy2]) n.dispose();
    });
  }

  it('a reloaded network continues training exactly where the saved one stopped (same engine)', async () => {
    const net = await trained(from);
    const copy = await NN.fromJSON(JSON.stringify(net.toJSON()), { engine: from });
    const random = rng(14);
    const x = randomF32(40 * 5, random), t = new Float32Array(40 * 3).map((_, i) => (i % 3 === 0 ? 1 : 0));
    // same optimizer state (Adam's m, v, step) and the same generator state (the shuffle)
    const opts = { epochs: 3, batchSize: 8, optimizer: 'adam' as const, learningRate: 0.01 };
    net.train(x, t, opts);
    copy.train(x, t, opts);
    const a = net.getWeights(), b = copy.getWeights();
    for (let l = 0; l < 3; l++) expect(b.weights[l]).toEqual(a.weights[l]);
    net.dispose(); copy.dispose();
  });

  it('toBinary → fromBinary gives the same weights and predictions', async () => {
    const net = await trained(from);
    const bytes = net.toBinary();
    expect(bytes).toBeInstanceOf(Uint8Array);
    for (const to of ENGINES) {
      const copy = await NN.fromBinary(bytes, { engine: to });
      const w = net.getWeights(), w2 = copy.getWeights();
      for (let l = 0; l < 3; l++) expect(w2.weights[l]).toEqual(w.weights[l]);
      const x = randomF32(20 * 5, rng(15));
      const d = maxAbsDiff(copy.predict(x), net.predict(x));
      if (to === from) expect(d).toBe(0); else expect(d).toBeLessThanOrEqual(2e-6);
      copy.dispose();
    }
    net.dispose();
  });
});
