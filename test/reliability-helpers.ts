// Shared helpers of the reliability tests (issue 7): engine heaps, bit-exact network snapshots,
// a clear-error check, an independent CRC-32, and a forced garbage collection.
import { expect } from 'vitest';
import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NN, type Weights } from '../src/index.js';
import { jsEngineSync, wasmEngineSync, type Engine } from '../src/runtime/engine.js';

export const ENGINES = ['js', 'wasm'] as const;
export type EngineKind = (typeof ENGINES)[number];

export const engineOf = (kind: EngineKind): Engine => (kind === 'wasm' ? wasmEngineSync() : jsEngineSync());

/** The whole linear memory of an engine, copied: equal snapshots mean nothing at all was written. */
export const memoryImage = (kind: EngineKind): Uint8Array => engineOf(kind).heap.u8.slice();

export function expectSameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  expect(b.length, `${what}: memory size`).toBe(a.length);
  if (!Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) {
    let i = 0;
    while (a[i] === b[i]) i++;
    expect.fail(`${what}: engine memory changed (first difference at byte ${i})`);
  }
}

/** Every weight and bias as raw float32 bits, in one array (bit-equality, NaN and -0 included). */
export function weightBits(w: Weights): Uint32Array {
  const parts: Float32Array[] = [];
  for (let l = 0; l < w.weights.length; l++) {
    parts.push(Float32Array.from(w.weights[l]!));
    if (w.biases[l]) parts.push(Float32Array.from(w.biases[l]!));
  }
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new Uint32Array(all.buffer);
}

export function expectSameWeights(a: Weights, b: Weights, what: string): void {
  const x = weightBits(a), y = weightBits(b);
  expect(y.length, `${what}: parameter count`).toBe(x.length);
  let diff = -1;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) { diff = i; break; }
  expect(diff, `${what}: first differing parameter`).toBe(-1);
}

export function allFinite(w: Weights): boolean {
  for (const a of [...w.weights, ...w.biases]) if (a) for (const v of a) if (!Number.isFinite(v)) return false;
  return true;
}

/** What a network's state is, as far as the public API can see it. */
export interface NetState { weights: Weights; epochs: number; json: string }
export const stateOf = (net: NN): NetState => ({ weights: net.getWeights(), epochs: net.epochs, json: JSON.stringify(net.toJSON()) });

export function expectSameState(before: NetState, net: NN, what: string): void {
  expect(net.isDisposed, `${what}: disposed`).toBe(false);
  expectSameWeights(before.weights, net.getWeights(), what);
  expect(net.epochs, `${what}: epochs`).toBe(before.epochs);
  expect(JSON.stringify(net.toJSON()), `${what}: toJSON (weights, optimizer and generator state)`).toBe(before.json);
}

// Messages V8 itself produces when unchecked input reaches code that assumed it was valid.
const ENGINE_MESSAGES = /Cannot read prop|Cannot set prop|Cannot convert|Cannot create property|is not a function|is not iterable|is not a constructor|Maximum call stack|Invalid array length|Invalid typed array length|Array buffer allocation failed|out of memory|Invalid string length|NaN bytes|undefined bytes/;

/**
 * A clear error: a TypeError or RangeError (never a WebAssembly.RuntimeError trap, never a raw
 * engine message about undefined properties) whose message matches `field`.
 */
export function expectClearError(err: unknown, field: RegExp | string | null, what: string): void {
  expect(err, `${what}: must throw`).toBeInstanceOf(Error);
  const e = err as Error;
  expect(e instanceof WebAssembly.RuntimeError, `${what}: a Wasm trap escaped: ${e.message}`).toBe(false);
  expect(e instanceof TypeError || e instanceof RangeError, `${what}: expected TypeError or RangeError, got ${e.name}: ${e.message}`).toBe(true);
  expect(ENGINE_MESSAGES.test(e.message), `${what}: unvalidated input reached the code: ${e.message}`).toBe(false);
  if (field !== null) {
    const re = typeof field === 'string' ? new RegExp(field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : field;
    expect(e.message, `${what}: the message names the field`).toMatch(re);
  }
}

export function thrown(f: () => unknown): unknown {
  try { f(); } catch (err) { return err; }
  return undefined;
}

export async function rejected(f: () => Promise<unknown>): Promise<unknown> {
  try { await f(); } catch (err) { return err; }
  return undefined;
}

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
export function joinBinary(metaText: string, floats: ArrayLike<number>, opts: { version?: number; count?: number } = {}): Uint8Array {
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

let gcFn: (() => void) | null | undefined;
/**
 * A full garbage collection. vitest's worker threads don't run with --expose-gc and the config is
 * not ours to change, so the flag is turned on at run time and `gc` is taken from a fresh context.
 */
export function forceGc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (gcFn = g);
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    gcFn = typeof f === 'function' ? (f as () => void) : null;
  } catch { gcFn = null; }
  return gcFn;
}

/** Collects until finalizers have had their turn (they run as separate tasks after a collection). */
export async function collect(rounds = 4): Promise<void> {
  const gc = forceGc();
  if (!gc) throw new Error('no way to force a garbage collection in this runtime');
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Deterministic rows in [lo, hi). */
export function rows(count: number, cols: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(count * cols);
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}
