// Sigmoid and tanh at the ends of the float32 range: an overflowed pre-activation (±Infinity) or a
// huge one saturates to the right limit on both engines, never NaN. The Wasm kernels split
// y = k + f and build 2^−k from a clamped k (assembly/activation.ts), so these are their edge cases.
// And the 'js' engine's tanh, computed from Math.exp (faster than Math.tanh), against Math.tanh.
import { describe, expect, it } from 'vitest';
import { jsEngineSync, wasmEngineSync, type Engine } from '../src/runtime/engine.js';
import { ACT } from '../src/abi/kinds.js';

const ENGINES: [string, () => Engine][] = [
  ['js', jsEngineSync],
  ['wasm', wasmEngineSync],
];
const HUGE = [Infinity, 3.4e38, 1e30, 1e6, 200];

function activate(e: Engine, kind: number, gain: number, threshold: number, s: number[]): Float32Array {
  const p = e.heap.alloc(s.length * 4);
  try {
    e.heap.f32.set(s, p >> 2);
    e.kernels.activate(kind, gain, threshold, p, 1, s.length);
    return e.heap.f32.slice(p >> 2, (p >> 2) + s.length);
  } finally {
    e.heap.release(p);
  }
}

describe.each(ENGINES)('%s: sigmoid and tanh saturate at the ends of the range', (_name, get) => {
  it.each([
    [1, 0],
    [0.04, 0.1],
    [2, -0.3],
  ])(
    'sigmoid with gain %s and threshold %s: 1 far above the threshold, 0 within 1e-37 far below',
    (gain, threshold) => {
      const up = activate(
        get(),
        ACT.sigmoid,
        Math.fround(gain),
        Math.fround(threshold),
        HUGE.filter((v) => gain * v > 100),
      );
      for (const y of up) expect(y).toBe(1);
      const down = activate(
        get(),
        ACT.sigmoid,
        Math.fround(gain),
        Math.fround(threshold),
        HUGE.filter((v) => gain * v > 100).map((v) => -v),
      );
      // the Wasm kernels stop at 2^−126/2^f (k clamped at 126), the js engine at 0
      for (const y of down) {
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThan(1e-37);
      }
    },
  );

  it('tanh: ±1 with the sign of s', () => {
    const s = [...HUGE, ...HUGE.map((v) => -v)];
    expect(Array.from(activate(get(), ACT.tanh, 0, 0, s))).toEqual(s.map(Math.sign));
  });
});

describe("the 'js' engine's tanh", () => {
  it('is Math.tanh rounded to float32, bit for bit, over |s| from 2^−40 to 2^12', () => {
    const s: number[] = [];
    for (let e = -40; e <= 12; e += 1 / 256) s.push(Math.fround(2 ** e), Math.fround(-(2 ** e)));
    s.push(0, -0, 1e-4, -1e-4, Math.fround(1e-4), -Math.fround(1e-4));
    const y = activate(jsEngineSync(), ACT.tanh, 0, 0, s);
    const expected = Float32Array.from(s, Math.tanh);
    let first = -1;
    for (let i = 0; i < s.length && first < 0; i++) if (!Object.is(y[i], expected[i])) first = i;
    expect(first, first < 0 ? '' : `tanh(${s[first]}) = ${y[first]}, Math.tanh gives ${expected[first]}`).toBe(-1);
  });
});
