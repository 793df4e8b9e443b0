// The ABI of simdnet's Wasm module: the only file that exports. Pointer arguments end in Ptr (the
// network's descriptor is descriptorPtr) and hold byte addresses; sizes are in elements.
// src/abi/kernels.ts types exactly these exports (test/abi.test.ts checks it against asc's
// declarations of the build), and src/js/ implements the same kernels for the 'js' engine.

// Dense products (per layer, per batch): forward, error terms back, weight gradient, bias gradient
// (blocked and packed in gemm.ts).
export { matmul, matmulTransB, matmulTransA, columnSums } from './dense';
// Elementwise activations in place and their derivatives (per layer, per batch).
export { activate, activationGrad } from './activation';
// Loss value (per evaluation) and output error terms (per batch).
export { lossSum, outputDelta } from './loss';
// Optimizer step over the parameter block (per batch) and the squared norm used for clipping.
export { applyUpdate, sumSquares } from './update';
// Whole-network passes: one call per batch (forward/backward/update; startForward and finishForward
// for outputs only, its inputs scanned first) or per epoch (trainEpoch, which hands small networks to small.ts's
// epoch).
export { forward, startForward, finishForward, backward, update, gatherRows, trainEpoch } from './network';
// The finiteness scan of staged inputs (per training set): the first NaN or ±Infinity, or −1.
export { firstNonFinite } from './scan';
// Threads (Wasm only; the 'js' engine runs on one): each instance gets its scratch and the shared
// control block once, helpers run helperLoop in their workers, stopHelpers ends them; useThreads
// sets the count for direct product calls (the passes take it from the descriptor).
export { threadInit, useThreads, helperLoop } from './parallel';
export { helperEpoch, stopHelpers, CONTROL_BYTES } from './jobs';
export { SCRATCH_BYTES } from './gemm';

// First byte above the module's static data: the JavaScript heap allocator starts here.
export function heapBase(): usize { return __heap_base; }

// Quantized inference (int8 weights, activations quantized per row; quant-forward.ts defines the
// arithmetic, src/js/quant-pack.ts quantizes and packs the weights): quantForward once per batch of
// predictions, quantizeRows (the row quantizer alone) for tests and checks, and the scratch size.
export { quantizeRows, quantScratchBytes, quantForward } from './quant';

// Test hooks, which the library never calls: exp on its own (the polynomial against Math.exp),
// whether trainEpoch would take the small epoch (1) for a network and batch size, and the parts of
// products that helper threads computed since the engine started (that threads really shared), and
// the part a late helper would claim of a given job.
export { vexp as testExp } from './activation';
export { smallEpochFits as testSmallEpoch } from './small';
export { helperParts as testHelperParts, testClaim } from './jobs';
