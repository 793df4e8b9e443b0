// Where each field of contract.ts's records lies: in memory order, each aligned to its size, a
// record's bytes rounded up to 8 so that a float64 stays aligned in every record after the first.
// scripts/contract.ts writes both sides' accessors and the records' sizes from these offsets.
import type { FieldType } from './contract.js';

/**
 * The typed arrays over one linear memory. They are replaced when memory grows, so a view asks for
 * them on every access (a Heap satisfies this; so does any object with the four arrays).
 */
export interface MemoryViews {
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly u8: Uint8Array;
}

/** Bytes of each field type. */
export const SIZE: Record<FieldType, number> = { i32: 4, f32: 4, ptr: 4, f64: 8 };

/** Byte offset of every field of a record, and the record's size. */
export function layoutOf<T extends Record<string, FieldType>>(
  fields: T,
): { at: Record<keyof T, number>; bytes: number } {
  const at = {} as Record<keyof T, number>;
  let bytes = 0;
  for (const name in fields) {
    const size = SIZE[fields[name] as FieldType];
    bytes = Math.ceil(bytes / size) * size;
    at[name] = bytes;
    bytes += size;
  }
  return { at, bytes: Math.ceil(bytes / 8) * 8 };
}
