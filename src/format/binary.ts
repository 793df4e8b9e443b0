// The compact binary model format: a header, the model's metadata as JSON, every float as
// float32 little-endian, and a CRC-32 of everything before it.
//
//   bytes 0–7    magic "simdnet\0"
//   bytes 8–11   u32 format version (1)
//   bytes 12–15  u32 metadata length M
//   16 … 16+M    UTF-8 JSON: the toJSON() object with its float arrays left empty
//   then         zero padding to a multiple of 4, u32 float count F, then F float32 values:
//                weights and biases per layer, then (when the metadata says so) the two
//                optimizer slots (m, then v) in the same order
//   last 4       u32 CRC-32 (IEEE) of all the bytes before it
//
// The floats go between the model's Float32Arrays and the file directly; the metadata is read and
// checked by the JSON format's parseModel, with the floats in place of the empty arrays.
import { FloatArray } from '../float.js';
import { modelToJSON, parseModel } from './json.js';
import { isPlainObject, rangeError, typeError } from '../check.js';
import type { Model } from '../model/model.js';
import type { Weights } from '../model/weights.js';

const MAGIC = 'simdnet\0';
export const BINARY_VERSION = 1;

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

export function encodeModel(model: Model): Uint8Array {
  const blocks = [model.params];
  const slots = model.training?.slots;
  if (slots) blocks.push(slots.m, slots.v);
  let count = 0;
  for (const block of blocks) for (const a of arraysOf(block)) count += a.length;
  const metaBytes = new TextEncoder().encode(JSON.stringify(modelToJSON(model, false)));
  const floatsAt = Math.ceil((16 + metaBytes.length) / 4) * 4 + 4;
  const out = new Uint8Array(floatsAt + count * 4 + 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, BINARY_VERSION, true);
  view.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, 16);
  view.setUint32(floatsAt - 4, count, true);
  let at = floatsAt;
  for (const block of blocks)
    for (const a of arraysOf(block)) for (let i = 0; i < a.length; i++, at += 4) view.setFloat32(at, a[i]!, true);
  view.setUint32(at, crc32(out, at), true);
  return out;
}

/** Decodes and checks a binary model; every inconsistency is a TypeError or RangeError naming the part. */
export function decodeModel(bytes: unknown): Model {
  if (!(bytes instanceof Uint8Array)) throw typeError('model bytes', 'a Uint8Array', bytes);
  if (bytes.length < 24)
    throw rangeError('model bytes', 'at least 24 bytes (header and checksum)', `${bytes.length} bytes`);
  for (let i = 0; i < 8; i++)
    if (bytes[i] !== MAGIC.charCodeAt(i)) throw new TypeError('model bytes: not a simdnet binary model (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== BINARY_VERSION) throw rangeError('model bytes version', `${BINARY_VERSION}`, version);
  const stored = view.getUint32(bytes.length - 4, true);
  if (crc32(bytes, bytes.length - 4) !== stored)
    throw new RangeError('model bytes: checksum mismatch (the data is corrupted or truncated)');
  const metaLength = view.getUint32(12, true);
  const floatsAt = Math.ceil((16 + metaLength) / 4) * 4 + 4;
  if (floatsAt + 4 > bytes.length)
    throw rangeError('model bytes metadata length', `at most ${bytes.length - 24}`, metaLength);
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + metaLength)));
  } catch (err) {
    throw new TypeError(`model bytes: metadata is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(meta)) throw typeError('model bytes metadata', 'an object', meta);
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
  const fill = (block: Record<string, unknown>): void => {
    const ws = block.weights,
      bs = block.biases;
    if (!Array.isArray(ws) || !Array.isArray(bs) || ws.length !== sizes.length || bs.length !== sizes.length) {
      throw rangeError('model bytes metadata weights', `${sizes.length} layers`, ws);
    }
    for (let l = 0; l < sizes.length; l++) {
      ws[l] = take(sizes[l]![0] * sizes[l]![1]);
      if (bs[l] !== null) bs[l] = take(sizes[l]![1]);
    }
  };
  fill(meta);
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
