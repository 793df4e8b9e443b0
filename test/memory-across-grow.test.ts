// Networks across a memory.grow: after another allocation grows the engine's memory (and detaches
// its old buffer), a network predicts the same outputs, and a training run during which memory
// grows still matches the article's reference, on both engines.
import { describe, expect, it } from 'vitest';
import { NN, articleData } from '../src/index.js';
import { randomRows } from './helpers/random-data.js';
import { forwardRef, f64, toRef } from './helpers/float64-network.js';
import { ArticleNN } from './helpers/article-port.js';
import { maxAbs, maxAbsDiff } from './helpers/tolerance.js';
import { ENGINES, type EngineKind, engineOf } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

describe.each(ENGINES)('networks and memory.grow on %s', (engine: EngineKind) => {
  it('a network predicts correctly after another allocation forced memory.grow', async () => {
    const heap = engineOf(engine).heap;
    const layers = [6, 9, 4];
    const net = await NN.create(classic({ layers, activation: 'tanh', output: 'sigmoid', engine, seed: 3 }));
    const x = randomRows(50, 6, 1);
    const before = net.predict(x);
    const w = net.getWeights();
    const reference = forwardRef(toRef(w, layers, [{ name: 'tanh' }, { name: 'sigmoid' }]), x, 50)[2]!;
    // float32 forward pass of ≤ 9-term sums and an exp: 1e-6 absolute on outputs in (0, 1)
    expect(maxAbsDiff(before, reference)).toBeLessThanOrEqual(1e-6);

    const buffer = heap.memory.buffer,
      length = heap.byteLength;
    const block = heap.alloc(length); // cannot fit in the current memory: forces grow
    expect(heap.memory.buffer).not.toBe(buffer);
    expect(heap.byteLength).toBeGreaterThan(length);

    const after = net.predict(x);
    expect(maxAbsDiff(after, before)).toBe(0);
    expect(maxAbsDiff(after, reference)).toBeLessThanOrEqual(1e-6);
    const w2 = net.getWeights();
    for (let l = 0; l < 2; l++) expect(w2.weights[l]).toEqual(w.weights[l]);
    heap.release(block);
    net.dispose();
  });

  it('training across a memory.grow (forced from onEpoch) still matches the article reference', async () => {
    const heap = engineOf(engine).heap;
    const data = articleData({ rows: 300, inputs: 3, outputs: 3, seed: 2 });
    const net = await NN.create(
      classic({
        layers: [3, 4, 3],
        activation: { name: 'sigmoid', gain: 1, threshold: 0.1 },
        bias: false,
        loss: 'sse',
        init: 'normal',
        engine,
        seed: 4,
      }),
    );
    const initial = net.getWeights().weights.map(f64);
    let block = 0,
      grew = false;
    const errors: number[] = [];
    net.train(
      data.inputs,
      data.targets,
      classicTrain({
        epochs: 6,
        batchSize: 'full',
        shuffle: false,
        learningRate: 0.002,
        onEpoch: ({ epoch, error }) => {
          errors.push(error);
          if (epoch === 3) {
            const buffer = heap.memory.buffer;
            block = heap.alloc(heap.byteLength);
            grew = heap.memory.buffer !== buffer;
          }
        },
      }),
    );
    expect(grew).toBe(true);
    const ref = new ArticleNN(
      [3, 4, 3],
      initial.map((w) => w.slice()),
      1,
      0.1,
      0.002,
    );
    const refErrors = ref.fit(data.inputs, data.targets, 300, 6);
    const w = net.getWeights().weights;
    // the article test's tolerances (see article.test.ts): 1e-4·max|w| and 1e-5 relative
    for (let l = 0; l < 2; l++) expect(maxAbsDiff(w[l]!, ref.w[l]!)).toBeLessThanOrEqual(1e-4 * maxAbs(...ref.w));
    for (let e = 0; e < 6; e++) expect(Math.abs(errors[e]! - refErrors[e]!)).toBeLessThanOrEqual(1e-5 * refErrors[e]!);
    heap.release(block);
    net.dispose();
  });
});
