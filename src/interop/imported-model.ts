// Where the dense layers read from another format become simdnet's Model, checked once: sizes,
// activations (by the same rules as NN.create's), softmax on the output only, finite weights,
// normaliser and target standardizer. The hints simdnet's own exports carry (loss, bias, the exact
// normaliser and standardizer) are used only where the file's tensors agree with them; the names
// (features, classes, schema) where they fit the model.
import { isPlainObject, oneOf, typeError } from '../check.js';
import { resolveActivation } from '../model/architecture.js';
import type { Model } from '../model/model.js';
import type { Normalizer, TargetStandardizer } from '../model/normalize.js';
import {
  LOSSES,
  MAX_LAYER_SIZE,
  type ActivationName,
  type LossName,
  type NetworkConfig,
  type ResolvedActivation,
} from '../vocabulary.js';
import { type FoundNames, type Hints, parseNames } from './hints.js';

export interface DenseLayer {
  /** fanIn × fanOut, row-major */
  weights: Float32Array;
  bias: Float32Array | null;
  activation: ResolvedActivation;
  /** how the source names this layer, for messages: "node 'fc1' (Gemm)" */
  name: string;
}

/**
 * What a reader found: the input width, an optional normaliser x' = (x − offset)·scale, the layers,
 * and an optional standardizer of the outputs, y' = y·scale + mean.
 */
export interface DenseLayers {
  inputs: number;
  normalizer: { offset: Float64Array; scale: Float64Array } | null;
  layers: DenseLayer[];
  standardizer: TargetStandardizer | null;
}

/** What a file holds beside its graph: simdnet's hints and the model's names. */
export interface Extras {
  hints: Hints;
  names: FoundNames;
}

export function activation(
  name: ActivationName,
  params: { gain?: number; threshold?: number; slope?: number } = {},
): ResolvedActivation {
  return { name, gain: params.gain ?? 1, threshold: params.threshold ?? 0, slope: params.slope ?? 0.01 };
}

/** What the caller of fromONNX/fromTFJS decides instead of the file. */
export interface ImportChoices {
  /** the loss for further training */
  loss?: LossName | undefined;
  /** the output layer's activation, for a file whose output layer is linear (logits) */
  output?: ResolvedActivation | undefined;
}

/** fromONNX/fromTFJS options: `loss` and `output` are the importer's; the rest (engine, threads) is checked where the network is placed. */
export function splitOptions(options: unknown): { choices: ImportChoices; rest: Record<string, unknown> } {
  if (options === undefined) return { choices: {}, rest: {} };
  if (!isPlainObject(options)) throw typeError('options', 'an object such as { output, loss, engine }', options);
  const { loss, output, ...rest } = options;
  return {
    choices: {
      loss: loss === undefined ? undefined : oneOf('options.loss', loss, LOSSES, 'mse'),
      output: output === undefined ? undefined : resolveActivation('options.output', output),
    },
    rest,
  };
}

/** The default loss for further training: from the output activation, as NN.create would pair them. */
function lossFor(output: ActivationName): LossName {
  return output === 'softmax' ? 'cross-entropy' : output === 'sigmoid' ? 'binary-cross-entropy' : 'mse';
}

/** Every value must be finite; names the source's tensor on failure. */
function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!))
      throw new RangeError(`${what}: value ${i} is ${values[i]}; simdnet needs finite weights`);
  }
}

