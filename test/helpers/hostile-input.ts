// What loading hostile input must leave behind: no polluted prototype, and a network that was
// accepted must be sound (finite weights, an architecture NN.create builds, predictions for a row).
import { expect } from 'vitest';
import { NN, type ModelJSON, type NetworkOptions } from '../../src/index.js';
import type { EngineKind } from './engines.js';
import { expectClearError } from './clear-errors.js';
import { allFinite } from './network-state.js';

const OBJECT_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join();
const ARRAY_NAMES = Object.getOwnPropertyNames(Array.prototype).sort().join();

export function expectNoPollution(what: string): void {
  expect(({} as Record<string, unknown>).polluted, `${what}: Object.prototype polluted`).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted, `${what}: Array.prototype polluted`).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(), what).toBe(OBJECT_NAMES);
  expect(Object.getOwnPropertyNames(Array.prototype).sort().join(), what).toBe(ARRAY_NAMES);
}

/** The options NN.create would need to build the architecture of a saved model. */
function createOptionsOf(json: ModelJSON, engine: EngineKind): NetworkOptions {
  return {
    layers: json.layers,
    activation: json.activations.map((a) =>
      a.name === 'sigmoid'
        ? { name: a.name, gain: a.gain, threshold: a.threshold }
        : a.name === 'leaky-relu'
          ? { name: a.name, slope: a.slope }
          : a.name,
    ),
    loss: json.loss,
    bias: json.bias,
    init: json.init,
    seed: json.seed,
    normalize: json.normalize,
    engine,
    ...((json.init === 'uniform' || json.init === 'normal') && json.initScale !== null
      ? { initScale: json.initScale }
      : {}),
  };
}

/** An accepted network is sound: finite weights, an architecture NN.create accepts, and predict answers 3 rows. */
export function expectSoundNetwork(net: NN, engine: EngineKind, what: string): void {
  const json = net.toJSON();
  expect(allFinite(net.getWeights()), `${what}: accepted a non-finite weight`).toBe(true);
  NN.createSync(createOptionsOf(json, engine)).dispose(); // throws if the model describes a network create() refuses
  let y: Float32Array | null = null;
  try {
    y = net.predict(new Float32Array(3 * net.layers[0]!).fill(0.5));
  } catch (err) {
    // a model saved before its first train() has no fitted normaliser yet: predict says so (a state error, not an argument error)
    if (json.normalize !== 'none' && json.normalizer === null)
      expect(String(err)).toMatch(/normalize .* is fitted by the first train/);
    else expectClearError(err, null, `${what}: predict`);
  }
  if (y) expect(y.length, `${what}: predict`).toBe(3 * net.layers.at(-1)!);
}
