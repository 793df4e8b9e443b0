// Memory limits: a network or a batch whose buffers would not fit in the engine's 2 GiB of Wasm
// memory is refused up front with a RangeError that names the field and the bytes needed; the
// engine's memory is not grown (no gigabytes allocated, no trap), and the network stays usable.
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { MAX_BYTES } from '../src/runtime/heap.js';
import { stateOf, expectSameState } from './helpers/network-state.js';
import { ENGINES, type EngineKind, engineOf } from './helpers/engines.js';
import { expectClearError, rejected, thrown } from './helpers/clear-errors.js';
import { classic, classicTrain } from './helpers/classic.js';

const GiB = 2 ** 30;

/** The number of bytes an error message says are needed (the largest integer it quotes). */
function bytesQuoted(message: string): number {
  return Math.max(0, ...Array.from(message.matchAll(/\d{6,}/g), (m) => Number(m[0])));
}

describe.each(ENGINES)('memory limits on %s', (engine: EngineKind) => {
  const heap = engineOf(engine).heap;

  it.each([
    ['two 2^20-wide layers (4 TiB of weights)', [1 << 20, 1 << 20], 2 * 4 * 2 ** 40],
    ['2^24 inputs to 2^24 outputs', [1 << 24, 1 << 24], 2 * 4 * 2 ** 48],
    ['16384 x 16384 (1 GiB of weights, 2 GiB with gradients)', [16384, 16384], 2 * GiB],
    ['100000 x 100000 (40 GB of weights)', [100_000, 100_000], 2 * 4 * 1e10],
    ['100000 layers 64 wide', Array.from({ length: 100_000 }, () => 64), 99_999 * 64 * 64 * 4 * 2],
  ])('NN.create with %s: RangeError with the bytes needed, nothing allocated', async (_name, layers, atLeast) => {
    const allocated = heap.allocated,
      byteLength = heap.byteLength;
    const errors = [
      thrown(() => NN.createSync(classic({ layers, engine }))),
      await rejected(() => NN.create(classic({ layers, engine }))),
    ];
    for (const err of errors) {
      expectClearError(err, /layers/, 'create');
      expect(err).toBeInstanceOf(RangeError);
      expect(bytesQuoted((err as Error).message), 'the message quotes the bytes needed').toBeGreaterThanOrEqual(
        atLeast,
      );
      expect(heap.allocated).toBe(allocated);
      expect(heap.byteLength, 'memory was not grown').toBe(byteLength);
    }
  });

  it('a layer size above 2^24 is refused by its index before any arithmetic', () => {
    const err = thrown(() => NN.createSync(classic({ layers: [2, 2 ** 24 + 1, 2], engine })));
    expectClearError(err, /layers\[1\]/, 'create');
  });

  it("a batch whose buffers exceed 2 GiB ('full' over 16384 rows of a 2^15-wide layer) is refused before allocating", async () => {
    // per row: outputs and error terms of the 32768-wide layer, 2 × 128 KiB; 16384 rows need 4 GiB
    const net = NN.createSync(
      classic({
        layers: [1, 1 << 15, 1],
        activation: 'relu',
        output: 'linear',
        loss: 'mse',
        engine,
        seed: 3,
      }),
    );
    const x = new Float32Array(16384).map((_, i) => i / 16384),
      t = x.map((v) => 2 * v);
    const before = stateOf(net);
    const allocated = heap.allocated,
      byteLength = heap.byteLength;
    for (const options of [{ batchSize: 'full' as const }, { batchSize: 16384 }, { batchSize: 9000 }]) {
      const sync = thrown(() => net.train(x, t, classicTrain({ epochs: 1, ...options })));
      const async = await rejected(() => net.trainAsync(x, t, classicTrain({ epochs: 1, ...options })));
      for (const err of [sync, async]) {
        expectClearError(err, /batch/, `batchSize ${options.batchSize}`);
        expect(err).toBeInstanceOf(RangeError);
        expect(bytesQuoted((err as Error).message)).toBeGreaterThan(MAX_BYTES);
        expect(heap.allocated).toBe(allocated);
        expect(heap.byteLength, 'memory was not grown').toBe(byteLength);
      }
    }
    expectSameState(before, net, 'after the refused batch');
    // the same data in batches that fit trains normally
    const report = net.train(
      x.subarray(0, 64),
      t.subarray(0, 64),
      classicTrain({ epochs: 1, batchSize: 16, learningRate: 1e-4 }),
    );
    expect(Number.isFinite(report.error)).toBe(true);
    expect(net.epochs).toBe(1);
    // predicting many rows works in chunks that fit
    const y = net.predict(x.subarray(0, 300));
    expect(y.length).toBe(300);
    expect(y.every(Number.isFinite)).toBe(true);
    net.dispose();
    expect(heap.allocated).toBeLessThan(allocated);
  });

  it('the batch limit counts what the engine already holds: a batch that fits alone is refused next to a 64 MiB network', () => {
    const other = NN.createSync(classic({ layers: [4096, 2048], engine, seed: 5 })); // 2 × 32 MiB: weights and gradients
    const net = NN.createSync(classic({ layers: [1, 4096, 1], engine, seed: 4 }));
    expect(heap.allocated).toBeGreaterThan(64 * 2 ** 20);
    // outputs and error terms of both layers per row, padded to 16 bytes, plus one input and one target
    const perRow = 2 * 4096 * 4 + 2 * 4 + 2 * 4;
    const rowCount = Math.floor((MAX_BYTES - 32 * 2 ** 20) / perRow); // about 2 GiB − 32 MiB of buffers: fits on its own
    const x = new Float32Array(rowCount),
      t = new Float32Array(rowCount);
    const allocated = heap.allocated,
      byteLength = heap.byteLength;
    const err = thrown(() => net.train(x, t, classicTrain({ epochs: 1, batchSize: 'full' })));
    expectClearError(err, /batch/, 'a batch over what is left');
    expect(err).toBeInstanceOf(RangeError);
    expect(bytesQuoted((err as Error).message)).toBeGreaterThan(MAX_BYTES);
    expect(heap.allocated).toBe(allocated);
    expect(heap.byteLength, 'memory was not grown').toBe(byteLength);
    expect(net.predict([0.5]).length).toBe(1);
    expect(other.predict(new Float32Array(4096)).length).toBe(2048);
    net.dispose();
    other.dispose();
  });
});
