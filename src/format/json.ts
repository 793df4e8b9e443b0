// The model as JSON (toJSON / fromJSON): a versioned, self-describing object, checked field by field
// on load. Version 3 adds the target standardizer, feature and class names and the CLI's column
// schema (versions 1 and 2 kept the schema in `meta`); version 2 named the optimizer slots m and v
// (version 1 first and second). Files of every version load. A quantized model (precision 'int8')
// holds int8 weights, one scale per output neuron and each layer's calibrated range instead of the
// float weights, and no training state.
import { INITS, LOSSES, NORMALIZERS, type NetworkConfig, type ResolvedActivation } from '../vocabulary.js';
import { checkArchitecture, resolveActivation, resolveInitScale, resolveLayers } from '../model/architecture.js';
import { checkKeys, isPlainObject, oneOf, rangeError, typeError } from '../check.js';
import { checkWeights, type Weights } from '../model/weights.js';
import {
  type Normalizer,
  normalizerFromJSON,
  normalizerToJSON,
  targetStandardizerFromJSON,
  targetStandardizerToJSON,
  type NormalizerJSON,
  type TargetStandardizerJSON,
} from '../model/normalize.js';
import type { ColumnSchema, Model, ModelMetadata } from '../model/model.js';
import { PRESET_NAMES, type PresetName } from '../defaults.js';
import { checkClasses, checkFeatures } from '../model/metadata.js';
import type { TrainingState } from '../model/training-state.js';
import { isQuantized, type QuantizedLayer, type QuantizedModel } from '../model/quantize.js';
import { toMatrix } from '../model/data.js';

export const FORMAT = 'simdnet';
export const VERSION = 3;

type Arrays = { weights: number[][]; biases: (number[] | null)[] };

/** Schema version 3 (documented in docs/model-format.md). */
export interface ModelJSON {
  format: typeof FORMAT;
  version: number;
  /** 'int8' for a quantized model (net.quantize()); absent for a float one */
  precision?: 'int8';
  layers: number[];
  activations: ResolvedActivation[];
  loss: NetworkConfig['loss'];
  bias: boolean;
  init: NetworkConfig['init'];
  initScale: number | null;
  seed: number;
  normalize: NetworkConfig['normalize'];
  normalizer: NormalizerJSON | null;
  /** the regression targets' standardizer (outputs answer y · scale + mean); absent before version 3 */
  targetStandardizer?: TargetStandardizerJSON | null;
  /** the inputs' names, one per input */
  features?: string[];
  /** the class labels in output order */
  classes?: (string | number)[];
  /** the CLI's column schema, carried through */
  schema?: ColumnSchema;
  /** the NN.create preset whose training defaults the network keeps */
  preset?: PresetName;
  /** per layer fanIn × fanOut values, row-major: float32, or a quantized model's int8 integers */
  weights: number[][];
  /** per layer fanOut float32 values, or null (a quantized model's first layer may have them without `bias`) */
  biases: (number[] | null)[];
  /** a quantized model's scales per layer, one per output neuron: w ≈ weights · scales[j] */
  scales?: number[][];
  /** a quantized model's calibrated input range per layer, 0 where each row is quantized by its own */
  ranges?: number[];
  /** the TrainingState, with the optimizer slots m and v (version 1 called them first and second) */
  training?: { epochs: number; step: number; random: number[]; state: { m: Arrays; v: Arrays } | null };
  /** the schema's name before version 3; still read (as `schema`) from files of every version */
  meta?: unknown;
}

const KEYS = [
  'format',
  'version',
  'precision',
  'layers',
  'activations',
  'loss',
  'bias',
  'init',
  'initScale',
  'seed',
  'normalize',
  'normalizer',
  'targetStandardizer',
  'features',
  'classes',
  'schema',
  'preset',
  'weights',
  'biases',
  'scales',
  'ranges',
  'training',
  'meta',
];

/** The optimizer slots' keys in training.state, by format version. */
const SLOTS: Record<number, [string, string]> = { 1: ['first', 'second'], 2: ['m', 'v'], 3: ['m', 'v'] };

/** A block's values as number arrays, or (for the binary format, which writes them elsewhere) empty. */
const arrays = (w: Weights, values: boolean): Arrays => ({
  weights: w.weights.map((a) => (values ? Array.from(a) : [])),
  biases: w.biases.map((b) => (b ? (values ? Array.from(b) : []) : null)),
});

