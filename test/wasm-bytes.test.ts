// The embedded Wasm's decoder (src/runtime/wasm-bytes.ts's unpack) against the encoder the bundle
// uses (scripts/bundle.mjs's compressWasm, the lzma package): every byte back, on data that
// exercises each kind of LZMA symbol, and on the two builds the bundle embeds.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unpack } from '../src/runtime/wasm-bytes.js';
// @ts-expect-error: a plain ES module of the build, without declarations
import { compressWasm } from '../scripts/bundle.mjs';

const compress = compressWasm as (bytes: Uint8Array) => string;
const roundTrip = (bytes: Uint8Array): Uint8Array => unpack(Buffer.from(compress(bytes), 'base64'), bytes.length);

/** Deterministic bytes: a linear congruential generator's high bits. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('unpack', () => {
  it('gives back incompressible bytes (literals only) and the empty stream', () => {
    for (const length of [0, 1, 2, 7, 300, 5000]) {
      const bytes = noise(length, length + 1);
      expect(Buffer.from(roundTrip(bytes)).equals(Buffer.from(bytes)), `${length} bytes`).toBe(true);
    }
  });

  it('gives back runs, long matches and copies at every distance slot (direct and aligned bits)', () => {
    const base = noise(70_000, 7);
    const bytes = new Uint8Array(base.length + 60_000);
    bytes.set(base);
    // copies from near and far (distances from 1 to beyond 2^16), of lengths from 2 to past 273
    let at = base.length;
    for (const [distance, length] of [
      [1, 400],
      [3, 20],
      [17, 9],
      [200, 31],
      [5000, 300],
      [40_000, 1000],
      [69_000, 2000],
      [65_537, 600],
    ] as const) {
      for (let i = 0; i < length; i++, at++) bytes[at] = bytes[at - distance]!;
      bytes[at++] = 0x5a;
    }
    expect(Buffer.from(roundTrip(bytes)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('gives back repeated distances and literals that differ from the byte at the last distance', () => {
    // a table of records where one field changes: matches at the record's distance, broken by
    // single changed bytes (rep0 matches, short reps and matched literals)
    const bytes = new Uint8Array(20_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 37 === 5 ? (i * 7) & 255 : (i % 37) * 3;
    expect(Buffer.from(roundTrip(bytes)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('gives back arbitrary byte strings made of repeated pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6 })), {
          maxLength: 30,
        }),
        (pieces) => {
          const bytes = Uint8Array.from(
            pieces.flatMap(([piece, times]) =>
              Array(times)
                .fill([...piece])
                .flat(),
            ),
          );
          return Buffer.from(roundTrip(bytes)).equals(Buffer.from(bytes));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives back the plain and relaxed builds as the bundle embeds them', () => {
    const builds = Buffer.concat([readFileSync('build/simd.wasm'), readFileSync('build/relaxed.wasm')]);
    expect(Buffer.from(roundTrip(builds)).equals(builds)).toBe(true);
  });
});
