// The memory budget: a 784-128-10 network training at batch 128 (Adam, data
// too large to keep resident, so batches are staged) fits in 4 MiB of Wasm memory, and memory
// never grows after the first epoch. vitest runs each test file in a fresh module graph, so the
// engine here starts with the module's initial memory.
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { wasmEngineSync } from '../src/runtime/engine.js';
import { classic, classicTrain } from './helpers/classic.js';

describe('Wasm memory during training', () => {
  it('784-128-10 at batch 128 stays within 4 MiB and stops growing after the first epoch', async () => {
    const rows = 2000; // 2000 × (784 + 10) floats = 6.4 MB: more than the 4 MiB kept resident
    const x = new Float32Array(rows * 784),
      t = new Float32Array(rows * 10);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 4294967296;
    for (let r = 0; r < rows; r++) t[r * 10 + (r % 10)] = 1;
    const engine = wasmEngineSync();
    const net = await NN.create(
      classic({
        layers: [784, 128, 10],
        activation: 'relu',
        loss: 'cross-entropy',
        engine: 'wasm',
        seed: 1,
      }),
    );
    net.train(x, t, classicTrain({ epochs: 1, batchSize: 128, optimizer: 'adam' }));
    const afterFirst = engine.heap.byteLength;
    expect(afterFirst).toBeLessThanOrEqual(4 * 1024 * 1024);
    const report = net.train(x, t, classicTrain({ epochs: 3, batchSize: 128, optimizer: 'adam' }));
    expect(Number.isFinite(report.error)).toBe(true);
    expect(engine.heap.byteLength).toBe(afterFirst);
    const before = engine.heap.allocated;
    net.dispose();
    expect(engine.heap.allocated).toBeLessThan(before);
  });
});
