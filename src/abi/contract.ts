// The contract between TypeScript and the kernels, declared once: the network descriptor's fields,
// the quantized network's layer records, the kind codes and the constants both languages need.
// `npm run asbuild` writes both sides' accessors from these tables (scripts/contract.ts):
// assembly/contract.generated.ts and src/abi/views.generated.ts. Adding a field is one line here. The comments say what each field holds; only the names and types ship.

/** How a field is stored: a 32-bit integer, a float32, a byte address, or a float64 (two words). */
export type FieldType = 'i32' | 'f32' | 'ptr' | 'f64';

/**
 * The descriptor's header, in memory order (each field aligned to its size). JavaScript writes it
 * when a network is built or trained; the passes read it, and write the fields marked "written".
 */
export const HEADER = {
  layers: 'i32', // number of weight layers
  loss: 'i32', // loss kind (LOSSES)
  optimizer: 'i32', // optimizer kind (OPTIMIZERS)
  step: 'i32', // updates applied so far (Adam's t); written by update
  learningRate: 'f32',
  beta1: 'f32', // momentum, or Adam's β1
  beta2: 'f32', // Adam's β2
  epsilon: 'f32', // Adam's ε
  decay: 'f32', // L2 weight decay
  clip: 'f32', // global gradient-norm clip, 0 = off
  scratch: 'ptr', // matmulTransB's packing room: 8 rows of the widest layer
  input: 'ptr', // input rows of the last forward pass; written by forward
  params: 'ptr', // every weight and bias, one block
  grads: 'ptr', // their gradients, at the same offsets
  m: 'ptr', // optimizer slot m: Adam's first moment, or the velocity of momentum and Nesterov
  v: 'ptr', // optimizer slot v: Adam's second moment
  paramCount: 'i32', // floats in the parameter block, alignment padding included
  inputStage: 'ptr', // capacity × inputs: gathered input rows
  targetStage: 'ptr', // capacity × outputs: gathered target rows
  capacity: 'i32', // rows the per-batch buffers hold
  beta1Power: 'f64', // β1^step for Adam's bias correction; written by update
  beta2Power: 'f64', // β2^step
  threads: 'i32', // threads the network's products may use
  rows: 'i32', // rows of the last backward pass (the optimizer step follows its split); written by backward
} as const satisfies Record<string, FieldType>;

/** What every layer record starts with, float or quantized: its sizes and its activation. */
const LAYER_SHAPE = {
  fanIn: 'i32',
  fanOut: 'i32',
  act: 'i32', // activation kind (ACTIVATIONS)
  p0: 'f32', // sigmoid gain, or leaky-ReLU slope
  p1: 'f32', // sigmoid threshold
} as const satisfies Record<string, FieldType>;

/** One record per weight layer, after the header. */
export const LAYER = {
  ...LAYER_SHAPE,
  w: 'ptr', // fanIn × fanOut weights
  b: 'ptr', // fanOut biases, 0 = none
  gw: 'ptr', // weight gradient
  gb: 'ptr', // bias gradient
  y: 'ptr', // capacity × fanOut outputs
  d: 'ptr', // capacity × fanOut error terms dE/ds
} as const satisfies Record<string, FieldType>;

/**
 * One record per layer of a quantized network, the records one after another (assembly/quant.ts
 * reads them; the runtime writes them when it places the network). docs/quantization.md defines
 * the arithmetic and the packed block.
 */
export const QUANT_LAYER = {
  ...LAYER_SHAPE,
  packed: 'ptr', // the layer's packed block: int8 weights, then scales and biases (src/js/quant-pack.ts)
  range: 'f32', // the calibrated range of the layer's input, or 0 to quantize each row by its own
  narrow: 'i32', // 1: the relaxed build may take the int8 dot product here (the runtime's probes decide)
} as const satisfies Record<string, FieldType>;

/** The kind codes are the positions in these lists, named as the public option strings. */
export const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky-relu', 'softmax'] as const;
export const LOSSES = ['sse', 'mse', 'binary-cross-entropy', 'cross-entropy'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam'] as const;

/** Whole numbers both languages need, under the same names. */
export const SHARED = {
  /** A product smaller than this many multiply-adds stays on the calling thread (publishing and joining a job costs about as much). */
  MIN_PARALLEL_MACS: 65536,
  /** Widest layer of the small epoch's row path. */
  SMALL_MAX_WIDTH: 64,
  /** Widest layer of the small epoch's register path (one hidden layer, one v128 per weight row). */
  REGISTER_WIDTH: 4,
  /** Most rows per batch on the register path. */
  REGISTER_MAX_BATCH: 4,
} as const;
