// predict of one flat row takes its own short path (Network.outputRow: the row staged, one forward
// call, the outputs copied out). It must answer as the general path does: the float64 forward pass
// to float32 rounding, a fresh array every call, right after memory.grow, in every input form.
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { jsEngineSync, wasmEngineSync, type Engine } from '../src/runtime/engine.js';
import { f64, forwardRef } from './helpers/float64-network.js';
import { maxAbsDiff } from './helpers/tolerance.js';
import { randomF32, rng } from './helpers/random-data.js';
import { classic } from './helpers/classic.js';

const ENGINES: ['js' | 'wasm', () => Engine][] = [
  ['js', jsEngineSync],
  ['wasm', wasmEngineSync],
];

describe.each(ENGINES)('predict of one row on %s', (engine, get) => {
  const layers = [3, 4, 3];
  const make = () =>
    NN.createSync(
      classic({
        layers,
        activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 },
        output: 'tanh',
        engine,
        seed: 7,
      }),
    );
  const reference = (net: NN, row: Float32Array): Float64Array => {
    const w = net.getWeights();
    return forwardRef(
      {
        layers,
        activations: [{ name: 'sigmoid', gain: Math.fround(0.04), threshold: Math.fround(0.1) }, { name: 'tanh' }],
        weights: w.weights.map(f64),
        biases: w.biases.map((b) => f64(b!)),
      },
      row,
      1,
    )[2]!;
  };

  it('is the forward pass, in a new array each call, whatever the form of the row', () => {
    const net = make(),
      random = rng(3);
    for (let i = 0; i < 20; i++) {
      const row = randomF32(3, random, -30, 30);
      const y = net.predict(row);
      expect(y).toBeInstanceOf(Float32Array);
      expect(y.length).toBe(3);
      // float32 sums of four terms and one activation each: 1e-6 absolute on outputs in (−1, 1)
      expect(maxAbsDiff(y, reference(net, row))).toBeLessThanOrEqual(1e-6);
      expect(Array.from(net.predict(Array.from(row)))).toEqual(Array.from(y));
      expect(Array.from(net.predict(Float64Array.from(row)))).toEqual(Array.from(y));
      const again = net.predict(row);
      expect(again).not.toBe(y);
      y.fill(99); // the caller owns its copy: the next answer is untouched
      expect(Array.from(net.predict(row))).toEqual(Array.from(again));
    }
    net.dispose();
  });

  it('answers right after another allocation grew the memory', () => {
    const net = make(),
      heap = get().heap,
      row = randomF32(3, rng(4), -5, 5);
    const before = Array.from(net.predict(row));
    const buffer = heap.memory.buffer;
    const block = heap.alloc(heap.byteLength); // does not fit: grows
    expect(heap.memory.buffer).not.toBe(buffer);
    expect(Array.from(net.predict(row))).toEqual(before);
    heap.release(block);
    net.dispose();
  });

  it('still names the field of a bad row, and refuses after dispose', () => {
    const net = make();
    expect(() => net.predict([0.1, Number.NaN, 0.3])).toThrow(/input\[1\] \(row 0, column 1\)/);
    expect(() => net.predict(new Float32Array([0.1, 0.2]))).toThrow(RangeError);
    expect(() => net.predict(['a', 'b', 'c'] as unknown as number[])).toThrow(TypeError);
    net.dispose();
    expect(() => net.predict([0.1, 0.2, 0.3])).toThrow(/disposed/);
  });
});