/** The model of the layers read from `source`, every rule checked; a refusal names the source's node or layer. */
export function toModel(read: DenseLayers, { hints, names }: Extras, choices: ImportChoices, source: string): Model {
  let { layers } = read;
  if (layers.length === 0)
    throw new TypeError(`${source}: no dense layer found; simdnet imports a stack of dense layers`);
  const sizes = [read.inputs];
  for (const [l, layer] of layers.entries()) {
    const fanIn = sizes[l]!,
      fanOut = layer.weights.length / fanIn;
    if (!Number.isInteger(fanOut) || fanOut < 1 || fanIn > MAX_LAYER_SIZE || fanOut > MAX_LAYER_SIZE) {
      throw new RangeError(`${source}: ${layer.name} has ${layer.weights.length} weights for ${fanIn} inputs`);
    }
    if (layer.activation.name === 'softmax' && l !== layers.length - 1) {
      throw new TypeError(
        `${source}: ${layer.name} is followed by a softmax, which simdnet allows on the output layer only`,
      );
    }
    checkFinite(layer.weights, `${source}: ${layer.name}, weights`);
    if (layer.bias) checkFinite(layer.bias, `${source}: ${layer.name}, bias`);
    sizes.push(fanOut);
  }
  if (read.normalizer) {
    checkFinite(Float32Array.from(read.normalizer.offset), `${source}: the input normaliser's offset`);
    checkFinite(Float32Array.from(read.normalizer.scale), `${source}: the input normaliser's scale`);
  }
  if (read.standardizer) {
    const n = sizes[sizes.length - 1]!;
    if (read.standardizer.mean.length !== n)
      throw new RangeError(
        `${source}: the output standardizer has ${read.standardizer.mean.length} values for ${n} outputs`,
      );
    checkFinite(Float32Array.from(read.standardizer.mean), `${source}: the output standardizer's mean`);
    checkFinite(Float32Array.from(read.standardizer.scale), `${source}: the output standardizer's scale`);
  }
  // a network saved without learned biases: a sigmoid layer's constant bias is its threshold, α(s + b) = α(s − θ)
  const thresholds =
    hints.bias === false &&
    layers.every(
      (layer) => !layer.bias || (layer.activation.name === 'sigmoid' && layer.bias.every((v) => v === layer.bias![0])),
    );
  if (thresholds) {
    layers = layers.map((layer) =>
      layer.bias ? { ...layer, bias: null, activation: { ...layer.activation, threshold: -layer.bias[0]! } } : layer,
    );
  }
  const bias = layers.some((layer) => layer.bias !== null);
  const activations = layers.map((layer) => checkedActivation(layer, source));
  const declared = choices.output ? declareOutput(activations, choices.output, layers.at(-1)!.name, source) : false;
  const output = activations[activations.length - 1]!.name;
  if (output === 'softmax' && sizes[sizes.length - 1]! < 2) {
    throw declared
      ? new RangeError(`options.output: a softmax needs at least 2 outputs; ${source} has 1 (use 'sigmoid')`)
      : new TypeError(`${source}: the output softmax has 1 unit; simdnet needs at least 2 (use a sigmoid)`);
  }
  const normalizer: Normalizer | null = read.normalizer
    ? (exactNormalizer(read.normalizer, hints) ?? { kind: 'zscore', ...read.normalizer })
    : null;
  const config: NetworkConfig = {
    layers: sizes,
    activations,
    // a declared output changes what the file's own loss was paired with
    loss: choices.loss ?? (declared ? undefined : hints.loss) ?? lossFor(output),
    bias,
    init: 'auto',
    initScale: null,
    seed: 0,
    normalize: normalizer?.kind ?? 'none',
  };
  const params = {
    weights: layers.map((layer) => layer.weights),
    biases: layers.map((layer, l) => layer.bias ?? (bias ? new Float32Array(sizes[l + 1]!) : null)),
  };
  const targetStandardizer = read.standardizer
    ? (exactStandardizer(read.standardizer, hints) ?? read.standardizer)
    : null;
  const metadata = parseNames(names, sizes[0]!, sizes[sizes.length - 1]!);
  return { config, params, normalizer, targetStandardizer, training: null, metadata, preset: hints.preset ?? null };
}

/**
 * Puts the declared output activation on a linear output layer (logits); true when it changed the
 * model. An output layer that already has another activation is refused: it would apply two.
 */
function declareOutput(
  activations: ResolvedActivation[],
  declared: ResolvedActivation,
  name: string,
  source: string,
): boolean {
  const last = activations.length - 1,
    found = activations[last]!;
  const same = (a: ResolvedActivation, b: ResolvedActivation) =>
    a.name === b.name && a.gain === b.gain && a.threshold === b.threshold && a.slope === b.slope;
  if (same(found, declared)) return false;
  if (found.name !== 'linear')
    throw new TypeError(
      `options.output: ${source}'s output layer (${name}) already applies ${found.name}; declare an output activation only for a linear output (logits), got '${declared.name}'`,
    );
  activations[last] = declared;
  return true;
}

/** A layer's activation through the rules of NN.create (a threshold read from a bias can be out of range). */
function checkedActivation(layer: DenseLayer, source: string): ResolvedActivation {
  const { name, gain, threshold, slope } = layer.activation;
  const spec = name === 'sigmoid' ? { name, gain, threshold } : name === 'leaky-relu' ? { name, slope } : { name };
  return resolveActivation(`${source}: ${layer.name}, activation`, spec);
}

/** The hint's exact (float64) standardizer, when every value rounds to the float32 the file holds. */
function exactStandardizer(found: TargetStandardizer, hints: Hints): TargetStandardizer | null {
  const t = hints.targetStandardizer;
  if (!t || t.mean.length !== found.mean.length || t.scale.length !== found.scale.length) return null;
  const same = (a: number[], b: Float64Array) => a.every((v, i) => Math.fround(v) === Math.fround(b[i]!));
  return same(t.mean, found.mean) && same(t.scale, found.scale)
    ? { mean: Float64Array.from(t.mean), scale: Float64Array.from(t.scale) }
    : null;
}

/** The hint's exact (float64) normaliser, when every value rounds to the float32 the file holds. */
function exactNormalizer(found: { offset: Float64Array; scale: Float64Array }, hints: Hints): Normalizer | null {
  const n = hints.normalizer;
  if (!n || n.offset.length !== found.offset.length || n.scale.length !== found.scale.length) return null;
  const same = (a: number[], b: Float64Array) => a.every((v, i) => Math.fround(v) === Math.fround(b[i]!));
  return same(n.offset, found.offset) && same(n.scale, found.scale)
    ? { kind: n.kind, offset: Float64Array.from(n.offset), scale: Float64Array.from(n.scale) }
    : null;
}
