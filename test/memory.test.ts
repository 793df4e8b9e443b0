// Memory: the first-fit heap (alignment, zeroing, coalescing), views rebuilt after memory.grow,
// dispose semantics, and thousands of networks leaving nothing behind.
import { describe, expect, it } from 'vitest';
import { NN, articleData } from '../src/index.js';
import { jsEngineSync, wasmEngineSync, type Engine } from '../src/runtime/engine.js';
import { Heap, createLinearMemory } from '../src/runtime/heap.js';
import { randomF32, rng } from './helpers/random-data.js';
import { f64, forwardRef } from './helpers/float64-network.js';
import { ArticleNN } from './helpers/article-port.js';
import { maxAbs, maxAbsDiff } from './helpers/tolerance.js';

const ENGINES: [string, () => Engine][] = [['js', jsEngineSync], ['wasm', wasmEngineSync]];

describe('Heap', () => {
  const fresh = (): Heap => new Heap(createLinearMemory(1 << 16), 16);

  it('hands out 16-byte-aligned, zeroed, disjoint blocks and counts them', () => {
    const heap = fresh();
    const sizes = [1, 15, 16, 17, 100, 4096, 3];
    const blocks = sizes.map((n) => ({ ptr: heap.alloc(n), n }));
    for (const { ptr, n } of blocks) {
      expect(ptr % 16).toBe(0);
      expect(ptr).toBeGreaterThan(0);
      for (let i = 0; i < n; i++) expect(heap.u8[ptr + i]).toBe(0);
    }
    const sorted = [...blocks].sort((a, b) => a.ptr - b.ptr);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1]!.ptr + sorted[i - 1]!.n).toBeLessThanOrEqual(sorted[i]!.ptr);
    // each block rounds up to a multiple of 16 (at least 16)
    expect(heap.allocated).toBe(sizes.reduce((s, n) => s + Math.max(16, Math.ceil(n / 16) * 16), 0));
    for (const { ptr } of blocks) heap.release(ptr);
    expect(heap.allocated).toBe(0);
  });

  it('a reused block comes back zeroed', () => {
    const heap = fresh();
    const a = heap.alloc(256);
    heap.u8.fill(0xab, a, a + 256);
    heap.release(a);
    const b = heap.alloc(256);
    expect(b).toBe(a); // first fit
    expect(heap.u8.subarray(b, b + 256).every((v) => v === 0)).toBe(true);
  });

  it('coalesces neighbouring free blocks in any release order', () => {
    for (const order of [[0, 1, 2], [2, 1, 0], [0, 2, 1], [1, 0, 2], [2, 0, 1]]) {
      const heap = fresh();
      const blocks = [heap.alloc(1008), heap.alloc(1008), heap.alloc(1008)];
      const guard = heap.alloc(16); // keeps the three from merging with the free tail
      for (const i of order) heap.release(blocks[i]!);
      // one free block of 3 × 1008 bytes again: a 3024-byte request fits exactly where the first was
      expect(heap.alloc(3024), `release order ${order}`).toBe(blocks[0]);
      heap.release(guard);
    }
  });

  it('releasing 0, an unknown pointer, or the same block twice does nothing', () => {
    const heap = fresh();
    const a = heap.alloc(64), b = heap.alloc(64);
    heap.release(0);
    heap.release(a + 16);
    heap.release(123456);
    expect(heap.allocated).toBe(128);
    heap.release(a);
    heap.release(a);
    expect(heap.allocated).toBe(64);
    // the twice-released block is handed out once, not twice
    const c = heap.alloc(64), d = heap.alloc(64);
    expect(c).toBe(a);
    expect(d).not.toBe(a);
    expect(d).not.toBe(b);
  });

  it('grows memory when full, and its views follow the new buffer', () => {
    const memory = createLinearMemory(1 << 16);
    const heap = new Heap(memory, 16);
    const a = heap.alloc(1000);
    heap.f32[a >> 2] = 42.5;
    const oldBuffer = memory.buffer;
    const big = heap.alloc(3 << 16);  // more than the first page
    expect(memory.buffer).not.toBe(oldBuffer);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual((3 << 16) + 1000);
    expect(heap.f32.buffer).toBe(memory.buffer);
    expect(heap.i32.buffer).toBe(memory.buffer);
    expect(heap.u8.buffer).toBe(memory.buffer);
    expect(heap.f32[a >> 2]).toBe(42.5); // old contents carried over
    expect(big + (3 << 16)).toBeLessThanOrEqual(memory.buffer.byteLength);
    expect(heap.u8.subarray(big, big + (3 << 16)).every((v) => v === 0)).toBe(true);
  });
});

