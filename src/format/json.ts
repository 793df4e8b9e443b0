// toJSON / fromJSON: a versioned, self-describing model object, checked field by field on load.
import { INITS, LOSSES, NORMALIZERS, type NetworkConfig, type ResolvedActivation } from '../vocabulary.js';
import { checkArchitecture, resolveActivation, resolveInitScale, resolveLayers } from '../model/architecture.js';
import { checkKeys, isPlainObject, oneOf, rangeError, typeError } from '../check.js';
import { checkWeights, type Weights } from '../model/weights.js';
import { Normalizer, type NormalizerJSON } from '../model/normalize.js';
import { Random } from '../model/random.js';
import type { TrainingState } from '../model/training-state.js';

export const FORMAT = 'simdnet';
export const VERSION = 1;

type Arrays = { weights: number[][]; biases: (number[] | null)[] };

/** Schema version 1 (documented in the README). */
export interface ModelJSON {
  format: typeof FORMAT;
  version: number;
  layers: number[];
  activations: ResolvedActivation[];
  loss: NetworkConfig['loss'];
  bias: boolean;
  init: NetworkConfig['init'];
  initScale: number | null;
  seed: number;
  normalize: NetworkConfig['normalize'];
  normalizer: NormalizerJSON | null;
  weights: number[][];
  biases: (number[] | null)[];
  /** the TrainingState; state.first and state.second are the optimizer slots m and v */
  training?: { epochs: number; step: number; random: number[]; state: { first: Arrays; second: Arrays } | null };
  /** free-form data kept by tools (the CLI stores its column schema here); ignored when loading */
  meta?: unknown;
}

const KEYS = [
  'format',
  'version',
  'layers',
  'activations',
  'loss',
  'bias',
  'init',
  'initScale',
  'seed',
  'normalize',
  'normalizer',
  'weights',
  'biases',
  'training',
  'meta',
];

const arrays = (w: Weights): Arrays => ({
  weights: w.weights.map((a) => Array.from(a)),
  biases: w.biases.map((b) => (b ? Array.from(b) : null)),
});

export function serializeModel(
  c: NetworkConfig,
  params: Weights,
  normalizer: Normalizer | null,
  training: TrainingState | null,
): ModelJSON {
  const json: ModelJSON = {
    format: FORMAT,
    version: VERSION,
    layers: c.layers.slice(),
    activations: c.activations.map((a) => ({ ...a })),
    loss: c.loss,
    bias: c.bias,
    init: c.init,
    initScale: c.initScale,
    seed: c.seed,
    normalize: c.normalize,
    normalizer: normalizer ? normalizer.toJSON() : null,
    ...arrays(params),
  };
  if (training) {
    json.training = {
      epochs: training.epochs,
      step: training.step,
      random: training.random.state,
      state: training.optimizerState
        ? { first: arrays(training.optimizerState.m), second: arrays(training.optimizerState.v) }
        : null,
    };
  }
  return json;
}

