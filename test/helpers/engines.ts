// The two engines of a process by kind (ENGINES: the one list the tests iterate), and snapshots of
// an engine's whole linear memory: equal snapshots mean a call wrote nothing at all.
import { expect } from 'vitest';
import { jsEngineSync, wasmEngineSync, type Engine } from '../../src/runtime/engine.js';

export const ENGINES = ['js', 'wasm'] as const;
export type EngineKind = (typeof ENGINES)[number];

export const engineOf = (kind: EngineKind): Engine => (kind === 'wasm' ? wasmEngineSync() : jsEngineSync());

/** The whole linear memory of an engine, copied. */
export const memoryImage = (kind: EngineKind): Uint8Array => engineOf(kind).heap.u8.slice();

export function expectSameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  expect(b.length, `${what}: memory size`).toBe(a.length);
  if (!Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) {
    let i = 0;
    while (a[i] === b[i]) i++;
    expect.fail(`${what}: engine memory changed (first difference at byte ${i})`);
  }
}