describe.each(ENGINES)('networks and memory.grow on %s', (name, get) => {
  it('a network predicts correctly after another allocation forced memory.grow', async () => {
    const heap = get().heap;
    const layers = [6, 9, 4];
    const net = await NN.create({ layers, activation: 'tanh', output: 'sigmoid', engine: name as 'js' | 'wasm', seed: 3 });
    const x = randomF32(50 * 6, rng(1));
    const before = net.predict(x);
    const w = net.getWeights();
    const reference = forwardRef({ layers, activations: [{ name: 'tanh' }, { name: 'sigmoid' }], weights: w.weights.map(f64), biases: w.biases.map((b) => f64(b!)) }, x, 50)[2]!;
    // float32 forward pass of ≤ 9-term sums and an exp: 1e-6 absolute on outputs in (0, 1)
    expect(maxAbsDiff(before, reference)).toBeLessThanOrEqual(1e-6);

    const buffer = heap.memory.buffer, length = heap.byteLength;
    const block = heap.alloc(length);    // cannot fit in the current memory: forces grow
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
    const heap = get().heap;
    const data = articleData({ rows: 300, inputs: 3, outputs: 3, seed: 2 });
    const net = await NN.create({
      layers: [3, 4, 3], activation: { name: 'sigmoid', gain: 1, threshold: 0.1 }, bias: false, loss: 'sse', init: 'normal',
      engine: name as 'js' | 'wasm', seed: 4,
    });
    const initial = net.getWeights().weights.map(f64);
    let block = 0, grew = false;
    const errors: number[] = [];
    net.train(data.inputs, data.targets, {
      epochs: 6, batchSize: 'full', shuffle: false, learningRate: 0.002,
      onEpoch: ({ epoch, error }) => {
        errors.push(error);
        if (epoch === 3) { const buffer = heap.memory.buffer; block = heap.alloc(heap.byteLength); grew = heap.memory.buffer !== buffer; }
      },
    });
    expect(grew).toBe(true);
    const ref = new ArticleNN([3, 4, 3], initial.map((w) => w.slice()), 1, 0.1, 0.002);
    const refErrors = ref.fit(data.inputs, data.targets, 300, 6);
    const w = net.getWeights().weights;
    // the article test's tolerances (see article.test.ts): 1e-4·max|w| and 1e-5 relative
    for (let l = 0; l < 2; l++) expect(maxAbsDiff(w[l]!, ref.w[l]!)).toBeLessThanOrEqual(1e-4 * maxAbs(...ref.w));
    for (let e = 0; e < 6; e++) expect(Math.abs(errors[e]! - refErrors[e]!)).toBeLessThanOrEqual(1e-5 * refErrors[e]!);
    heap.release(block);
    net.dispose();
  });
});

