// The quantized network's layer records, as assembly/quant.ts reads them: QUANT_LAYER_WORDS 32-bit
// words per layer (the Wasm module exports the count; test/quant-kernels.test.ts checks it).
export const Q = {
  /** words per layer record */
  WORDS: 8,
  FAN_IN: 0,
  FAN_OUT: 1,
  /** activation kind (ACT) */
  ACT: 2,
  /** f32: sigmoid gain or leaky-ReLU slope */
  P0: 3,
  /** f32: sigmoid threshold */
  P1: 4,
  /** byte address of the layer's packed block (quant-pack.ts, packLayer) */
  PACKED: 5,
  /** f32: the calibrated range of the layer's input, or 0 to quantize each row by its own */
  RANGE: 6,
} as const;
