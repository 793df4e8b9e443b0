// The network descriptor that JavaScript writes (src/runtime/layout.ts mirrors these word indices).
// A descriptor is a header of HEADER_WORDS 32-bit words followed by one LAYER_WORDS record per
// weight layer. Pointer words hold byte addresses; "f32" words hold float bits.

export const HEADER_WORDS: i32 = 26;
export const LAYER_WORDS: i32 = 12;

// header words
export const H_LAYERS: i32 = 0;      // number of weight layers L
export const H_LOSS: i32 = 1;        // loss kind (LOSS_*)
export const H_OPTIMIZER: i32 = 2;   // optimizer kind (OPT_*)
export const H_STEP: i32 = 3;        // updates applied so far (Adam's t), i32
export const H_LR: i32 = 4;          // learning rate, f32
export const H_BETA1: i32 = 5;       // momentum or Adam beta1, f32
export const H_BETA2: i32 = 6;       // Adam beta2, f32
export const H_EPSILON: i32 = 7;     // Adam epsilon, f32
export const H_DECAY: i32 = 8;       // L2 weight decay, f32
export const H_CLIP: i32 = 9;        // global gradient-norm clip (0 = off), f32
export const H_SCRATCH: i32 = 10;    // scratch for packed transposes
export const H_INPUT: i32 = 11;      // input rows of the last forward pass
export const H_PARAMS: i32 = 12;     // all weights and biases, one block
export const H_GRADS: i32 = 13;      // gradients, same offsets as params
export const H_M: i32 = 14;          // optimizer slot m: Adam's first moment, or the velocity of momentum and Nesterov; same offsets
export const H_V: i32 = 15;          // optimizer slot v: Adam's second moment; same offsets
export const H_PARAM_COUNT: i32 = 16; // floats in the params block (with alignment padding)
export const H_INPUT_STAGE: i32 = 17; // capacity x fanIn staging rows for gathered input
export const H_TARGET_STAGE: i32 = 18; // capacity x fanOut staging rows for gathered targets
export const H_CAPACITY: i32 = 19;   // rows the activation buffers hold
export const H_BETA1_POWER: i32 = 20; // f64 (words 20–21): β1^step, kept by update() for Adam's bias correction
export const H_BETA2_POWER: i32 = 22; // f64 (words 22–23): β2^step
export const H_THREADS: i32 = 24;    // threads the network's products may use (parallel.ts)
export const H_ROWS: i32 = 25;       // rows of the last backward pass (the optimizer step follows its split)

// layer record words
export const L_FAN_IN: i32 = 0;
export const L_FAN_OUT: i32 = 1;
export const L_ACT: i32 = 2;         // activation kind (ACT_*)
export const L_P0: i32 = 3;          // f32: sigmoid gain or leaky-ReLU slope
export const L_P1: i32 = 4;          // f32: sigmoid threshold
export const L_W: i32 = 5;           // fanIn x fanOut weights
export const L_B: i32 = 6;           // fanOut biases, 0 = none
export const L_GW: i32 = 7;          // weight gradient
export const L_GB: i32 = 8;          // bias gradient
export const L_Y: i32 = 9;           // capacity x fanOut outputs
export const L_D: i32 = 10;          // capacity x fanOut error terms dE/ds

// activation kinds
export const ACT_LINEAR: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;

// loss kinds
export const LOSS_SSE: i32 = 0;
export const LOSS_MSE: i32 = 1;
export const LOSS_BCE: i32 = 2;
export const LOSS_CE: i32 = 3;

// optimizer kinds
export const OPT_SGD: i32 = 0;
export const OPT_MOMENTUM: i32 = 1;
export const OPT_NESTEROV: i32 = 2;
export const OPT_ADAM: i32 = 3;

// The factor that turns the summed loss of a batch into the loss as defined: SSE is a plain sum,
// MSE and BCE average over every value, cross-entropy over rows (src/runtime/layout.ts has the twin).
// @ts-ignore: decorator
@inline export function lossScale(loss: i32, rows: i32, cols: i32): f32 {
  if (loss == LOSS_SSE) return 1;
  if (loss == LOSS_CE) return <f32>(1.0 / <f64>rows);
  return <f32>(1.0 / (<f64>rows * <f64>cols));
}

// @ts-ignore: decorator
@inline export function headerI32(descriptorPtr: usize, word: i32): i32 { return load<i32>(descriptorPtr + (<usize>word << 2)); }
// @ts-ignore: decorator
@inline export function headerF32(descriptorPtr: usize, word: i32): f32 { return load<f32>(descriptorPtr + (<usize>word << 2)); }
// @ts-ignore: decorator
@inline export function layerRecord(descriptorPtr: usize, l: i32): usize {
  return descriptorPtr + (<usize>(HEADER_WORDS + l * LAYER_WORDS) << 2);
}
