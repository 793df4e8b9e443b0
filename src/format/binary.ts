// The compact binary model format: a header, the model's metadata as JSON, every float as
// float32 little-endian (a quantized model's weights as int8), and a CRC-32 of everything before it.
//
//   bytes 0–7    magic "simdnet\0"
//   bytes 8–11   u32 format version: 1 for a float model, 2 for a quantized one
//   bytes 12–15  u32 metadata length M
//   16 … 16+M    UTF-8 JSON: the toJSON() object with its weight arrays left empty
//   version 2    zero padding to a multiple of 4, u32 byte count B, then B int8 weights: every
//                layer's, in order
//   then         zero padding to a multiple of 4, u32 float count F, then F float32 values:
//                version 1: weights and biases per layer, then (when the metadata says so) the
//                two optimizer slots (m, then v) in the same order; version 2: per layer the
//                scales, then the biases (where the layer has them)
//   last 4       u32 CRC-32 (IEEE) of all the bytes before it
//
// The values go between the model's typed arrays and the file directly; the metadata is read and
// checked by the JSON format's parseModel, with the values in place of the empty arrays.
import { FloatArray } from '../float.js';
import { modelToJSON, parseModel } from './json.js';
import { isPlainObject, rangeError, typeError } from '../check.js';
import type { Model } from '../model/model.js';
import { isQuantized, type QuantizedModel } from '../model/quantize.js';
import type { Weights } from '../model/weights.js';

const MAGIC = 'simdnet\0';
export const BINARY_VERSION = 1;
/** the version of a quantized model's file */
export const QUANTIZED_VERSION = 2;

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

let table: Uint32Array | null = null;
export function crc32(bytes: Uint8Array, end = bytes.length): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A parameter-shaped block's arrays in file order: per layer the weights, then the biases. */
function* arraysOf(w: Weights): Generator<FloatArray> {
  for (let l = 0; l < w.weights.length; l++) {
    yield w.weights[l]!;
    const b = w.biases[l];
    if (b) yield b;
  }
}

/** A model's float arrays in file order, and (quantized) its int8 weights. */
function contentsOf(model: Model | QuantizedModel): { floats: FloatArray[]; int8: Int8Array[] | null } {
  if (isQuantized(model)) {
    const floats = model.layers.flatMap((l) => (l.bias ? [l.scales, l.bias] : [l.scales]));
    return { floats, int8: model.layers.map((l) => l.weights) };
  }
  const blocks = [model.params];
  const slots = model.training?.slots;
  if (slots) blocks.push(slots.m, slots.v);
  return { floats: blocks.flatMap((block) => [...arraysOf(block)]), int8: null };
}

export function encodeModel(model: Model | QuantizedModel): Uint8Array {
  const { floats, int8 } = contentsOf(model);
  const count = floats.reduce((n, a) => n + a.length, 0),
    byteCount = int8 ? int8.reduce((n, a) => n + a.length, 0) : 0;
  const metaBytes = new TextEncoder().encode(JSON.stringify(modelToJSON(model, false)));
  const bytesAt = align4(16 + metaBytes.length) + 4;
  const floatsAt = int8 ? align4(bytesAt + byteCount) + 4 : bytesAt;
  const out = new Uint8Array(floatsAt + count * 4 + 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, int8 ? QUANTIZED_VERSION : BINARY_VERSION, true);
  view.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, 16);
  if (int8) {
    view.setUint32(bytesAt - 4, byteCount, true);
    let at = bytesAt;
    for (const a of int8) out.set(new Uint8Array(a.buffer, a.byteOffset, a.length), (at += a.length) - a.length);
  }
  view.setUint32(floatsAt - 4, count, true);
  let at = floatsAt;
  for (const a of floats) for (let i = 0; i < a.length; i++, at += 4) view.setFloat32(at, a[i]!, true);
  view.setUint32(at, crc32(out, at), true);
  return out;
}

