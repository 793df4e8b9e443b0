// TensorFlow.js → simdnet: reads a layers model (model.json as model.save() or
// tensorflowjs_converter writes it, and the bytes of its weights) whose topology is a Sequential of
// Dense layers, each with a built-in activation or followed by an Activation or LeakyReLU layer,
// with InputLayer, Dropout and Flatten where they change nothing at inference, and
// BatchNormalization: a first one is the input normaliser, others are folded into the Dense layer
// before or after them, and the last one toTFJS writes is the target standardizer. The files become
// a Model directly, checked whole before it is returned.
import { isPlainObject } from '../check.js';
import type { Model } from '../model/model.js';
import { fromFloat32Bytes } from './float32-bytes.js';
import {
  type Affine64,
  type BatchNorm,
  type PendingDense,
  addBias,
  affineOf,
  batchNorm,
  closeDense,
  composeAffine,
  foldAfter,
  openDense,
} from './fold.js';
import { activation, toModel, type DenseLayer, type DenseLayers, type ImportChoices } from './imported-model.js';
import { NAME_KEYS, parseHints, type FoundNames, type Hints } from './hints.js';
import { TFJS_HINTS_KEY } from './tfjs-export.js';

const SOURCE = 'TF.js model';
const ACTIVATIONS: Record<string, DenseLayer['activation']['name']> = {
  relu: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  linear: 'linear',
};
const SUPPORTED_TEXT =
  'Dense (activation relu, sigmoid, tanh, softmax or linear), Activation and LeakyReLU after a Dense, ' +
  'InputLayer, Dropout, Flatten, and BatchNormalization (the input normaliser, or next to a Dense layer)';
/** More values than any dense network simdnet can hold; refused before allocating. */
const MAX_TENSOR = 2 ** 28;

interface WeightSpec {
  name: string;
  shape: number[];
  offset: number;
  count: number;
}

/** The model in a layers model's files; `choices` (output activation, loss) override what the files imply. */
export function tfjsToModel(modelJSON: unknown, weightData: unknown, choices: ImportChoices): Model {
  let json = modelJSON;
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (err) {
      throw new TypeError(`${SOURCE}: model.json is not valid JSON (${(err as Error).message})`);
    }
  }
  if (!isPlainObject(json))
    throw new TypeError(`${SOURCE}: expected the content of model.json (an object), got ${describe(json)}`);
  const bytes = bytesOf(weightData);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new TypeError(
      `${SOURCE}: format is ${describe(json.format)}; simdnet reads layers models ('layers-model'), not graph models`,
    );
  }
  const specs = weightSpecs(json, bytes.length);
  const meta = isPlainObject(json.userDefinedMetadata) ? json.userDefinedMetadata : {};
  const hints = parseHints(meta[TFJS_HINTS_KEY]);
  const names: FoundNames = {};
  for (const key of NAME_KEYS) if (meta[key] !== undefined) names[key] = meta[key];
  return toModel(readLayers(json.modelTopology, specs, bytes, hints), { hints, names }, choices, SOURCE);
}

/** weights.bin as bytes: a Uint8Array, an ArrayBuffer, or TF.js's shards (ArrayBuffer[]) concatenated. */
function bytesOf(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (
    Array.isArray(data) &&
    data.length <= 10_000 &&
    data.every((part) => part instanceof ArrayBuffer || part instanceof Uint8Array)
  ) {
    const parts = data.map((part: ArrayBuffer | Uint8Array) =>
      part instanceof Uint8Array ? part : new Uint8Array(part),
    );
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return bytes;
  }
  throw new TypeError(
    `${SOURCE}: expected the bytes of the weights (a Uint8Array, an ArrayBuffer, or an array of them), got ${describe(data)}`,
  );
}

function describe(v: unknown): string {
  return v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'string'
        ? JSON.stringify(v.slice(0, 40))
        : typeof v;
}

