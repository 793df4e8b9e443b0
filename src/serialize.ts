// toJSON / fromJSON: a versioned, self-describing model object, checked field by field on load.
import { NORMALIZERS, oneOf, checkKeys, isPlainObject, rangeError, resolveActivation, resolveLayers, typeError, type NetworkConfig, type ResolvedActivation } from './options.js';
import { checkWeights, type Weights } from './nn.js';
import { Normalizer, type NormalizerJSON } from './normalize.js';

export const FORMAT = 'simdnet';
export const VERSION = 1;

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
  /** free-form data kept by tools (the CLI stores its column schema here); ignored when loading */
  meta?: unknown;
}

const KEYS = ['format', 'version', 'layers', 'activations', 'loss', 'bias', 'init', 'initScale', 'seed', 'normalize', 'normalizer', 'weights', 'biases', 'meta'];
const LOSSES = ['sse', 'mse', 'binary-cross-entropy', 'cross-entropy'];
const INITS = ['auto', 'xavier', 'he', 'uniform', 'normal'];

export function parseModel(input: unknown): { config: NetworkConfig; weights: Weights; normalizer: Normalizer | null } {
  let json = input;
  if (typeof json === 'string') {
    try { json = JSON.parse(json); } catch (err) { throw new TypeError(`model: not valid JSON (${(err as Error).message})`); }
  }
  if (!isPlainObject(json)) throw typeError('model', 'an object saved by toJSON()', json);
  if (json.format !== FORMAT) throw typeError('model.format', `'${FORMAT}'`, json.format);
  if (json.version !== VERSION) throw rangeError('model.version', `${VERSION} (this simdnet reads version ${VERSION})`, json.version);
  checkKeys('model', json, KEYS);
  const layers = resolveLayers(json.layers);
  if (!Array.isArray(json.activations) || json.activations.length !== layers.length - 1) {
    throw rangeError('model.activations', `${layers.length - 1} activations`, json.activations);
  }
  const activations = json.activations.map((a, i) => {
    const r = resolveActivation(`model.activations[${i}]`, isPlainObject(a) ? pickActivation(a) : a);
    return r;
  });
  if (typeof json.loss !== 'string' || !LOSSES.includes(json.loss)) throw rangeError('model.loss', `one of ${LOSSES.join(', ')}`, json.loss);
  if (typeof json.bias !== 'boolean') throw typeError('model.bias', 'true or false', json.bias);
  if (typeof json.init !== 'string' || !INITS.includes(json.init)) throw rangeError('model.init', `one of ${INITS.join(', ')}`, json.init);
  if (json.initScale !== null && (typeof json.initScale !== 'number' || !(json.initScale > 0) || !Number.isFinite(json.initScale))) {
    throw rangeError('model.initScale', 'null or a positive number', json.initScale);
  }
  if (typeof json.seed !== 'number' || !Number.isInteger(json.seed) || json.seed < 0 || json.seed > 0xffffffff) {
    throw rangeError('model.seed', 'an integer in [0, 2^32)', json.seed);
  }
  const normalize = oneOf('model.normalize', json.normalize, NORMALIZERS, 'none');
  const normalizer = json.normalizer === null || json.normalizer === undefined ? null : Normalizer.fromJSON(json.normalizer, layers[0]!, 'model.normalizer');
  if (normalizer && normalizer.kind !== normalize) throw rangeError('model.normalizer.kind', `'${normalize}' (model.normalize)`, normalizer.kind);
  const config: NetworkConfig = {
    layers, activations, loss: json.loss as NetworkConfig['loss'], bias: json.bias,
    init: json.init as NetworkConfig['init'], initScale: json.initScale as number | null, seed: json.seed, normalize,
  };
  const weights = checkWeights({ weights: json.weights, biases: json.biases }, config, 'model');
  return { config, weights, normalizer };
}

/** toJSON writes every activation field; keep only those that apply to the activation's name. */
function pickActivation(a: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: a.name };
  if (a.name === 'sigmoid') { out.gain = a.gain; out.threshold = a.threshold; }
  if (a.name === 'leaky-relu') out.slope = a.slope;
  for (const key of Object.keys(a)) {
    if (!['name', 'gain', 'threshold', 'slope'].includes(key)) out[key] = a[key];
  }
  return out;
}
