// The 'js' engine: every kernel of the Wasm ABI, in plain TypeScript over the same linear memory,
// the quantized ones and the test hooks included (assembly/index.ts exports vexp and smallEpochFits
// under those names too).
import type { MemoryViews } from '../abi/descriptor.js';
import type { Kernels, QuantKernels } from '../abi/kernels.js';
import { denseKernels } from './dense.js';
import { activationKernels } from './activation.js';
import { lossKernels } from './loss.js';
import { updateKernels } from './update.js';
import { networkKernels } from './network.js';
import { smallKernels } from './small.js';
import { scanKernels } from './scan.js';
import { quantKernels } from './quant.js';

export function createJsKernels(heap: MemoryViews): Kernels & QuantKernels {
  const dense = denseKernels(heap);
  const activation = activationKernels(heap);
  const loss = lossKernels(heap, activation.activationGrad);
  const update = updateKernels(heap);
  const parts = { ...dense, ...activation, ...loss, ...update, ...scanKernels(heap) };
  const small = smallKernels(heap, parts);
  const { vexp, ...kernels } = parts;
  return {
    ...kernels,
    ...networkKernels(heap, { ...parts, ...small }),
    testExp: vexp,
    testSmallEpoch: small.smallEpochFits,
    ...quantKernels(heap),
  };
}
