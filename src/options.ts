// The public options of NN.create, NN.fromJSON and toJSON, and their resolvers: defaults filled in
// from the one table (defaults.ts), every field checked (through check.ts and
// model/architecture.ts) before any kernel runs. train's options are in train-options.ts.
import { boolean, checkKeys, isPlainObject, number, oneOf, rangeError, typeError } from './check.js';
import { checkArchitecture, resolveActivation, resolveInitScale, resolveLayers } from './model/architecture.js';
import { defaultsOf, PRESET_NAMES, type PresetName } from './defaults.js';
import {
  INITS,
  LOSSES,
  NORMALIZERS,
  type Activation,
  type LossName,
  type NetworkConfig,
  type NormalizeOption,
  type InitName,
  type ResolvedActivation,
  type Rows,
} from './vocabulary.js';

export type EngineOption = 'wasm' | 'js' | 'auto';
/** Threads for the matrix products: a whole number, or 'auto' for the cores the platform reports. */
export type ThreadsOption = number | 'auto';

export interface NetworkOptions {
  /** layer sizes, input first; at least two */
  layers: readonly number[];
  /**
   * defaults for everything below taken from a preset instead of the library's: 'article' is the
   * seed article's network (sigmoid with gain 0.04 and threshold 0.1, 'sse', no bias, 'normal'
   * init, no normalisation; trained by plain SGD at 0.01 over all rows). Options given still win.
   */
  preset?: PresetName;
  /** hidden activation, or one per weight layer (the last is the output); default 'relu' */
  activation?: Activation | readonly Activation[];
  /**
   * activation of the last layer; default 'auto': softmax for 'cross-entropy', sigmoid for
   * 'binary-cross-entropy', linear for 'mse' and 'sse', and without a loss, chosen with it from the
   * targets at the first train (one-hot rows or class labels: softmax; one column of 0/1: sigmoid;
   * anything else: linear)
   */
  output?: Activation | 'auto';
  /** default 'auto': 'cross-entropy' for softmax, 'binary-cross-entropy' for sigmoid, else 'mse'; or from the targets with the output */
  loss?: LossName | 'auto';
  /** learned bias per neuron; default true */
  bias?: boolean;
  /** weight initialisation; default 'xavier' (Glorot uniform); 'auto' is He for ReLU layers and Xavier otherwise */
  init?: InitName;
  /** range r of 'uniform' (±r, default 0.5) or standard deviation of 'normal' (default 1) */
  initScale?: number;
  /** default 'auto' (Wasm where a build validates, else 'js') */
  engine?: EngineOption;
  /**
   * threads for the matrix products, 1 to 256, or 'auto' (the cores the platform reports); default 1.
   * Any count gives the same results, bit for bit. The 'js' engine runs on one.
   */
  threads?: ThreadsOption;
  /** seed of the network's generator (initialisation, shuffling); default: drawn at random and kept with the model (toJSON().seed) */
  seed?: number;
  /**
   * default 'auto': z-scored inputs and, for a linear output with 'mse' or 'sse', standardized
   * targets (predictions come back in their units), both fitted at the first train and saved with
   * the model, unless the weights were set or loaded before; 'zscore' or 'minmax': that input
   * normaliser only; 'none': raw inputs and targets
   */
  normalize?: NormalizeOption;
}

/** What the first train() of a new network decides from its data; none of it for set or loaded weights. */
export interface Undecided {
  /** choose the output layer and the loss from the targets */
  head: boolean;
  /** fit a z-score input normaliser and, for regression, a target standardizer */
  data: boolean;
}

/** The most threads a network may ask for. */
export const MAX_THREADS = 256;

/** Where a network runs: its engine and its thread count, as asked (resolved against the runtime when it is built). */
export interface Placement {
  engine: EngineOption;
  threads: ThreadsOption;
}

const ENGINES: readonly EngineOption[] = ['wasm', 'js', 'auto'];

const NETWORK_KEYS = [
  'layers',
  'preset',
  'activation',
  'output',
  'loss',
  'bias',
  'init',
  'initScale',
  'engine',
  'threads',
  'seed',
  'normalize',
];

function resolveThreads(value: unknown, fallback: ThreadsOption): ThreadsOption {
  if (value === undefined) return fallback;
  if (value === 'auto') return 'auto';
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw rangeError('threads', `a whole number from 1 to ${MAX_THREADS}, or 'auto'`, value);
  }
  return value;
}

/** The output an explicit loss implies (null: none, the defaults decide). */
const outputOfLoss = (loss: LossName | undefined): Activation | null =>
  loss === 'cross-entropy' ? 'softmax' : loss === 'binary-cross-entropy' ? 'sigmoid' : null;

/** The loss an output implies when none is given. */
const lossOfOutput = (output: ResolvedActivation): LossName =>
  output.name === 'softmax' ? 'cross-entropy' : output.name === 'sigmoid' ? 'binary-cross-entropy' : 'mse';

export interface ResolvedNetworkOptions extends Placement {
  config: NetworkConfig;
  undecided: Undecided | null;
  preset: PresetName | null;
}

