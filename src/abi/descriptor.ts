// The network descriptor as TypeScript sees it: byte offsets computed from contract.ts's tables,
// and views with one named property per field over an engine's memory. The AssemblyScript accessors
// are written from the same offsets (layoutOf), so both sides read and write the same bytes.
import { HEADER, LAYER, type FieldType } from './contract.js';

/**
 * The typed arrays over one linear memory. They are replaced when memory grows, so a view asks for
 * them on every access (a Heap satisfies this; so does any object with the three arrays).
 */
export interface MemoryViews {
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

const SIZE: Record<FieldType, number> = { i32: 4, f32: 4, ptr: 4, f64: 8 };

/**
 * Byte offset of every field, in order, each aligned to its size; the record's bytes are rounded
 * up to 8 so that a float64 stays aligned in every record after the first.
 */
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

const header = layoutOf(HEADER);
const layer = layoutOf(LAYER);
/** Bytes of the header; layer record l starts HEADER_BYTES + l·LAYER_BYTES after the descriptor. */
export const HEADER_BYTES = header.bytes;
export const LAYER_BYTES = layer.bytes;

/** A view's properties: every field of the table as a number (pointers are byte addresses). */
type Fields<T> = { -readonly [K in keyof T]: number };

export type LayerView = Fields<typeof LAYER>;
export interface DescriptorView extends Fields<typeof HEADER> {
  /** the byte address of the descriptor */
  readonly ptr: number;
  /** the record of weight layer l */
  layer(l: number): LayerView;
}

/** A record at byte address ptr (8-byte aligned) of `memory`. */
class FieldView {
  /** ptr in 32-bit words */
  readonly word: number;
  constructor(
    readonly memory: MemoryViews,
    readonly ptr: number,
  ) {
    this.word = ptr >> 2;
  }
}

/** `View` with a getter and a setter per field on its prototype, each at its offset and in its type. */
function withFields<V extends typeof FieldView>(View: V, fields: Record<string, FieldType>): V {
  const { at } = layoutOf(fields);
  for (const name in fields) {
    const type = fields[name]!,
      index = at[name]! / SIZE[type];
    const property: PropertyDescriptor =
      type === 'f64'
        ? {
            get(this: FieldView) {
              return this.memory.f64[(this.word >> 1) + index];
            },
            set(this: FieldView, value: number) {
              this.memory.f64[(this.word >> 1) + index] = value;
            },
          }
        : type === 'f32'
          ? {
              get(this: FieldView) {
                return this.memory.f32[this.word + index];
              },
              set(this: FieldView, value: number) {
                this.memory.f32[this.word + index] = value;
              },
            }
          : {
              get(this: FieldView) {
                return this.memory.i32[this.word + index];
              },
              set(this: FieldView, value: number) {
                this.memory.i32[this.word + index] = value;
              },
            };
    Object.defineProperty(View.prototype, name, property);
  }
  return View;
}

const LayerRecord = withFields(class extends FieldView {}, LAYER);

const Descriptor = withFields(
  class extends FieldView {
    // each layer's view is made once, on first use
    private readonly records: LayerView[] = [];
    layer(l: number): LayerView {
      return (this.records[l] ??= new LayerRecord(this.memory, this.ptr + HEADER_BYTES + l * LAYER_BYTES) as never);
    }
  },
  HEADER,
);

/** The descriptor at byte address ptr of `memory`, field by field. */
export function descriptorView(memory: MemoryViews, ptr: number): DescriptorView {
  return new Descriptor(memory, ptr) as unknown as DescriptorView;
}

/** descriptorView for one memory, keeping the last view made (passes seldom switch networks). */
export function descriptorViews(memory: MemoryViews): (ptr: number) => DescriptorView {
  let last: DescriptorView | null = null;
  return (ptr) => (last !== null && last.ptr === ptr ? last : (last = descriptorView(memory, ptr)));
}
