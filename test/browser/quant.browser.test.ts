// A quantized network in Chromium (vitest browser mode) through the public API: net.quantize() on
// the relaxed SIMD build (what Chromium selects; its relaxed int8 dot product computes right there,
// so the runtime's probe lets the narrow tiles run where they are faster), one and two threads,
// gives the 'js' engine's bits, with inputs that take the narrow tiles (pixels in [0, 1]) and
// signed ones; and it saves and loads in both formats to the same bits.
import { describe, expect, it } from 'vitest';
import { NN } from '../../src/index.js';
import { narrowTiles } from '../../src/runtime/quant-tiles.js';
import { wasmEngineSync } from '../../src/runtime/engine.js';

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Seeded rows: pixel-like in [0, 1) (mostly zeros), or signed. */
function rows(n: number, k: number, signed: boolean): Float32Array {
  let s = 7;
  return Float32Array.from({ length: n * k }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const v = s / 2 ** 32;
    return signed ? v * 4 - 2 : v < 0.6 ? 0 : v;
  });
}

describe('a quantized network in Chromium', () => {
  it('takes the relaxed build and gives the js engine’s bits on 1 and 2 threads', async () => {
    const float = await NN.create({
      layers: [64, 96, 10],
      output: 'softmax',
      normalize: 'none',
      seed: 5,
      engine: 'js',
    });
    float.train(
      rows(200, 64, false),
      Array.from({ length: 200 }, (_, i) => i % 10),
      { epochs: 3 },
    );
    const js = float.quantize({ engine: 'js' });
    expect(crossOriginIsolated).toBe(true);
    for (const signed of [false, true]) {
      const x = rows(300, 64, signed);
      const want = bits(js.predict(x) as Float32Array);
      for (const threads of [1, 2]) {
        const q = float.quantize({ engine: 'wasm', threads });
        expect(q.build).toBe('relaxed-simd');
        expect(q.threads).toBe(threads);
        expect(q.precision).toBe('int8');
        expect(bits(q.predict(x) as Float32Array), `threads ${threads}, signed ${signed}`).toEqual(want);
        q.dispose();
      }
    }
    // the probe ran on this build: a boolean, whichever way this CPU decides
    expect(typeof narrowTiles(wasmEngineSync())).toBe('boolean');
    const q = float.quantize({ engine: 'wasm' });
    const x = rows(50, 64, false);
    for (const back of [await NN.fromJSON(JSON.stringify(q)), await NN.fromBinary(q.toBinary())]) {
      expect(bits(back.predict(x) as Float32Array)).toEqual(bits(q.predict(x) as Float32Array));
      back.dispose();
    }
    q.dispose();
    js.dispose();
    float.dispose();
  });
});
