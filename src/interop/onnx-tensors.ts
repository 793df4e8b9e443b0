// ONNX → simdnet, the file's values: int64 fields, tensors (float32 values, int64 shapes) and node
// attributes, each read with a check that names the tensor or node it came from.
import { DataType, type Attribute, type Int64, type Node, type Tensor } from './onnx-schema.js';
import { fromFloat32Bytes } from './float32-bytes.js';

export const SOURCE = 'ONNX model';
/** More values than any dense network simdnet can hold (2^24-wide layers); refused before allocating. */
const MAX_TENSOR = 2 ** 28;

/** An int64 field as a number; protobufjs gives a number or a Long (where long.js is loaded). */
export function int(v: Int64, what: string): number {
  const n =
    typeof v === 'number'
      ? v
      : v.unsigned
        ? (v.high >>> 0) * 2 ** 32 + (v.low >>> 0)
        : v.high * 2 ** 32 + (v.low >>> 0);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${SOURCE}: ${what} is ${n}, beyond a safe integer`);
  return n;
}

export const nodeName = (node: Node, index: number) =>
  `node ${node.name ? `'${node.name}'` : `#${index}`} (${node.opType})`;

// ---- tensors -----------------------------------------------------------------------------------

export interface Constant {
  dims: number[];
  tensor: Tensor;
  what: string;
}

export function dimsOf(t: Tensor, what: string): number[] {
  const dims = t.dims.map((d, i) => int(d, `${what}, dimension ${i}`));
  let count = 1;
  for (const d of dims) {
    if (d < 0) throw new RangeError(`${SOURCE}: ${what}: dimension ${d} is negative`);
    count *= d;
  }
  if (count > MAX_TENSOR)
    throw new RangeError(`${SOURCE}: ${what}: ${count} values, more than simdnet reads (${MAX_TENSOR})`);
  return dims;
}

export const count = (dims: number[]) => dims.reduce((n, d) => n * d, 1);

/** A float32 tensor's values, from raw_data (little-endian) or float_data. */
export function floats(c: Constant): Float32Array {
  const { tensor: t, what } = c;
  if (t.dataLocation === 1 || t.externalData.length > 0)
    throw new TypeError(
      `${SOURCE}: ${what}: its data is in an external file; simdnet reads self-contained .onnx files only`,
    );
  if (t.dataType !== DataType.FLOAT)
    throw new TypeError(
      `${SOURCE}: ${what}: data type ${dataTypeName(t.dataType)}; simdnet reads FLOAT (float32) tensors only`,
    );
  const n = count(c.dims);
  if (t.rawData.length > 0) {
    if (t.rawData.length !== n * 4)
      throw new RangeError(`${SOURCE}: ${what}: raw_data has ${t.rawData.length} bytes for ${n} float32 values`);
    return fromFloat32Bytes(t.rawData, 0, n);
  }
  if (t.floatData.length !== n)
    throw new RangeError(
      `${SOURCE}: ${what}: float_data has ${t.floatData.length} values for shape [${c.dims.join(', ')}]`,
    );
  return Float32Array.from(t.floatData);
}

/** An integer tensor's values (INT8, UINT8 or INT32: quantized weights and biases), from raw_data or int32_data. */
export function integers(c: Constant): Int32Array {
  const { tensor: t, what } = c;
  const size = t.dataType === DataType.INT32 ? 4 : 1;
  if (t.dataType !== DataType.INT8 && t.dataType !== DataType.UINT8 && size === 1)
    throw new TypeError(`${SOURCE}: ${what}: data type ${dataTypeName(t.dataType)}; expected INT8, UINT8 or INT32`);
  const n = count(c.dims);
  if (t.rawData.length === 0) {
    if (t.int32Data.length !== n)
      throw new RangeError(`${SOURCE}: ${what}: int32_data has ${t.int32Data.length} values for ${n}`);
    return Int32Array.from(t.int32Data);
  }
  if (t.rawData.length !== n * size)
    throw new RangeError(`${SOURCE}: ${what}: raw_data has ${t.rawData.length} bytes for ${n} values`);
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  return Int32Array.from({ length: n }, (_, i) =>
    size === 4 ? view.getInt32(i * 4, true) : t.dataType === DataType.INT8 ? view.getInt8(i) : view.getUint8(i),
  );
}

/** An int64 tensor's values (Reshape's target shape). */
export function ints(c: Constant): number[] {
  const { tensor: t, what } = c;
  if (t.dataType !== DataType.INT64)
    throw new TypeError(`${SOURCE}: ${what}: data type ${dataTypeName(t.dataType)}; a shape must be INT64`);
  const n = count(c.dims);
  if (t.rawData.length > 0) {
    if (t.rawData.length !== n * 8)
      throw new RangeError(`${SOURCE}: ${what}: raw_data has ${t.rawData.length} bytes for ${n} int64 values`);
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    return Array.from({ length: n }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  }
  if (t.int64Data.length !== n)
    throw new RangeError(
      `${SOURCE}: ${what}: int64_data has ${t.int64Data.length} values for shape [${c.dims.join(', ')}]`,
    );
  return t.int64Data.map((v, i) => int(v, `${what}, value ${i}`));
}

const DATA_TYPES = [
  'UNDEFINED',
  'FLOAT',
  'UINT8',
  'INT8',
  'UINT16',
  'INT16',
  'INT32',
  'INT64',
  'STRING',
  'BOOL',
  'FLOAT16',
  'DOUBLE',
  'UINT32',
  'UINT64',
  'COMPLEX64',
  'COMPLEX128',
  'BFLOAT16',
];
export const dataTypeName = (t: number) => DATA_TYPES[t] ?? String(t);

// ---- attributes --------------------------------------------------------------------------------

export function attr(node: Node, name: string): Attribute | undefined {
  return node.attribute.find((a) => a.name === name);
}
export const floatAttr = (node: Node, name: string, fallback: number) => attr(node, name)?.f ?? fallback;
export function intAttr(node: Node, index: number, name: string, fallback: number): number {
  const a = attr(node, name);
  return a ? int(a.i, `${nodeName(node, index)} attribute ${name}`) : fallback;
}