/** The manifest's weights, in order, with their byte offsets into the concatenated weight data. */
function weightSpecs(json: Record<string, unknown>, byteLength: number): Map<string, WeightSpec> {
  let list: unknown[];
  if (Array.isArray(json.weightsManifest)) {
    list = [];
    for (const [g, group] of json.weightsManifest.entries()) {
      if (!isPlainObject(group) || !Array.isArray(group.weights))
        throw new TypeError(`${SOURCE}: weightsManifest[${g}] must be { paths, weights: [...] }`);
      list.push(...group.weights);
    }
  } else if (Array.isArray(json.weightSpecs))
    list = json.weightSpecs; // tf.io model artifacts
  else throw new TypeError(`${SOURCE}: model.json has no weightsManifest`);
  const specs = new Map<string, WeightSpec>();
  let offset = 0;
  for (const [i, spec] of list.entries()) {
    const what = `weight ${i}`;
    if (!isPlainObject(spec) || typeof spec.name !== 'string')
      throw new TypeError(`${SOURCE}: ${what} must be { name, shape, dtype }`);
    const label = `weight '${spec.name}'`;
    if (spec.dtype !== undefined && spec.dtype !== 'float32')
      throw new TypeError(`${SOURCE}: ${label} has dtype ${describe(spec.dtype)}; simdnet reads float32 weights`);
    if (spec.quantization !== undefined)
      throw new TypeError(`${SOURCE}: ${label} is quantized; simdnet reads float32 weights`);
    if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new TypeError(`${SOURCE}: ${label} shape must be an array of non-negative integers`);
    }
    const shape = spec.shape as number[];
    const count = shape.reduce((n, d) => n * d, 1);
    if (count > MAX_TENSOR) throw new RangeError(`${SOURCE}: ${label} has ${count} values, more than simdnet reads`);
    if (specs.has(spec.name)) throw new TypeError(`${SOURCE}: ${label} appears twice in the manifest`);
    specs.set(spec.name, { name: spec.name, shape, offset, count });
    offset += count * 4;
  }
  if (offset !== byteLength)
    throw new RangeError(`${SOURCE}: the weight data has ${byteLength} bytes; the manifest describes ${offset}`);
  return specs;
}

interface LayerJSON {
  className: string;
  config: Record<string, unknown>;
  name: string;
  where: string;
}

function layersOf(topology: unknown): LayerJSON[] {
  if (!isPlainObject(topology)) throw new TypeError(`${SOURCE}: modelTopology must be an object`);
  const model = isPlainObject(topology.model_config) ? topology.model_config : topology; // tensorflowjs_converter nests it
  if (model.class_name !== 'Sequential') {
    throw new TypeError(
      `${SOURCE}: the model class is ${describe(model.class_name)}; simdnet reads Sequential models of ${SUPPORTED_TEXT}`,
    );
  }
  const config = model.config;
  const list = Array.isArray(config)
    ? config
    : isPlainObject(config) && Array.isArray(config.layers)
      ? config.layers
      : null;
  if (!list) throw new TypeError(`${SOURCE}: the Sequential model has no layers list`);
  return list.map((layer, i) => {
    if (!isPlainObject(layer) || typeof layer.class_name !== 'string' || !isPlainObject(layer.config)) {
      throw new TypeError(`${SOURCE}: layer ${i} must be { class_name, config }`);
    }
    const name = typeof layer.config.name === 'string' ? layer.config.name : `#${i}`;
    return { className: layer.class_name, config: layer.config, name, where: `layer '${name}' (${layer.class_name})` };
  });
}