export function resolveNetworkOptions(options: unknown): ResolvedNetworkOptions {
  if (!isPlainObject(options)) throw typeError('options', 'an object with at least { layers }', options);
  checkKeys('options', options, NETWORK_KEYS);
  const preset = options.preset === undefined ? null : oneOf('preset', options.preset, PRESET_NAMES, 'article');
  const d = defaultsOf(preset).network;
  const layers = resolveLayers(options.layers);
  const weightLayers = layers.length - 1;

  const act = options.activation;
  let activations: ResolvedActivation[];
  if (Array.isArray(act)) {
    if (act.length !== weightLayers) {
      throw rangeError(
        'activation',
        `one activation per weight layer (${weightLayers} for ${layers.length} layer sizes)`,
        act,
      );
    }
    activations = Array.from(act, (a: unknown, i) => resolveActivation(`activation[${i}]`, a)); // visits holes, unlike map
  } else {
    const one = resolveActivation('activation', act ?? d.activation);
    activations = Array.from({ length: weightLayers }, () => ({ ...one }));
  }

  const explicitLoss =
    options.loss === undefined || options.loss === 'auto' ? undefined : oneOf('loss', options.loss, LOSSES, 'mse');
  const defaultLoss = d.loss === 'auto' ? undefined : d.loss;
  // the output: given, the last of an activation list, implied by a loss, or the defaults' (which may leave it to the targets)
  let head = false;
  if (options.output !== undefined && options.output !== 'auto') {
    activations[weightLayers - 1] = resolveActivation('output', options.output);
  } else if (!Array.isArray(act)) {
    const implied = outputOfLoss(explicitLoss) ?? (explicitLoss ? null : outputOfLoss(defaultLoss));
    if (implied) activations[weightLayers - 1] = resolveActivation('output', implied);
    else if (d.output === 'as-hidden') {
      // the hidden activation, as already filled in
    } else if (d.output !== 'auto') activations[weightLayers - 1] = resolveActivation('output', d.output);
    else {
      activations[weightLayers - 1] = resolveActivation('output', 'linear');
      head = !explicitLoss;
    }
  }
  const last = activations[weightLayers - 1]!;
  const loss = explicitLoss ?? (last.name === 'softmax' ? 'cross-entropy' : (defaultLoss ?? lossOfOutput(last)));
  checkArchitecture(layers, activations, 'activation', 'output');

  const init = oneOf('init', options.init, INITS, d.init);
  const initScale = resolveInitScale(init, options.initScale, '');
  const seed =
    options.seed === undefined
      ? Math.floor(Math.random() * 0x100000000)
      : number('seed', options.seed, 0, 0, 0xffffffff, { integer: true });
  const normalize = oneOf('normalize', options.normalize, [...NORMALIZERS, 'auto'] as const, d.normalize);
  const data = normalize === 'auto';
  return {
    config: {
      layers,
      activations,
      loss,
      bias: boolean('bias', options.bias, d.bias),
      init,
      initScale,
      seed,
      // 'auto' fits z-score at the first train; until then (and for ever, once weights are set) inputs pass as they are
      normalize: data ? 'none' : normalize,
    },
    engine: oneOf('engine', options.engine, ENGINES, d.engine),
    threads: resolveThreads(options.threads, d.threads),
    undecided: head || data ? { head, data } : null,
    preset,
  };
}

/** The options of toJSON and toBinary: whether to save the training state (the default). */
export function resolveSaveOptions(options: unknown): boolean {
  if (options === undefined) return true;
  if (!isPlainObject(options)) throw typeError('toJSON options', '{ training }', options);
  checkKeys('toJSON options', options, ['training']);
  return boolean('toJSON options.training', options.training, true);
}

/** Where a loaded network runs: the options of NN.fromJSON and NN.fromBinary. */
export interface LoadOptions {
  /** default 'auto' */
  engine?: EngineOption;
  /** threads for the matrix products, as in NN.create; default 1 */
  threads?: ThreadsOption;
}

/** The options of NN.fromJSON and NN.fromBinary: `engine` and `threads` (and `extra` keys, read by the caller). */
export function resolveLoadOptions(
  options: unknown,
  fallback: Placement = defaultsOf(null).network,
  extra: readonly string[] = [],
): Placement {
  const keys = [...extra, 'engine', 'threads'];
  if (!isPlainObject(options)) throw typeError('options', `{ ${keys.join(', ')} }`, options);
  checkKeys('options', options, keys);
  return {
    engine: oneOf('engine', options.engine, ENGINES, fallback.engine),
    threads: resolveThreads(options.threads, fallback.threads),
  };
}

/** The options of net.quantize. */
export interface QuantizeOptions {
  /**
   * rows in any form predict takes (raw, before the input normaliser) over which each layer's input
   * range is fitted once: static quantization, a few hundred typical rows; default none, each row
   * quantized by its own range as it comes
   */
  calibration?: Rows;
  /** default: the float network's engine */
  engine?: EngineOption;
  /** default: the float network's threads in effect */
  threads?: ThreadsOption;
}

/** net.quantize's options; engine and threads default to the float network's `placed`. */
export function resolveQuantizeOptions(options: unknown = {}, placed: Placement): Placement & { calibration: unknown } {
  const where = resolveLoadOptions(options, placed, ['calibration']);
  return { ...where, calibration: (options as { calibration?: unknown }).calibration };
}
