// The one array type for simdnet's precision (f32, as `type Float = f32` in assembly/).
export const FloatArray = Float32Array;
export type FloatArray = Float32Array;
