// Where NN's ONNX and TensorFlow.js methods find their codecs. The codecs (protobufjs included)
// live in the separate entry point simdnet/interop, which registers them here when imported, so
// the core bundle carries only this file and its size budget is untouched.
import type { LossName } from '../vocabulary.js';

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
export interface Imported<Model> {
  model: Model;
  options: never;
}

/**
 * The codecs simdnet/interop provides: between simdnet's model format (Model is ModelJSON; a type
 * parameter here so that this file needs nothing from the core) and the other runtimes' bytes.
 */
export interface InteropCodecs<Model> {
  toONNX(model: Model): Uint8Array;
  fromONNX(bytes: unknown, options: unknown): Imported<Model>;
  toTFJS(model: Model): TFJSModel;
  fromTFJS(modelJSON: unknown, weightData: unknown, options: unknown): Imported<Model>;
}

let registered: InteropCodecs<unknown> | null = null;

/** @internal simdnet/interop calls this once when it is imported; not part of the public API. */
export function registerInterop<Model>(codecs: InteropCodecs<Model>): void {
  registered = codecs as InteropCodecs<unknown>;
}

/** The registered codecs, or an Error telling how to get them. */
export function interopCodecs<Model>(method: string): InteropCodecs<Model> {
  if (!registered) {
    throw new Error(
      `simdnet: ${method} needs the ONNX and TF.js codecs: import 'simdnet/interop' once (it re-exports the same NN)`,
    );
  }
  return registered as InteropCodecs<Model>;
}

/** Options of fromONNX and fromTFJS: those of NN.fromJSON (its type is the parameter) and the loss for further training. */
export type ImportOptionsOf<FromJSON extends (json: never, options: never) => unknown> = NonNullable<
  Parameters<FromJSON>[1]
> & { loss?: LossName };
