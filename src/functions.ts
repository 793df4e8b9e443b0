// The public functions beside NN: what a user asks of the runtime (engines) and the formats that
// are plain functions over a network (toFunction; simdnet/interop holds ONNX and TF.js).
import { type BuildName, availableEngines } from './runtime/placement.js';
import { functionSource } from './format/function.js';
import { modelOf, type NN } from './nn.js';
import { isQuantized } from './model/quantize.js';

/** Which builds this runtime can run, and which one engine 'auto' picks. */
export function engines(): { available: BuildName[]; selected: BuildName } {
  return availableEngines();
}

/**
 * Standalone inference as a JavaScript function (no dependencies, no Wasm) that matches
 * net.predict to float32 rounding: (row: ArrayLike<number>) => Float64Array. Its source is
 * `fn.toString()`; the code holds only numbers taken from the model.
 */
export function toFunction(net: NN): (row: ArrayLike<number>) => Float64Array {
  const model = modelOf(net);
  if (isQuantized(model))
    throw new TypeError("toFunction: net is quantized (precision 'int8'); write the float network it came from");
  return new Function(`return ${functionSource(model)}`)() as (row: ArrayLike<number>) => Float64Array;
}