/** A quantized model's arrays as number arrays, or (for the binary format) empty. */
const quantizedArrays = (layers: QuantizedLayer[], values: boolean) => ({
  weights: layers.map((l) => (values ? Array.from(l.weights) : [])),
  biases: layers.map((l) => (l.bias ? (values ? Array.from(l.bias) : []) : null)),
  scales: layers.map((l) => (values ? Array.from(l.scales) : [])),
  ranges: layers.map((l) => l.range),
});

/** The model as the current version's object; `values: false` leaves every weight array empty. */
export function modelToJSON(model: Model | QuantizedModel, values = true): ModelJSON {
  const c = model.config;
  const quantized = isQuantized(model);
  const json: ModelJSON = {
    format: FORMAT,
    version: VERSION,
    ...(quantized ? { precision: 'int8' as const } : {}),
    layers: c.layers.slice(),
    activations: c.activations.map((a) => ({ ...a })),
    loss: c.loss,
    bias: c.bias,
    init: c.init,
    initScale: c.initScale,
    seed: c.seed,
    normalize: c.normalize,
    normalizer: model.normalizer ? normalizerToJSON(model.normalizer) : null,
    targetStandardizer: model.targetStandardizer ? targetStandardizerToJSON(model.targetStandardizer) : null,
    ...(quantized ? quantizedArrays(model.layers, values) : arrays(model.params, values)),
  };
  const { features, classes, schema } = model.metadata;
  if (features) json.features = features.slice();
  if (classes) json.classes = classes.slice();
  if (schema) json.schema = jsonData(schema, 'model.schema') as ColumnSchema;
  if (quantized) return json;
  if (model.preset) json.preset = model.preset;
  const t = model.training;
  if (t) {
    json.training = {
      epochs: t.epochs,
      step: t.step,
      random: t.random.slice(),
      state: t.slots ? { m: arrays(t.slots.m, values), v: arrays(t.slots.v, values) } : null,
    };
  }
  return json;
}

/** Reads a model, float or quantized, from JSON text or its parsed object, checking every field; its weight arrays may be typed. */
export function parseModel(input: unknown): Model | QuantizedModel {
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
  if (json.version !== 1 && json.version !== 2 && json.version !== VERSION)
    throw rangeError('model.version', `1, 2 or ${VERSION} (the versions this simdnet reads)`, json.version);
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
    json.normalizer == null ? null : normalizerFromJSON(json.normalizer, layers[0]!, 'model.normalizer');
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
  const outputs = layers[layers.length - 1]!;
  const targetStandardizer =
    json.targetStandardizer == null
      ? null
      : targetStandardizerFromJSON(json.targetStandardizer, outputs, 'model.targetStandardizer');
  const metadata = parseMetadata(json, layers[0]!, outputs);
  if (json.precision !== undefined) {
    if (json.precision !== 'int8') throw rangeError('model.precision', "'int8' (or absent: float32)", json.precision);
    return { precision: 'int8', config, ...parseQuantized(json, config, normalizer), targetStandardizer, metadata };
  }
  if (json.scales !== undefined || json.ranges !== undefined)
    throw new TypeError("model.scales and model.ranges belong to a quantized model (precision 'int8')");
  return {
    config,
    params: checkWeights({ weights: json.weights, biases: json.biases }, config, 'model'),
    normalizer,
    targetStandardizer,
    training: json.training === undefined ? null : parseTraining(json.training, config, SLOTS[json.version]!),
    metadata,
    preset: json.preset === undefined ? null : oneOf('model.preset', json.preset, PRESET_NAMES, 'article'),
  };
}

/**
 * A quantized model's layers (int8 weights, scales, biases, ranges) and its normaliser, whose values
 * the quantized arithmetic takes as float32.
 */
