// The one array type for simdnet's precision: float32, the kernels' f32.
export const FloatArray = Float32Array;
export type FloatArray = Float32Array;