function readLayers(topology: unknown, specs: Map<string, WeightSpec>, bytes: Uint8Array, hints: Hints): DenseLayers {
  const list = layersOf(topology);
  const weight = (layer: LayerJSON, param: string, shape: number[] | null): Float32Array => {
    const key = `${layer.name}/${param}`;
    const spec = specs.get(key) ?? [...specs.values()].find((s) => s.name.endsWith(`/${key}`));
    if (!spec) throw new TypeError(`${SOURCE}: ${layer.where}: weight '${key}' is not in the manifest`);
    if (shape && (spec.shape.length !== shape.length || spec.shape.some((d, i) => d !== shape[i]))) {
      throw new RangeError(
        `${SOURCE}: ${layer.where}: weight '${spec.name}' has shape [${spec.shape.join(', ')}], expected [${shape.join(', ')}]`,
      );
    }
    return fromFloat32Bytes(bytes, spec.offset, spec.count);
  };

  // the target standardizer toTFJS writes: a last BatchNormalization of its fixed form, in a file with the hint
  const final = list[list.length - 1]!;
  const standardizer =
    hints.targetStandardizer && list.length > 1 && final.className === 'BatchNormalization'
      ? fixedStandardizer(final, weight)
      : null;
  if (standardizer) list.pop();

  let shape: number[] | null = null; // feature dimensions (without the batch), when known
  const layers: (Omit<DenseLayer, 'weights' | 'bias'> & { dense: PendingDense })[] = [];
  let normalizer: DenseLayers['normalizer'] = null;
  let inputs = 0;
  let canActivate = false; // the latest layer is a linear Dense that an Activation or LeakyReLU may complete
  // an affine map waiting for the next Dense: a BatchNormalization after an activation
  let before: { map: Affine64; where: string } | null = null;
  for (const [i, layer] of list.entries()) {
    const c = layer.config;
    const declared = c.batch_input_shape ?? c.batch_shape ?? c.batchInputShape;
    if (declared !== undefined) {
      if (i !== 0 && !(i === 1 && list[0]!.className === 'InputLayer'))
        throw new TypeError(`${SOURCE}: ${layer.where} declares an input shape but is not the first layer`);
      if (
        !Array.isArray(declared) ||
        declared.length < 2 ||
        !declared.slice(1).every((d) => Number.isSafeInteger(d) && (d as number) > 0)
      ) {
        throw new TypeError(`${SOURCE}: ${layer.where} input shape must be [null, features...] with positive sizes`);
      }
      shape = declared.slice(1) as number[];
    }
    const width = (where: string): number => {
      if (shape && shape.length !== 1)
        throw new TypeError(
          `${SOURCE}: ${where} receives [batch, ${shape.join(', ')}]; simdnet's layers take [batch, features] (add a Flatten)`,
        );
      return shape ? shape[0]! : 0;
    };
    switch (layer.className) {
      case 'InputLayer':
        break;
      case 'Dropout':
      case 'Flatten':
        if (layer.className === 'Flatten' && shape) shape = [shape.reduce((n, d) => n * d, 1)];
        break;
      case 'Dense': {
        const units = c.units;
        if (!Number.isSafeInteger(units) || (units as number) < 1)
          throw new RangeError(`${SOURCE}: ${layer.where} units must be a positive integer, got ${describe(units)}`);
        const useBias = c.use_bias ?? c.useBias ?? true;
        if (typeof useBias !== 'boolean')
          throw new TypeError(`${SOURCE}: ${layer.where} use_bias must be true or false`);
        const act = c.activation ?? 'linear';
        if (typeof act !== 'string' || !(act in ACTIVATIONS)) {
          throw new TypeError(
            `${SOURCE}: ${layer.where} has activation ${describe(act)}; simdnet reads relu, sigmoid, tanh, softmax and linear (or a LeakyReLU layer after a linear Dense)`,
          );
        }
        const fanIn = width(layer.where) || kernelRows(layer, specs);
        const dense = openDense(
          weight(layer, 'kernel', [fanIn, units as number]),
          units as number,
          1,
          before?.map ?? null,
        );
        if (useBias) addBias(dense, weight(layer, 'bias', [units as number]));
        if (layers.length === 0) inputs = fanIn;
        layers.push({ dense, activation: activation(ACTIVATIONS[act]!), name: layer.where });
        before = null;
        shape = [units as number];
        canActivate = act === 'linear';
        break;
      }
      case 'Activation':
      case 'LeakyReLU': {
        const last = layers[layers.length - 1];
        if (!last || !canActivate)
          throw new TypeError(`${SOURCE}: ${layer.where} must follow a Dense layer with a linear activation`);
        if (layer.className === 'LeakyReLU') {
          const slope = c.alpha ?? c.negative_slope ?? 0.3;
          if (typeof slope !== 'number' || !(slope >= 0 && slope <= 1))
            throw new RangeError(
              `${SOURCE}: ${layer.where} alpha must be in [0, 1] (simdnet's leaky ReLU slope), got ${describe(slope)}`,
            );
          last.activation = activation('leaky-relu', { slope });
        } else {
          const act = c.activation;
          if (typeof act !== 'string' || !(act in ACTIVATIONS))
            throw new TypeError(
              `${SOURCE}: ${layer.where} has activation ${describe(act)}; simdnet reads relu, sigmoid, tanh, softmax and linear`,
            );
          last.activation = activation(ACTIVATIONS[act]!);
        }
        canActivate = false;
        break;
      }
      case 'BatchNormalization': {
        const n = width(layer.where);
        if (n === 0) throw new TypeError(`${SOURCE}: ${layer.where} needs the input shape ([null, features])`);
        if (
          c.axis !== undefined &&
          c.axis !== -1 &&
          c.axis !== 1 &&
          !(Array.isArray(c.axis) && c.axis.length === 1 && (c.axis[0] === -1 || c.axis[0] === 1))
        ) {
          throw new TypeError(
            `${SOURCE}: ${layer.where} normalises axis ${JSON.stringify(c.axis)}; simdnet's normaliser works per feature (axis -1)`,
          );
        }
        const bn = batchNormOf(layer, n, weight);
        const last = layers[layers.length - 1];
        if (last && canActivate) foldAfter(last.dense, bn);
        else if (layers.length === 0 && !normalizer && !before && bn.scale.every((s, j) => s !== 0 || bn.beta[j] === 0))
          normalizer = normalizerOf(bn);
        else before = { map: before ? composeAffine(before.map, affineOf(bn)) : affineOf(bn), where: layer.where };
        break;
      }
      default:
        throw new TypeError(
          `${SOURCE}: ${layer.where} is not supported; simdnet reads Sequential models of ${SUPPORTED_TEXT}`,
        );
    }
  }
  if (before)
    throw new TypeError(
      `${SOURCE}: ${before.where} follows an activation and no Dense layer comes after it; simdnet folds a BatchNormalization into the Dense layer before it (a linear Dense, before its Activation layer) or after it`,
    );
  return {
    inputs,
    normalizer,
    layers: layers.map(({ dense, ...layer }) => ({ ...layer, ...closeDense(dense, 1) })),
    standardizer,
  };
}