function parseQuantized(
  json: Record<string, unknown>,
  config: NetworkConfig,
  normalizer: Normalizer | null,
): Pick<QuantizedModel, 'layers' | 'normalizer'> {
  if (json.training !== undefined) throw new TypeError('model.training: a quantized model has no training state');
  if (config.normalize !== 'none' && !normalizer)
    throw typeError('model.normalizer', `the fitted normaliser (model.normalize is '${config.normalize}')`, null);
  const L = config.layers.length - 1;
  const list = (field: string): unknown[] => {
    const v = json[field];
    if (!Array.isArray(v) || v.length !== L) throw rangeError(`model.${field}`, `an array of ${L} layers`, v);
    return v;
  };
  const [weights, biases, scales, ranges] = ['weights', 'biases', 'scales', 'ranges'].map(list) as [
    unknown[],
    unknown[],
    unknown[],
    unknown[],
  ];
  // values checked as finite float32 numbers, then each array's own rule
  const values = (field: string, value: unknown, count: number, ok: (v: number) => boolean, rule: string) => {
    const m = toMatrix(value, count, field);
    if (m.rows !== 1) throw rangeError(`${field}.length`, `${count}`, m.rows * count);
    const bad = m.data.findIndex((v) => !ok(v));
    if (bad >= 0) throw rangeError(`${field}[${bad}]`, rule, m.data[bad]);
    return m.data;
  };
  const layers = Array.from({ length: L }, (_, l): QuantizedLayer => {
    const k = config.layers[l]!,
      n = config.layers[l + 1]!;
    const w = values(
      `model.weights[${l}]`,
      weights[l],
      k * n,
      (v) => Number.isInteger(v) && Math.abs(v) <= 127,
      'an integer in [-127, 127]',
    );
    const range = ranges[l];
    if (typeof range !== 'number' || !(range >= 0 && Math.fround(range) < Infinity))
      throw rangeError(`model.ranges[${l}]`, 'a float32 number ≥ 0', range);
    return {
      weights: Int8Array.from(w),
      scales: values(`model.scales[${l}]`, scales[l], n, (v) => v > 0, 'a positive number'),
      bias: biases[l] === null ? null : values(`model.biases[${l}]`, biases[l], n, () => true, ''),
      range: Math.fround(range),
    };
  });
  if (!normalizer) return { layers, normalizer };
  const f32 = (a: Float64Array, field: string) =>
    a.map((v, i) => {
      if (Math.abs(Math.fround(v)) === Infinity) throw rangeError(`${field}[${i}]`, 'a float32 number', v);
      return Math.fround(v);
    });
  const { kind, offset, scale } = normalizer;
  return {
    layers,
    normalizer: { kind, offset: f32(offset, 'model.normalizer.offset'), scale: f32(scale, 'model.normalizer.scale') },
  };
}

/** The metadata fields (`meta`, the schema's old name, is read as the schema). */
function parseMetadata(json: Record<string, unknown>, inputs: number, outputs: number): ModelMetadata {
  const metadata: ModelMetadata = {};
  if (json.features !== undefined) metadata.features = checkFeatures(json.features, inputs, 'model.features');
  if (json.classes !== undefined) metadata.classes = checkClasses(json.classes, outputs, 'model.classes');
  if (json.schema !== undefined && json.meta !== undefined)
    throw new TypeError('model.schema and model.meta: give one (meta is the schema under its old name)');
  const schema = json.schema ?? json.meta;
  const field = json.schema === undefined ? 'model.meta' : 'model.schema';
  if (schema !== undefined) {
    if (!isPlainObject(schema)) throw typeError(field, 'an object (the column schema)', schema);
    metadata.schema = jsonData(schema, field) as ColumnSchema;
  }
  return metadata;
}

function parseTraining(value: unknown, config: NetworkConfig, [m, v]: [string, string]): TrainingState {
  if (!isPlainObject(value)) throw typeError('model.training', '{ epochs, step, random, state }', value);
  checkKeys('model.training', value, ['epochs', 'step', 'random', 'state']);
  const int = (field: string, n: unknown, max: number): number => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max)
      throw rangeError(`model.training.${field}`, `an integer in [0, ${max}]`, n);
    return n;
  };
  const epochs = int('epochs', value.epochs, 2 ** 31 - 1);
  const step = int('step', value.step, 2 ** 31 - 1);
  if (!Array.isArray(value.random) || value.random.length !== 4)
    throw rangeError('model.training.random', 'an array of 4 unsigned 32-bit integers', value.random);
  const random = Array.from(value.random, (n: unknown, i) => int(`random[${i}]`, n, 0xffffffff));
  let slots: TrainingState['slots'] = null;
  if (value.state !== null) {
    if (!isPlainObject(value.state)) throw typeError('model.training.state', `null or { ${m}, ${v} }`, value.state);
    checkKeys('model.training.state', value.state, [m, v]);
    slots = {
      m: checkWeights(value.state[m], config, `model.training.state.${m}`),
      v: checkWeights(value.state[v], config, `model.training.state.${v}`),
    };
  }
  return { epochs, step, random, slots };
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

/** A copy of free-form data that JSON can hold (so that every format can write it back). */
function jsonData(value: unknown, field: string): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch (err) {
    throw new TypeError(`${field} must be JSON data (${(err as Error).message})`);
  }
}
