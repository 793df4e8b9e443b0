// Float32 values as the bytes ONNX raw_data and TF.js weights.bin hold them: little-endian on every
// platform (a Float32Array's own bytes follow the machine's order).

export function toFloat32Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

/** count values from bytes[byteOffset...]; the caller has checked the length. */
export function fromFloat32Bytes(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 4);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
