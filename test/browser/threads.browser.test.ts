// threads in Chromium (vitest browser mode, its pages served cross-origin isolated by
// vitest.browser.config.ts): the relaxed-SIMD build, which Node 20 cannot run, trains on 1, 2 and 4
// threads to the same bits, with helper Web Workers (nested in the test's page) taking parts of the
// products; the page itself never blocks (the caller spins while helpers finish, it never waits).
import { describe, expect, it } from 'vitest';
import { NN, type NetworkOptions, type TrainOptions } from '../../src/index.js';
import { wasmEngineSync } from '../../src/runtime/engine.js';
import { classic, classicTrain } from '../helpers/classic.js';

let seed = 5;
const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

describe('threads in a cross-origin isolated page', () => {
  it('has shared memory, the relaxed build and helpers', async () => {
    expect(crossOriginIsolated).toBe(true);
    const net = await NN.create(classic({ layers: [64, 64], threads: 'auto' }));
    expect(net.build).toBe('relaxed-simd');
    expect(net.threads).toBe(Math.min(256, navigator.hardwareConcurrency));
    net.dispose();
  });

  const cases: { options: NetworkOptions; train: TrainOptions; rows: number }[] = [
    {
      rows: 300,
      options: { layers: [784, 128, 10], activation: 'relu', output: 'softmax', seed: 1 },
      train: { epochs: 2, batchSize: 64, optimizer: 'adam' },
    },
    {
      rows: 130,
      options: { layers: [37, 301, 67, 9], activation: 'tanh', output: 'sigmoid', loss: 'mse', seed: 2 },
      train: { epochs: 2, batchSize: 'full', optimizer: 'momentum', clipNorm: 2 },
    },
  ];
  for (const c of cases) {
    it(`${c.options.layers.join('-')}: 1, 2 and 4 threads give the same model, bit for bit`, async () => {
      const nin = c.options.layers[0]!,
        nout = c.options.layers.at(-1)!;
      const x = Float32Array.from({ length: c.rows * nin }, random),
        t = new Float32Array(c.rows * nout);
      for (let r = 0; r < c.rows; r++) t[r * nout + (r % nout)] = 1;
      const nets = await Promise.all([1, 2, 4].map((threads) => NN.create(classic({ ...c.options, threads }))));
      const pool = wasmEngineSync(true).pool!;
      const before = pool.partsByHelpers;
      for (const net of nets) net.train(x, t, classicTrain(c.train));
      expect(pool.partsByHelpers, 'helper workers computed parts').toBeGreaterThan(before);
      const reference = JSON.stringify(nets[0]!.toJSON());
      for (const net of nets.slice(1))
        expect(JSON.stringify(net.toJSON()) === reference, `${net.threads} threads`).toBe(true);
      for (const net of nets) net.dispose();
      expect(pool.size, 'the helpers stop once no network needs them').toBe(0);
    });
  }
});
