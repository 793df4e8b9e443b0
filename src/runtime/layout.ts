// Memory layout of a network, computed once from its shape: a pure function, testable without
// Wasm. The descriptor words and kind codes mirror assembly/layout.ts (a test checks the two agree).

export const HEADER_WORDS = 26;
export const LAYER_WORDS = 12;

export const H = {
  LAYERS: 0,
  LOSS: 1,
  OPTIMIZER: 2,
  STEP: 3,
  LR: 4,
  BETA1: 5,
  BETA2: 6,
  EPSILON: 7,
  DECAY: 8,
  CLIP: 9,
  SCRATCH: 10,
  INPUT: 11,
  PARAMS: 12,
  GRADS: 13,
  M: 14,
  V: 15,
  PARAM_COUNT: 16,
  INPUT_STAGE: 17,
  TARGET_STAGE: 18,
  CAPACITY: 19,
  BETA1_POWER: 20,
  BETA2_POWER: 22,
  THREADS: 24,
  ROWS: 25,
} as const;

export const L = {
  FAN_IN: 0,
  FAN_OUT: 1,
  ACT: 2,
  P0: 3,
  P1: 4,
  W: 5,
  B: 6,
  GW: 7,
  GB: 8,
  Y: 9,
  D: 10,
} as const;

export const ACT = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, 'leaky-relu': 4, softmax: 5 } as const;
export const LOSS = { sse: 0, mse: 1, 'binary-cross-entropy': 2, 'cross-entropy': 3 } as const;
export const OPT = { sgd: 0, momentum: 1, nesterov: 2, adam: 3 } as const;

/**
 * The factor that turns a sum of per-value loss terms over `rows` rows of `cols` outputs into the
 * loss as defined: SSE is a plain sum, MSE and BCE average over every value, cross-entropy over
 * rows (assembly/layout.ts has the kernels' twin).
 */
export function lossScale(loss: number, rows: number, cols: number): number {
  if (loss === LOSS.sse) return 1;
  if (loss === LOSS['cross-entropy']) return 1 / rows;
  return 1 / (rows * cols);
}

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
  let at = align((HEADER_WORDS + weightLayers * LAYER_WORDS) * 4);
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