export function parseModel(input: unknown): {
  config: NetworkConfig;
  weights: Weights;
  normalizer: Normalizer | null;
  training: TrainingState | null;
} {
  let json = input;
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (err) {
      throw new TypeError(`model: not valid JSON (${(err as Error).message})`);
    }
  }
  if (!isPlainObject(json)) throw typeError('model', 'an object saved by toJSON()', json);
  if (json.format !== FORMAT) throw typeError('model.format', `'${FORMAT}'`, json.format);
  if (json.version !== VERSION)
    throw rangeError('model.version', `${VERSION} (this simdnet reads version ${VERSION})`, json.version);
  checkKeys('model', json, KEYS);
  const layers = resolveLayers(json.layers);
  if (!Array.isArray(json.activations) || json.activations.length !== layers.length - 1) {
    throw rangeError('model.activations', `${layers.length - 1} activations`, json.activations);
  }
  const activations = Array.from(json.activations, (a: unknown, i) =>
    resolveActivation(`model.activations[${i}]`, isPlainObject(a) ? pickActivation(a) : a),
  );
  if (typeof json.loss !== 'string' || !(LOSSES as readonly string[]).includes(json.loss))
    throw rangeError('model.loss', `one of ${LOSSES.join(', ')}`, json.loss);
  if (typeof json.bias !== 'boolean') throw typeError('model.bias', 'true or false', json.bias);
  if (typeof json.init !== 'string' || !(INITS as readonly string[]).includes(json.init))
    throw rangeError('model.init', `one of ${INITS.join(', ')}`, json.init);
  checkArchitecture(layers, activations, 'model.activations', `model.activations[${activations.length - 1}]`);
  const initScale = resolveInitScale(json.init as NetworkConfig['init'], json.initScale, 'model.');
  if (typeof json.seed !== 'number' || !Number.isInteger(json.seed) || json.seed < 0 || json.seed > 0xffffffff) {
    throw rangeError('model.seed', 'an integer in [0, 2^32)', json.seed);
  }
  const normalize = oneOf('model.normalize', json.normalize, NORMALIZERS, 'none');
  const normalizer =
    json.normalizer == null ? null : Normalizer.fromJSON(json.normalizer, layers[0]!, 'model.normalizer');
  if (normalizer && normalizer.kind !== normalize)
    throw rangeError('model.normalizer.kind', `'${normalize}' (model.normalize)`, normalizer.kind);
  const config: NetworkConfig = {
    layers,
    activations,
    loss: json.loss as NetworkConfig['loss'],
    bias: json.bias,
    init: json.init as NetworkConfig['init'],
    initScale,
    seed: json.seed,
    normalize,
  };
  const weights = checkWeights({ weights: json.weights, biases: json.biases }, config, 'model');
  return {
    config,
    weights,
    normalizer,
    training: json.training === undefined ? null : parseTraining(json.training, config),
  };
}

function parseTraining(value: unknown, config: NetworkConfig): TrainingState {
  if (!isPlainObject(value)) throw typeError('model.training', '{ epochs, step, random, state }', value);
  checkKeys('model.training', value, ['epochs', 'step', 'random', 'state']);
  const int = (field: string, v: unknown, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
      throw rangeError(`model.training.${field}`, `an integer in [0, ${max}]`, v);
    return v;
  };
  const epochs = int('epochs', value.epochs, 2 ** 31 - 1);
  const step = int('step', value.step, 2 ** 31 - 1);
  if (!Array.isArray(value.random) || value.random.length !== 4)
    throw rangeError('model.training.random', 'an array of 4 unsigned 32-bit integers', value.random);
  const random = Array.from(value.random, (v: unknown, i) => int(`random[${i}]`, v, 0xffffffff));
  let optimizerState: TrainingState['optimizerState'] = null;
  if (value.state !== null) {
    if (!isPlainObject(value.state)) throw typeError('model.training.state', 'null or { first, second }', value.state);
    checkKeys('model.training.state', value.state, ['first', 'second']);
    optimizerState = {
      m: checkWeights(value.state.first, config, 'model.training.state.first'),
      v: checkWeights(value.state.second, config, 'model.training.state.second'),
    };
  }
  return { epochs, step, random: new Random(random), optimizerState };
}

/** toJSON writes every activation field; keep only those that apply to the activation's name. */
function pickActivation(a: Record<string, unknown>): Record<string, unknown> {
  // no prototype: an own "__proto__" key is copied as a key (and refused), not taken as a prototype
  const out = Object.assign(Object.create(null) as Record<string, unknown>, { name: a.name });
  if (a.name === 'sigmoid') {
    out.gain = a.gain;
    out.threshold = a.threshold;
  }
  if (a.name === 'leaky-relu') out.slope = a.slope;
  for (const key of Object.keys(a)) {
    if (!['name', 'gain', 'threshold', 'slope'].includes(key)) out[key] = a[key];
  }
  return out;
}
