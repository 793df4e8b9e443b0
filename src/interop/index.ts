// simdnet/interop: ONNX and TensorFlow.js import and export. Importing this module registers the
// codecs behind NN's toONNX, fromONNX, toTFJS and fromTFJS; it re-exports the same NN class.
import { NN, __registerInterop } from '../index.js';
import type { ImportOptionsOf } from '../format/interop.js';
import { modelToONNX } from './onnx-export.js';
import { onnxToModel } from './onnx-import.js';
import { modelToTFJS } from './tfjs-export.js';
import { tfjsToModel } from './tfjs-import.js';

__registerInterop({ toONNX: modelToONNX, fromONNX: onnxToModel, toTFJS: modelToTFJS, fromTFJS: tfjsToModel });

export { NN };
export type { TFJSModel, TFJSModelJSON } from '../index.js';
/** Options of NN.fromONNX and NN.fromTFJS: those of NN.fromJSON, and `loss` for further training (default: from the output activation). */
export type ImportOptions = ImportOptionsOf<typeof NN.fromJSON>;