/** The row count of a Dense kernel from the manifest, when no input shape was declared. */
function kernelRows(layer: LayerJSON, specs: Map<string, WeightSpec>): number {
  const spec =
    specs.get(`${layer.name}/kernel`) ?? [...specs.values()].find((s) => s.name.endsWith(`/${layer.name}/kernel`));
  if (spec?.shape.length !== 2)
    throw new TypeError(`${SOURCE}: ${layer.where}: no 2-D weight '${layer.name}/kernel' in the manifest`);
  return spec.shape[0]!;
}

/** y·scale + mean from a BatchNormalization with mean 0, variance 1, ε 0 and gamma > 0 (toTFJS's form); else null. */
function fixedStandardizer(
  layer: LayerJSON,
  weight: (layer: LayerJSON, param: string, shape: null) => Float32Array,
): DenseLayers['standardizer'] {
  const c = layer.config;
  if (c.epsilon !== 0 || c.center === false || c.scale === false) return null;
  const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((p) =>
    weight(layer, p, null),
  ) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const n = gamma.length;
  if ([beta, mean, variance].some((a) => a.length !== n)) return null;
  if (!mean.every((v) => v === 0) || !variance.every((v) => v === 1) || !gamma.every((v) => v > 0)) return null;
  return { scale: Float64Array.from(gamma), mean: Float64Array.from(beta) };
}

/** A BatchNormalization layer's inference form over n features (Keras's epsilon defaults to 0.001). */
function batchNormOf(
  layer: LayerJSON,
  n: number,
  weight: (layer: LayerJSON, param: string, shape: number[]) => Float32Array,
): BatchNorm {
  const c = layer.config;
  const epsilon = c.epsilon ?? 0.001;
  if (typeof epsilon !== 'number' || !(epsilon >= 0))
    throw new RangeError(`${SOURCE}: ${layer.where} epsilon must be a number ≥ 0`);
  const gamma = c.scale === false ? null : weight(layer, 'gamma', [n]);
  const beta = c.center === false ? null : weight(layer, 'beta', [n]);
  const mean = weight(layer, 'moving_mean', [n]),
    variance = weight(layer, 'moving_variance', [n]);
  return batchNorm(gamma, beta, mean, variance, epsilon, `${SOURCE}: ${layer.where}`);
}

/**
 * A first BatchNormalization as simdnet's input normaliser (x − offset)·scale: offset = mean − beta/scale
 * (exactly the mean where beta is 0, as toTFJS writes it); the caller has checked that beta is 0 where scale is.
 */
function normalizerOf(bn: BatchNorm): DenseLayers['normalizer'] {
  const offset = Float64Array.from(bn.mean, (m, j) => (bn.beta[j] === 0 ? m : m - bn.beta[j]! / bn.scale[j]!));
  return { offset, scale: Float64Array.from(bn.scale) };
}
