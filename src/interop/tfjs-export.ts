// simdnet → TensorFlow.js: a layers model (model.json + weights.bin) that tf.loadLayersModel
// loads unchanged: a Sequential of Dense layers, with
// - the normaliser as a first BatchNormalization layer: moving_mean = offset, gamma = scale,
//   moving_variance = 1, beta = 0, epsilon = 0, which computes (x − offset)·scale;
// - the target standardizer as a last one: gamma = scale, beta = mean, moving_mean = 0,
//   moving_variance = 1, epsilon = 0, which computes y·scale + mean;
// - a leaky ReLU as a linear Dense followed by a LeakyReLU layer (alpha = slope);
// - the article's sigmoid 1/(1+exp(−α(s−θ))) as a sigmoid Dense with the gain folded into the
//   kernel and the threshold into the bias: kernel α·W, bias α·(b − θ), to float32 rounding.
import type { Model } from '../model/model.js';
import { checkExportable } from './exportable.js';
import { hintsOf, namesOf } from './hints.js';
import { toFloat32Bytes } from './float32-bytes.js';

/** The files of a TensorFlow.js layers model: model.json's content and weights.bin's bytes. */
export interface TFJSModel {
  modelJSON: TFJSModelJSON;
  weightData: Uint8Array;
}

/** model.json of a TensorFlow.js layers model (what tf.loadLayersModel and model.save() use). */
export interface TFJSModelJSON {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  /** a Keras Sequential: { class_name: 'Sequential', config: { name, layers }, keras_version, backend } */
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

/** The model.json key (userDefinedMetadata.simdnet) under which toTFJS stores its hints. */
export const TFJS_HINTS_KEY = 'simdnet';
const KERAS_VERSION = 'tfjs-layers 4.22.0';
const GENERATED_BY = 'simdnet';

const initializer = (name: string, config: object = {}) => ({ class_name: name, config });

function denseLayer(name: string, units: number, activation: string, useBias: boolean, inputs: number | null) {
  return {
    class_name: 'Dense',
    config: {
      units,
      activation,
      use_bias: useBias,
      kernel_initializer: initializer('VarianceScaling', {
        scale: 1,
        mode: 'fan_avg',
        distribution: 'normal',
        seed: null,
      }),
      bias_initializer: initializer('Zeros'),
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
      ...(inputs === null ? {} : { batch_input_shape: [null, inputs] }),
      dtype: 'float32',
    },
  };
}

/** A BatchNormalization that is a fixed affine map (ε 0, not trainable): the normaliser or the standardizer. */
function fixedBatchNorm(name: string, inputs: number | null) {
  return {
    class_name: 'BatchNormalization',
    config: {
      axis: -1,
      momentum: 0.99,
      epsilon: 0,
      center: true,
      scale: true,
      beta_initializer: initializer('Zeros'),
      gamma_initializer: initializer('Ones'),
      moving_mean_initializer: initializer('Zeros'),
      moving_variance_initializer: initializer('Ones'),
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
      name,
      trainable: false,
      ...(inputs === null ? {} : { batch_input_shape: [null, inputs] }),
      dtype: 'float32',
    },
  };
}

export function modelToTFJS(model: Model): TFJSModel {
  checkExportable(model, 'toTFJS');
  const { layers, activations } = model.config;
  const { weights: kernels, biases } = model.params;
  const topology: object[] = [];
  const weights: { name: string; shape: number[]; values: ArrayLike<number> }[] = [];
  const inputs = layers[0]!;
  if (model.normalizer) {
    topology.push(fixedBatchNorm('normalizer', inputs));
    weights.push(
      { name: 'normalizer/gamma', shape: [inputs], values: model.normalizer.scale },
      { name: 'normalizer/beta', shape: [inputs], values: new Float32Array(inputs) },
      { name: 'normalizer/moving_mean', shape: [inputs], values: model.normalizer.offset },
      { name: 'normalizer/moving_variance', shape: [inputs], values: new Float32Array(inputs).fill(1) },
    );
  }
  for (let l = 0; l < layers.length - 1; l++) {
    const fanIn = layers[l]!,
      fanOut = layers[l + 1]!;
    const a = activations[l]!,
      bias = biases[l];
    const name = `dense${l}`;
    const sigmoid = a.name === 'sigmoid';
    // the kernels compute with float32 gain and threshold: fold those very values
    const gain = sigmoid ? Math.fround(a.gain) : 1,
      threshold = sigmoid ? Math.fround(a.threshold) : 0;
    const useBias = bias !== null || threshold !== 0;
    const activation = a.name === 'leaky-relu' ? 'linear' : a.name;
    topology.push(denseLayer(name, fanOut, activation, useBias, l === 0 && !model.normalizer ? fanIn : null));
    weights.push({
      name: `${name}/kernel`,
      shape: [fanIn, fanOut],
      values: gain === 1 ? kernels[l]! : kernels[l]!.map((w) => gain * w),
    });
    if (useBias)
      weights.push({
        name: `${name}/bias`,
        shape: [fanOut],
        values: Array.from({ length: fanOut }, (_, j) => gain * ((bias ? bias[j]! : 0) - threshold)),
      });
    if (a.name === 'leaky-relu')
      topology.push({ class_name: 'LeakyReLU', config: { alpha: a.slope, name: `leaky_re_lu${l}`, trainable: true } });
  }
  const targets = model.targetStandardizer;
  if (targets) {
    const outputs = layers[layers.length - 1]!;
    topology.push(fixedBatchNorm('targets', null));
    weights.push(
      { name: 'targets/gamma', shape: [outputs], values: targets.scale },
      { name: 'targets/beta', shape: [outputs], values: targets.mean },
      { name: 'targets/moving_mean', shape: [outputs], values: new Float32Array(outputs) },
      { name: 'targets/moving_variance', shape: [outputs], values: new Float32Array(outputs).fill(1) },
    );
  }
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const w of weights) {
    data.set(w.values, at);
    at += w.values.length;
  }
  const modelJSON: TFJSModelJSON = {
    format: 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'simdnet', layers: topology },
      keras_version: KERAS_VERSION,
      backend: 'tensor_flow.js',
    },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' as const })),
      },
    ],
    userDefinedMetadata: { [TFJS_HINTS_KEY]: hintsOf(model), ...namesOf(model) },
  };
  return { modelJSON, weightData: toFloat32Bytes(data) };
}
