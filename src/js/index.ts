// The 'js' engine: every kernel of the Wasm ABI, in plain TypeScript over the same linear memory.
import type { Heap } from '../runtime/heap.js';
import type { Kernels } from '../runtime/abi.js';
import { denseKernels } from './dense.js';
import { activationKernels } from './activation.js';
import { lossKernels } from './loss.js';
import { updateKernels } from './update.js';
import { networkKernels } from './network.js';
import { smallKernels } from './small.js';

export function createJsKernels(heap: Heap): Kernels {
  const dense = denseKernels(heap);
  const activation = activationKernels(heap);
  const loss = lossKernels(heap, activation.activationGrad);
  const update = updateKernels(heap);
  const parts = { ...dense, ...activation, ...loss, ...update };
  const small = smallKernels(heap, parts);
  return { ...parts, ...small, ...networkKernels(heap, { ...parts, ...small }) };
}
