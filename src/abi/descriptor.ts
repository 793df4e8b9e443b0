// The network descriptor, and a quantized network's layer records, as TypeScript sees them: views
// with one property per field of contract.ts over an engine's memory. The view classes (views.generated.ts) are written by scripts/contract.ts
// from the same offsets as the kernels' accessors, each getter reading its own constant offset, so
// that a field costs about what a typed-array read costs once V8 inlines it.
import type { HEADER, LAYER, QUANT_LAYER } from './contract.js';
import type { MemoryViews } from './fields.js';
import { Descriptor, QUANT_LAYER_BYTES, QuantLayerRecord } from './views.generated.js';

export type { MemoryViews } from './fields.js';
export { HEADER_BYTES, LAYER_BYTES, QUANT_LAYER_BYTES } from './views.generated.js';

/** A view's properties: every field of the table as a number (pointers are byte addresses). */
type Fields<T> = { -readonly [K in keyof T]: number };

export interface LayerView extends Fields<typeof LAYER> {
  /** the byte address of the record */
  readonly ptr: number;
}
export interface DescriptorView extends Fields<typeof HEADER> {
  /** the byte address of the descriptor */
  readonly ptr: number;
  /** the record of weight layer l */
  layer(l: number): LayerView;
}

/** The descriptor at byte address ptr of `memory`, field by field. */
export function descriptorView(memory: MemoryViews, ptr: number): DescriptorView {
  return new Descriptor(memory, ptr);
}

/** descriptorView for one memory, keeping the last view made (passes seldom switch networks). */
export function descriptorViews(memory: MemoryViews): (ptr: number) => DescriptorView {
  let last: DescriptorView | null = null;
  return (ptr) => (last !== null && last.ptr === ptr ? last : (last = descriptorView(memory, ptr)));
}

export interface QuantLayerView extends Fields<typeof QUANT_LAYER> {
  /** the byte address of the record */
  readonly ptr: number;
}

/** Record l of the quantized network whose records start at byte address layersPtr of `memory`. */
export function quantLayerView(memory: MemoryViews, layersPtr: number, l: number): QuantLayerView {
  return new QuantLayerRecord(memory, layersPtr + l * QUANT_LAYER_BYTES);
}
