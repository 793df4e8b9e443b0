// Where NN's ONNX and TensorFlow.js methods find their codecs. The codecs (protobufjs included)
// live in the separate entry point simdnet/interop, which registers them here when imported, so
// the core bundle carries only this file and its size budget is untouched.
import type { ModelJSON } from '../serialize.js';
import type { LossName } from '../options.js';

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

/** A checked model and the options left for NN.fromJSON (which checks those). */
export interface Imported { model: ModelJSON; options: never }

/** The codecs simdnet/interop provides: between simdnet's model format and the other runtimes' bytes. */
export interface InteropCodecs {
  toONNX(model: ModelJSON): Uint8Array;
  fromONNX(bytes: unknown, options: unknown): Imported;
  toTFJS(model: ModelJSON): TFJSModel;
  fromTFJS(modelJSON: unknown, weightData: unknown, options: unknown): Imported;
}

let registered: InteropCodecs | null = null;

/** @internal simdnet/interop calls this once when it is imported; not part of the public API. */
export function registerInterop(codecs: InteropCodecs): void {
  registered = codecs;
}

/** The registered codecs, or an Error telling how to get them. */
export function interopCodecs(method: string): InteropCodecs {
  if (!registered) {
    throw new Error(`simdnet: ${method} needs the ONNX and TF.js codecs: import 'simdnet/interop' once (it re-exports the same NN)`);
  }
  return registered;
}

/** Options of fromONNX and fromTFJS: those of NN.fromJSON (its type is the parameter) and the loss for further training. */
export type ImportOptionsOf<FromJSON extends (json: never, options: never) => unknown> = NonNullable<Parameters<FromJSON>[1]> & { loss?: LossName };
