// simdnet/interop: ONNX and TensorFlow.js import and export as plain functions over simdnet's
// networks. Importing it changes nothing (no registration); its bundle imports the core
// (../index.js), so the networks it returns are the core's NN.
import { type Activation, type LoadOptions, type LossName, type NN, __fromModel, __modelOf } from '../index.js';
import { isQuantized } from '../model/quantize.js';
import { splitOptions } from './imported-model.js';
import { modelToONNX } from './onnx-export.js';
import { onnxToModel } from './onnx-import.js';
import { modelToTFJS, type TFJSModel } from './tfjs-export.js';
import { tfjsToModel } from './tfjs-import.js';

export type { TFJSModel, TFJSModelJSON } from './tfjs-export.js';

/**
 * Options of fromONNX and fromTFJS: where the network runs, as for NN.fromJSON; the output
 * activation of a file that ends in logits; the loss for further training.
 */
export interface ImportOptions extends LoadOptions {
  /**
   * The output layer's activation when the file's output layer is linear (PyTorch classifiers end
   * in logits): with 'softmax', predict gives probabilities and further training uses
   * cross-entropy. An output layer that already has an activation must match it. Default: the file's.
   */
  output?: Activation;
  /** default: cross-entropy after a softmax, binary cross-entropy after a sigmoid, else mean squared error */
  loss?: LossName;
}

/**
 * The network as an ONNX ModelProto (IR 7, opset 13; input 'input' [batch, inputs], output
 * 'output'); a quantized network as its int8 arithmetic in standard operators (MatMulInteger).
 */
export function toONNX(net: NN): Uint8Array {
  return modelToONNX(__modelOf(net));
}

/** A network from the bytes of an .onnx file (PyTorch's exporters, toONNX). */
export async function fromONNX(bytes: Uint8Array | ArrayBuffer, options?: ImportOptions): Promise<NN> {
  const { choices, rest } = splitOptions(options);
  return __fromModel(onnxToModel(bytes, choices), rest);
}

/** The network as a TensorFlow.js layers model: model.json's content and weights.bin's bytes. */
export function toTFJS(net: NN): TFJSModel {
  const model = __modelOf(net);
  if (isQuantized(model))
    throw new TypeError(
      "toTFJS: net is quantized (precision 'int8') and TensorFlow.js layers models have no int8 layers; export the float network it came from, or use toONNX",
    );
  return modelToTFJS(model);
}

/**
 * A network from a TensorFlow.js layers model: model.json (object or text, or tf.io's model
 * artifacts) and the bytes of its weights (weights.bin, or the artifacts' weightData).
 */
export async function fromTFJS(
  modelJSON: object | string,
  weightData: Uint8Array | ArrayBuffer | ArrayBuffer[],
  options?: ImportOptions,
): Promise<NN> {
  const { choices, rest } = splitOptions(options);
  return __fromModel(tfjsToModel(modelJSON, weightData, choices), rest);
}
