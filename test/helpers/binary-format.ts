// The binary model format read and written independently of src/format/binary.ts (from its header
// comment): magic "simdnet\0", version, metadata length, metadata JSON, float count, floats, CRC-32.

/** CRC-32 (IEEE), written here independently of src/format/binary.ts. */
export function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** Rewrites the trailing checksum so that a tampered file gets past the CRC check. */
export function resign(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** The binary format's parts, read independently of src/format/binary.ts (see its header comment). */
export function splitBinary(bytes: Uint8Array): { meta: Record<string, unknown>; floats: Float32Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLength = view.getUint32(12, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + metaLength))) as Record<string, unknown>;
  const floatsAt = Math.ceil((16 + metaLength) / 4) * 4 + 4;
  const count = view.getUint32(floatsAt - 4, true);
  const floats = new Float32Array(count);
  for (let i = 0; i < count; i++) floats[i] = view.getFloat32(floatsAt + 4 * i, true);
  return { meta, floats };
}

/** A well-formed, correctly signed binary file from metadata (any JSON text) and floats. */
export function joinBinary(
  metaText: string,
  floats: ArrayLike<number>,
  opts: { version?: number; count?: number } = {},
): Uint8Array {
  const metaBytes = new TextEncoder().encode(metaText);
  const floatsAt = Math.ceil((16 + metaBytes.length) / 4) * 4 + 4;
  const out = new Uint8Array(floatsAt + floats.length * 4 + 4);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('simdnet\0'), 0);
  view.setUint32(8, opts.version ?? 1, true);
  view.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, 16);
  view.setUint32(floatsAt - 4, opts.count ?? floats.length, true);
  for (let i = 0; i < floats.length; i++) view.setFloat32(floatsAt + 4 * i, floats[i]!, true);
  return resign(out);
}
