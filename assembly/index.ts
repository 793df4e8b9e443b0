// The ABI of simdnet's Wasm module: the only file that exports. Pointer arguments end in Ptr (the
// network's descriptor is descriptorPtr) and hold byte addresses; sizes are in elements.
// src/runtime/abi.ts types exactly these exports, and src/js/ implements the same names for the
// 'js' engine.

// Dense products (per layer, per batch): forward, error terms back, weight gradient, bias gradient
// (blocked and packed in gemm.ts).
export { matmul, matmulTransB, matmulTransA, columnSums } from './dense';
// Elementwise activations in place and their derivatives (per layer, per batch); exp for tests.
export { activate, activationGrad, vexp } from './activation';
// Loss value (per evaluation) and output error terms (per batch).
export { lossSum, outputDelta } from './loss';
// Optimizer step over the parameter block (per batch) and the squared norm used for clipping.
export { applyUpdate, sumSquares } from './update';
// Whole-network passes: one call per batch (forward/backward/update) or per epoch (trainEpoch).
export { forward, backward, update, gatherRows, trainEpoch } from './network';
// The fused epoch of small networks (trainEpoch dispatches to it when smallEpochFits says 1).
export { smallEpochFits, trainSmallEpoch } from './small';
// Threads (Wasm only; the 'js' engine runs on one): each instance gets its scratch and the shared
// control block once, helpers run helperLoop in their workers, stopHelpers ends them; useThreads
// sets the count for direct product calls (the passes take it from the descriptor).
export { threadInit, useThreads, helperLoop, helperEpoch, helperParts, stopHelpers, CONTROL_BYTES } from './parallel';
export { SCRATCH_BYTES } from './gemm';
// Descriptor layout, so the TypeScript side can check that it writes the same words.
export { HEADER_WORDS, LAYER_WORDS, H_CAPACITY, L_D } from './layout';

// First byte above the module's static data: the JavaScript heap allocator starts here.
export function heapBase(): usize { return __heap_base; }

// Quantized inference (int8 weights, activations quantized per row; quant.ts defines the arithmetic,
// src/js/quant-pack.ts quantizes and packs the weights): quantForward once per batch of predictions,
// quantizeRows (the row quantizer alone) for tests and checks, the scratch size and record words.
export { quantizeRows, quantScratchBytes, quantForward, QUANT_LAYER_WORDS } from './quant';