/** Decodes and checks a binary model; every inconsistency is a TypeError or RangeError naming the part. */
export function decodeModel(bytes: unknown): Model | QuantizedModel {
  if (!(bytes instanceof Uint8Array)) throw typeError('model bytes', 'a Uint8Array', bytes);
  if (bytes.length < 24)
    throw rangeError('model bytes', 'at least 24 bytes (header and checksum)', `${bytes.length} bytes`);
  for (let i = 0; i < 8; i++)
    if (bytes[i] !== MAGIC.charCodeAt(i)) throw new TypeError('model bytes: not a simdnet binary model (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== BINARY_VERSION && version !== QUANTIZED_VERSION)
    throw rangeError('model bytes version', `${BINARY_VERSION} or ${QUANTIZED_VERSION} (quantized)`, version);
  const stored = view.getUint32(bytes.length - 4, true);
  if (crc32(bytes, bytes.length - 4) !== stored)
    throw new RangeError('model bytes: checksum mismatch (the data is corrupted or truncated)');
  const metaLength = view.getUint32(12, true);
  let floatsAt = align4(16 + metaLength) + 4;
  if (floatsAt + 4 > bytes.length)
    throw rangeError('model bytes metadata length', `at most ${bytes.length - 24}`, metaLength);
  let int8: Int8Array | null = null;
  if (version === QUANTIZED_VERSION) {
    const byteCount = view.getUint32(floatsAt - 4, true);
    if (floatsAt + byteCount + 8 > bytes.length)
      throw rangeError('model bytes int8 count', `at most ${bytes.length - floatsAt - 8}`, byteCount);
    int8 = new Int8Array(bytes.buffer, bytes.byteOffset + floatsAt, byteCount);
    floatsAt = align4(floatsAt + byteCount) + 4;
    if (floatsAt + 4 > bytes.length) throw new RangeError('model bytes: cut short after the int8 weights');
  }
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + metaLength)));
  } catch (err) {
    throw new TypeError(`model bytes: metadata is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(meta)) throw typeError('model bytes metadata', 'an object', meta);
  if ((meta.precision === 'int8') !== (int8 !== null))
    throw new TypeError(
      `model bytes: version ${version} holds ${int8 ? "a quantized model (precision 'int8')" : 'a float model'}, and the metadata says otherwise`,
    );
  const count = view.getUint32(floatsAt - 4, true);
  if (floatsAt + count * 4 + 4 !== bytes.length)
    throw rangeError('model bytes float count', `${(bytes.length - 4 - floatsAt) / 4} (what the file holds)`, count);
  const floats = new FloatArray(count);
  for (let i = 0; i < count; i++) floats[i] = view.getFloat32(floatsAt + i * 4, true);
  // put the floats in place of the empty arrays, in file order; shapes are then checked by parseModel
  const sizes = shapes(meta);
  let at = 0;
  const take = (n: number): FloatArray => {
    if (at + n > count) throw rangeError('model bytes float count', `at least ${at + n} for these layers`, count);
    return floats.subarray(at, (at += n));
  };
  let byte = 0;
  const fill = (block: Record<string, unknown>): void => {
    const ws = block.weights,
      bs = block.biases,
      ss = block.scales;
    const layers = (a: unknown): a is unknown[] => Array.isArray(a) && a.length === sizes.length;
    if (!layers(ws) || !layers(bs) || (int8 && !layers(ss)))
      throw rangeError('model bytes metadata weights', `${sizes.length} layers`, ws);
    for (let l = 0; l < sizes.length; l++) {
      const [k, n] = sizes[l]!;
      if (int8) {
        if (byte + k * n > int8.length)
          throw rangeError('model bytes int8 count', `at least ${byte + k * n} for these layers`, int8.length);
        ws[l] = int8.subarray(byte, (byte += k * n));
        (ss as unknown[])[l] = take(n);
      } else ws[l] = take(k * n);
      if (bs[l] !== null) bs[l] = take(n);
    }
  };
  fill(meta);
  if (int8 && byte !== int8.length) throw rangeError('model bytes int8 count', `${byte} for these layers`, int8.length);
  const training = meta.training;
  if (isPlainObject(training) && isPlainObject(training.state)) {
    const [m, v] = meta.version === 1 ? ['first', 'second'] : ['m', 'v'];
    const state = training.state;
    if (!isPlainObject(state[m!]) || !isPlainObject(state[v!]))
      throw typeError('model bytes metadata training.state', `{ ${m}, ${v} }`, state);
    fill(state[m!] as Record<string, unknown>);
    fill(state[v!] as Record<string, unknown>);
  }
  if (at !== count) throw rangeError('model bytes float count', `${at} for these layers`, count);
  return parseModel(meta);
}

/** [fanIn, fanOut] per weight layer, from metadata not yet checked (parseModel checks it fully). */
function shapes(meta: Record<string, unknown>): [number, number][] {
  const layers = meta.layers;
  if (
    !Array.isArray(layers) ||
    layers.length < 2 ||
    layers.length > 4096 ||
    !layers.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 1 << 24)
  ) {
    throw rangeError('model bytes metadata layers', 'an array of positive layer sizes', layers);
  }
  return layers.slice(1).map((n, l) => [layers[l] as number, n as number]);
}
