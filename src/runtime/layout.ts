// Memory layout of a network, computed once from its shape: a pure function, testable without
// Wasm. The descriptor's own fields are src/abi/descriptor.ts's; this places the blocks it points to.
import { HEADER_BYTES, LAYER_BYTES } from '../abi/descriptor.js';

/**
 * Every block starts on a 64-byte boundary: a cache line. Kernels need 16 (v128 loads); threads need
 * 64, so that the bands of a matrix that two threads write (16-float column bands of W, G and Y)
 * never share a line, which would bounce between their cores on every write.
 */
export const ALIGN = 64;
export const align = (bytes: number): number => Math.ceil(bytes / ALIGN) * ALIGN;

/** Byte offsets of one network's fixed region, relative to its start. */
export interface ModelPlan {
  descriptor: number; // header + layer records
  weights: number[]; // W_l, fanIn x fanOut
  biases: (number | null)[]; // b_l, fanOut, or null without bias
  params: number; // start of the parameter block (weights and biases)
  paramFloats: number; // floats in the parameter block, alignment padding included
  grads: number; // gradient block: same inner offsets as the parameter block
  scratch: number; // matmulTransB's packing room: 8 rows of the widest layer
  bytes: number; // total size of the region
}

export function planModel(layers: readonly number[], bias: boolean): ModelPlan {
  const weightLayers = layers.length - 1;
  const descriptor = 0;
  let at = align(HEADER_BYTES + weightLayers * LAYER_BYTES);
  const params = at;
  const weights: number[] = [];
  const biases: (number | null)[] = [];
  let largest = 0;
  for (let l = 0; l < weightLayers; l++) {
    const fanIn = layers[l]!,
      fanOut = layers[l + 1]!;
    weights.push(at);
    at += align(fanIn * fanOut * 4);
    if (bias) {
      biases.push(at);
      at += align(fanOut * 4);
    } else biases.push(null);
    largest = Math.max(largest, 8 * fanOut);
  }
  const paramBytes = at - params;
  const grads = at;
  at += paramBytes;
  const scratch = at;
  at += align(largest * 4);
  return { descriptor, weights, biases, params, paramFloats: paramBytes / 4, grads, scratch, bytes: at };
}

/** Byte offsets of the per-batch buffers for `capacity` rows, relative to their region's start. */
export interface WorkPlan {
  capacity: number;
  outputs: number[]; // Y_l, capacity x fanOut
  deltas: number[]; // D_l, capacity x fanOut
  inputStage: number; // capacity x inputs
  targetStage: number; // capacity x outputs
  bytes: number;
}

export function planWork(layers: readonly number[], capacity: number): WorkPlan {
  let at = 0;
  const outputs: number[] = [];
  const deltas: number[] = [];
  for (let l = 1; l < layers.length; l++) {
    outputs.push(at);
    at += align(capacity * layers[l]! * 4);
    deltas.push(at);
    at += align(capacity * layers[l]! * 4);
  }
  const inputStage = at;
  at += align(capacity * layers[0]! * 4);
  const targetStage = at;
  at += align(capacity * layers[layers.length - 1]! * 4);
  return { capacity, outputs, deltas, inputStage, targetStage, bytes: at };
}
