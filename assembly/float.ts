// The one name for simdnet's precision: every kernel reads and writes Float through f32 loads.
export type Float = f32;

/** Bytes per Float element. */
export const FLOAT_BYTES: i32 = 4;
