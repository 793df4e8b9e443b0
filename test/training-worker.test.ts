// trainInWorker in Node (worker_threads), from the built bundle: the same result as train, progress
// events, stopping, AbortSignal, and a main thread that keeps running while the worker trains.
import { describe, expect, it } from 'vitest';
import { NN, trainInWorker } from '../dist/index.js';
import { randomRows } from './helpers/random-data.js';
import { classic, classicTrain } from './helpers/classic.js';

const xor = {
  x: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  t: [[0], [1], [1], [0]],
};
const small = { layers: [2, 4, 1], activation: 'tanh', output: 'sigmoid', loss: 'mse', seed: 7 } as const;

describe('trainInWorker (Node worker_threads)', () => {
  it('passes threads on: the worker trains on as many threads, and the result equals net.train on one', async () => {
    const options = { layers: [200, 256, 10], activation: 'relu', output: 'softmax', seed: 3 } as const;
    const x = randomRows(300, 200, 1, 0, 1),
      t = randomRows(300, 10, 2, 0, 1);
    const threaded = await NN.create(classic({ ...options, threads: 2 })),
      one = await NN.create(classic(options));
    const report = await trainInWorker(threaded, x, t, classicTrain({ epochs: 2, batchSize: 50, optimizer: 'adam' }));
    one.train(x, t, classicTrain({ epochs: 2, batchSize: 50, optimizer: 'adam' }));
    expect(report.threads).toBe(2);
    expect(threaded.toJSON()).toEqual(one.toJSON());
    threaded.dispose();
    one.dispose();
  });

  for (const engine of ['wasm', 'js'] as const) {
    it(`leaves a ${engine} network exactly as net.train would, also when it continues a training`, async () => {
      const options = { ...small, engine, normalize: 'zscore' } as const;
      const a = await NN.create(classic(options)),
        b = await NN.create(classic(options));
      const first = { epochs: 50, batchSize: 2, learningRate: 0.05, optimizer: 'adam' } as const;
      const then = { epochs: 100, batchSize: 2, learningRate: 0.05, optimizer: 'adam' } as const;
      a.train(xor.x, xor.t, classicTrain(first));
      const ra = a.train(xor.x, xor.t, classicTrain(then));
      const rb1 = await trainInWorker(b, xor.x, xor.t, classicTrain(first));
      expect(rb1.build).toBe(b.build);
      const rb = await trainInWorker(b, xor.x, xor.t, classicTrain(then));
      expect(rb.error).toBe(ra.error);
      expect(rb.epochs).toBe(100);
      expect(b.epochs).toBe(150);
      expect(b.getWeights()).toEqual(a.getWeights());
      expect(b.predict([1, 0])).toEqual(a.predict([1, 0])); // the normaliser came home too
      expect(b.toJSON()).toEqual(a.toJSON()); // and the optimizer and generator state
    });
  }

  it('reports every epoch and, with syncWeights, updates the network before each report', async () => {
    const net = await NN.create(classic(small));
    const before = net.getWeights();
    const seen: number[] = [];
    let changed = 0;
    const report = await trainInWorker(
      net,
      xor.x,
      xor.t,
      classicTrain({
        epochs: 5,
        batchSize: 4,
        learningRate: 0.5,
        syncWeights: true,
        onEpoch: ({ epoch, error }) => {
          seen.push(epoch);
          expect(Number.isFinite(error)).toBe(true);
          if (net.getWeights().weights[0]![0] !== before.weights[0]![0]) changed++;
        },
      }),
    );
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(changed).toBe(5);
    expect(report.stoppedBy).toBe('epochs');
  });

  it('proxies onBatch', async () => {
    const net = await NN.create(classic(small));
    const batches: number[] = [];
    await trainInWorker(
      net,
      xor.x,
      xor.t,
      classicTrain({
        epochs: 2,
        batchSize: 2,
        onBatch: ({ batch }) => {
          batches.push(batch);
        },
      }),
    );
    expect(batches).toEqual([0, 1, 0, 1]);
  });

  it('stops when onEpoch returns false', async () => {
    const net = await NN.create(classic(small));
    let calls = 0;
    const report = await trainInWorker(
      net,
      xor.x,
      xor.t,
      classicTrain({ epochs: 1e6, batchSize: 1, onEpoch: () => ++calls < 3 }),
    );
    expect(report.stoppedBy).toBe('callback');
    expect(report.epochs).toBeGreaterThanOrEqual(3);
    expect(report.epochs).toBeLessThan(1e6);
  });

  it('rejects with an AbortError on abort and leaves the weights as they were', async () => {
    const net = await NN.create(classic(small));
    const before = net.getWeights();
    const controller = new AbortController();
    const training = trainInWorker(
      net,
      xor.x,
      xor.t,
      classicTrain({ epochs: 1e8, batchSize: 1, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 200);
    await expect(training).rejects.toMatchObject({ name: 'AbortError' });
    expect(net.getWeights()).toEqual(before);
    await expect(trainInWorker(net, xor.x, xor.t, classicTrain({ signal: AbortSignal.abort() }))).rejects.toMatchObject(
      {
        name: 'AbortError',
      },
    );
  });

  it('checks options and data on the calling thread, like train', async () => {
    const net = await NN.create(classic(small));
    await expect(trainInWorker(net, xor.x, xor.t, classicTrain({ epochs: 0 }))).rejects.toThrow(RangeError);
    await expect(trainInWorker(net, xor.x, [[1]], classicTrain({}))).rejects.toThrow(/targets/);
    await expect(trainInWorker(net, xor.x, xor.t, classicTrain({ syncWeights: 'yes' as never }))).rejects.toThrow(
      /syncWeights/,
    );
  });

  it('keeps the main thread free: a setInterval counter ticks while the worker trains', async () => {
    // a random regression set big enough that training takes a while
    const x = randomRows(4000, 256, 1, 0, 1),
      t = randomRows(4000, 10, 2, 0, 1);
    const net = await NN.create(
      classic({ layers: [256, 256, 10], activation: 'relu', output: 'linear', loss: 'mse', seed: 1 }),
    );
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    const report = await trainInWorker(net, x, t, classicTrain({ epochs: 5, batchSize: 16, optimizer: 'adam' }));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(report.epochs).toBe(5);
    expect(elapsed).toBeGreaterThan(300); // long enough for the check to mean something
    // a blocked thread would tick about once; a free one about elapsed / 10 times
    expect(ticks).toBeGreaterThan(Math.max(10, (elapsed / 10) * 0.25));
  });
});

describe('trainInWorker with the defaults', () => {
  it("a new network's first data decides on this thread (output, loss, normaliser, classes) and the result equals net.train", async () => {
    const x = randomRows(60, 3, 5, -10, 10);
    const labels = Array.from({ length: 60 }, (_, i) => ['north', 'south', 'east'][(i * 5) % 3]!);
    const inWorker = await NN.create({ layers: [3, 6, 3], seed: 4 }),
      here = await NN.create({ layers: [3, 6, 3], seed: 4 });
    const samples = Array.from({ length: 60 }, (_, i) => ({
      input: Array.from(x.subarray(i * 3, i * 3 + 3)),
      output: labels[i]!,
    }));
    const report = await trainInWorker(inWorker, samples, { epochs: 5, validationData: samples.slice(0, 10) });
    const local = here.train(samples, { epochs: 5, validationData: samples.slice(0, 10) });
    expect(inWorker.toJSON()).toEqual(here.toJSON());
    expect(inWorker.classes).toEqual(['north', 'east', 'south']);
    expect(report.history.map((h) => h.loss)).toEqual(local.history.map((h) => h.loss));
    expect(report.history.map((h) => h.validationAccuracy)).toEqual(local.history.map((h) => h.validationAccuracy));
    inWorker.dispose();
    here.dispose();
  });
});

describe('trainInWorker after a downstream bundler', () => {
  it('works when an app bundles simdnet for ES2019 (the worker reruns the library from its source text)', async () => {
    const { build } = await import('esbuild');
    const dir = new URL('./.tmp/', import.meta.url).pathname;
    const entry = new URL('./.tmp/app-es2019.mjs', import.meta.url).pathname;
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      entry,
      `import { NN, trainInWorker } from '../../dist/index.js';
export async function run() {
  const net = await NN.create({ layers: [2, 3, 1], seed: 1 });
  return trainInWorker(net, [[0, 1], [1, 0]], [[1], [0]], { epochs: 3 });
}\n`,
    );
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'es2019',
      minify: true,
      outfile: `${dir}app-es2019.bundle.mjs`,
      supported: { 'top-level-await': true },
      logLevel: 'error',
    });
    const app = (await import(/* @vite-ignore */ `${dir}app-es2019.bundle.mjs`)) as {
      run(): Promise<{ epochs: number }>;
    };
    expect((await app.run()).epochs).toBe(3);
  });
});