describe.each(ENGINES)('dispose on %s', (name, get) => {
  const engine = name as 'js' | 'wasm';

  it('dispose twice is harmless, and every use afterwards throws an Error naming it disposed', async () => {
    const net = await NN.create({ layers: [2, 3, 1], engine, seed: 1 });
    net.predict([0, 1]);
    net.dispose();
    expect(() => net.dispose()).not.toThrow();
    expect(net.isDisposed).toBe(true);
    const x = [[0, 1]], t = [[1]];
    const uses: [string, () => unknown][] = [
      ['predict', () => net.predict([0, 1])],
      ['train', () => net.train(x, t)],
      ['getWeights', () => net.getWeights()],
      ['setWeights', () => net.setWeights({ weights: [new Float32Array(6), new Float32Array(3)], biases: [new Float32Array(3), new Float32Array(1)] })],
      ['evaluate', () => net.evaluate(x, t)],
      ['toJSON', () => net.toJSON()],
    ];
    for (const [label, use] of uses) {
      expect(use, label).toThrow(Error);
      expect(use, label).toThrow(/disposed/);
    }
    await expect(net.trainAsync(x, t)).rejects.toThrow(/disposed/);
  });

  it('dispose returns every block: model, batch buffers, optimizer state, training data', async () => {
    const heap = get().heap;
    const base = heap.allocated;
    const net = await NN.create({ layers: [5, 7, 2], engine, seed: 1 });
    expect(heap.allocated).toBeGreaterThan(base);
    const x = randomF32(40 * 5, rng(2)), t = randomF32(40 * 2, rng(3), 0, 1);
    net.train(x, t, { epochs: 2, batchSize: 8, optimizer: 'adam' });
    net.predict(randomF32(300 * 5, rng(4)));
    net.dispose();
    expect(heap.allocated).toBe(base);
  });

  it('a training callback that throws leaves the network usable and leaks nothing', async () => {
    const heap = get().heap;
    const base = heap.allocated;
    const net = await NN.create({ layers: [3, 4, 1], engine, seed: 1 });
    const x = randomF32(30 * 3, rng(5)), t = randomF32(30, rng(6), 0, 1);
    expect(() => net.train(x, t, { epochs: 5, onEpoch: ({ epoch }) => { if (epoch === 2) throw new Error('stop here'); } })).toThrow('stop here');
    // disposing from inside the training run is refused, and training can run again afterwards
    expect(() => net.train(x, t, { epochs: 3, onEpoch: () => { net.dispose(); } })).toThrow(Error);
    expect(net.isDisposed).toBe(false);
    const report = net.train(x, t, { epochs: 2 });
    expect(Number.isFinite(report.error)).toBe(true);
    net.dispose();
    expect(heap.allocated).toBe(base);
  });

  it('dispose during trainAsync is refused; after training ends dispose frees everything', async () => {
    const heap = get().heap;
    const base = heap.allocated;
    const net = await NN.create({ layers: [3, 16, 2], engine, seed: 1 });
    const x = randomF32(2000 * 3, rng(7)), t = randomF32(2000 * 2, rng(8), 0, 1);
    const controller = new AbortController();
    let batches = 0;
    const running = net.trainAsync(x, t, { epochs: 1000, batchSize: 1, signal: controller.signal, onBatch: () => { batches++; } });
    while (batches === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(() => net.dispose()).toThrow(Error);
    expect(net.isDisposed).toBe(false);
    controller.abort();
    await expect(running).rejects.toThrow(/abort/i);
    net.dispose();
    expect(heap.allocated).toBe(base);
  });
});

describe.each(ENGINES)('many networks on %s', (name, get) => {
  it('creating and disposing 2000 networks leaves heap.allocated where it was, memory bounded', async () => {
    const engine = name as 'js' | 'wasm';
    const heap = get().heap;
    const base = heap.allocated, bytes = heap.byteLength;
    const x = randomF32(8 * 4, rng(9)), t = randomF32(8 * 3, rng(10), 0, 1);
    for (let i = 0; i < 2000; i++) {
      const net = await NN.create({ layers: [4, 5 + (i % 7), 3], engine, seed: i });
      net.predict(x);
      if (i % 50 === 0) net.train(x, t, { epochs: 1, batchSize: 4, optimizer: i % 100 === 0 ? 'adam' : 'momentum' });
      net.dispose();
    }
    expect(heap.allocated).toBe(base);
    // every network's blocks are reused by the next: memory grows by at most one network's worth
    expect(heap.byteLength).toBeLessThanOrEqual(bytes + (1 << 20));
  });
});
