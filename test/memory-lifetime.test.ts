// A network's memory over its lifetime: dispose (every block returned, twice harmless, refused
// while training, every method refused afterwards); thousands of networks created and disposed (or
// loaded, trained and disposed) leaving the engine heap exactly where it was; networks dropped
// without dispose() freed by the FinalizationRegistry, but never twice; and a million predictions
// leaving process memory flat. (The heap itself: memory-heap.test.ts; staged rows:
// memory-staging.test.ts; networks across a memory.grow: memory-across-grow.test.ts; the 784-128-10
// budget, which needs an engine no other test has grown: memory-budget.test.ts; sizes beyond 2 GiB:
// memory-limits.test.ts.)
//
// Bounds, stated: engine heap `allocated` back to its baseline to the byte; memory.buffer no more
// than 1 MiB above its size after a warm-up cycle; after 1,000,000 predict calls and a forced
// collection, JS heap + external + array buffers within 4 MiB of the level after a 20,000-call
// warm-up (a leak of 8 bytes per call would add 8 MB), RSS within 64 MiB.
import { describe, expect, it } from 'vitest';
import { NN, toFunction } from '../src/index.js';
import { toONNX, toTFJS } from '../src/interop/index.js';
import { randomRows } from './helpers/random-data.js';
import { ENGINES, type EngineKind, engineOf } from './helpers/engines.js';
import { rejected, thrown } from './helpers/clear-errors.js';
import { collect, forceGc } from './helpers/garbage-collection.js';
import { classic, classicTrain } from './helpers/classic.js';

const MiB = 2 ** 20;
const X = randomRows(32, 8, 1),
  T = randomRows(32, 4, 2, 0, 1);

describe.each(ENGINES)('memory on %s', (engine: EngineKind) => {
  const heap = engineOf(engine).heap;

  it('10,000 create/dispose cycles of networks in 7 sizes (every tenth trained and asked to predict) leave the heap at its baseline', async () => {
    // warm-up: the first cycle may grow memory once
    const warm = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 0 }));
    warm.train(X, T, classicTrain({ epochs: 1, batchSize: 8, optimizer: 'adam' }));
    warm.predict(randomRows(300, 8, 3));
    warm.dispose();
    const allocated = heap.allocated,
      byteLength = heap.byteLength;
    for (let i = 0; i < 10_000; i++) {
      const layers = [8, 16 + (i % 7), 4]; // a freed block is reused by a network of another size
      const net =
        i % 2
          ? NN.createSync(classic({ layers, engine, seed: i }))
          : await NN.create(classic({ layers, engine, seed: i }));
      if (i % 10 === 0) {
        net.train(X, T, classicTrain({ epochs: 1, batchSize: 8, optimizer: i % 20 ? 'adam' : 'momentum' }));
        net.predict(X);
      }
      net.dispose();
      if (i % 1000 === 999) expect(heap.allocated, `after ${i + 1} cycles`).toBe(allocated);
    }
    expect(heap.allocated).toBe(allocated);
    expect(heap.byteLength, 'memory.buffer stays within 1 MiB of its warm size').toBeLessThanOrEqual(byteLength + MiB);
  });

  it('2,000 fromJSON/fromBinary/dispose cycles, half of them refused, leave the heap at its baseline', async () => {
    const source = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 1 }));
    source.train(X, T, classicTrain({ epochs: 1, batchSize: 8, optimizer: 'adam' }));
    const json = JSON.stringify(source.toJSON()),
      binary = source.toBinary();
    source.dispose();
    const allocated = heap.allocated;
    const broken = binary.slice();
    broken[40]! ^= 1;
    for (let i = 0; i < 1000; i++) {
      (await NN.fromJSON(json, { engine })).dispose();
      (await NN.fromBinary(binary, { engine })).dispose();
      expect(await rejected(() => NN.fromBinary(broken, { engine }))).toBeInstanceOf(RangeError);
      expect(
        await rejected(() => NN.fromJSON(json.replace('"weights":[[', '"weights":[["x",'), { engine })),
      ).toBeInstanceOf(TypeError);
    }
    expect(heap.allocated).toBe(allocated);
  });

  it('a disposed network refuses every method with a clear error; dispose twice is harmless', async () => {
    const net = await NN.create(classic({ layers: [8, 16, 4], engine, seed: 2 }));
    const other = await NN.create(classic({ layers: [8, 16, 4], engine, seed: 3 }));
    const weights = net.getWeights(),
      json = net.toJSON(),
      binary = net.toBinary();
    const allocated = heap.allocated;
    net.dispose();
    expect(net.isDisposed).toBe(true);
    expect(heap.allocated).toBeLessThan(allocated);
    const afterFirst = heap.allocated;
    expect(() => net.dispose()).not.toThrow();
    expect(heap.allocated, 'the second dispose frees nothing more').toBe(afterFirst);

    const calls: Record<string, () => unknown> = {
      getWeights: () => net.getWeights(),
      setWeights: () => net.setWeights(weights),
      predict: () => net.predict(X.subarray(0, 8)),
      classify: () => net.classify(X.subarray(0, 8)),
      summary: () => net.summary(),
      evaluate: () => net.evaluate(X, T),
      accuracy: () => net.accuracy(X, T),
      confusionMatrix: () => net.confusionMatrix(X, T),
      train: () => net.train(X, T, classicTrain({ epochs: 1 })),
      trainAsync: () => net.trainAsync(X, T, classicTrain({ epochs: 1 })),
      toJSON: () => net.toJSON(),
      toBinary: () => net.toBinary(),
      toFunction: () => toFunction(net),
      toONNX: () => toONNX(net),
      toTFJS: () => toTFJS(net),
      load: () => (net as unknown as { load(m: unknown): void }).load(json),
      quantize: () => net.quantize(),
    };
    // every public method of the class is in the list above (a new one must be added, and must check)
    const PRIVATE = ['constructor', 'dispose', 'inputs', 'pair', 'begin', 'restore', 'check', 'trainable'];
    const methods = Object.getOwnPropertyNames(NN.prototype).filter(
      (name) =>
        typeof Object.getOwnPropertyDescriptor(NN.prototype, name)!.value === 'function' && !PRIVATE.includes(name),
    );
    for (const name of methods) expect(Object.keys(calls), `method ${name} is covered by this test`).toContain(name);
    // and the getter that reads the model, and `using`'s dispose (harmless twice, like dispose)
    expect(() => net.classes).toThrow(/disposed/);
    expect(() => net[Symbol.dispose]()).not.toThrow();
    // and the formats' functions over a network
    const functions = ['toFunction', 'toONNX', 'toTFJS'];
    for (const [name, call] of Object.entries(calls)) {
      if (!methods.includes(name) && !functions.includes(name)) continue;
      let err: unknown,
        threw = false;
      try {
        const r = call();
        if (r instanceof Promise) err = await rejected(() => r);
      } catch (e) {
        err = e;
        threw = true;
      }
      if (name === 'trainAsync') expect(threw, 'trainAsync rejects rather than throws').toBe(false);
      expect(err, `${name} on a disposed network`).toBeInstanceOf(Error);
      expect((err as Error).message, name).toMatch(/disposed/);
      expect(err instanceof WebAssembly.RuntimeError).toBe(false);
    }
    expect(heap.allocated, 'nothing was allocated by the refused calls').toBe(afterFirst);
    // the other network, which may now sit in the freed region's neighbourhood, is intact
    expect(other.predict(X.subarray(0, 8))).toHaveLength(4);
    other.dispose();
    await NN.fromBinary(binary, { engine }).then((n) => n.dispose());
  });

  it('dispose twice after the region was reused frees nothing of the new owner', () => {
    const a = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 4 }));
    a.dispose();
    const b = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 5 })); // first fit: a's region
    const w = b.getWeights(),
      allocated = heap.allocated;
    a.dispose();
    expect(heap.allocated).toBe(allocated);
    const c = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 6 })); // must not land on b
    expect(b.getWeights()).toEqual(w);
    b.dispose();
    c.dispose();
  });

  it('dispose returns every block: model, batch buffers, optimizer state, training data', async () => {
    const base = heap.allocated;
    const net = await NN.create(classic({ layers: [5, 7, 2], engine, seed: 1 }));
    expect(heap.allocated).toBeGreaterThan(base);
    const x = randomRows(40, 5, 2),
      t = randomRows(40, 2, 3, 0, 1);
    net.train(x, t, classicTrain({ epochs: 2, batchSize: 8, optimizer: 'adam' }));
    net.predict(randomRows(300, 5, 4));
    net.dispose();
    expect(heap.allocated).toBe(base);
  });

  it('a training callback that throws leaves the network usable and leaks nothing', async () => {
    const base = heap.allocated;
    const net = await NN.create(classic({ layers: [3, 4, 1], engine, seed: 1 }));
    const x = randomRows(30, 3, 5),
      t = randomRows(30, 1, 6, 0, 1);
    expect(() =>
      net.train(
        x,
        t,
        classicTrain({
          epochs: 5,
          onEpoch: ({ epoch }) => {
            if (epoch === 2) throw new Error('stop here');
          },
        }),
      ),
    ).toThrow('stop here');
    // disposing from inside the training run is refused, and training can run again afterwards
    expect(() =>
      net.train(
        x,
        t,
        classicTrain({
          epochs: 3,
          onEpoch: () => {
            net.dispose();
          },
        }),
      ),
    ).toThrow(Error);
    expect(net.isDisposed).toBe(false);
    const report = net.train(x, t, classicTrain({ epochs: 2 }));
    expect(Number.isFinite(report.error)).toBe(true);
    net.dispose();
    expect(heap.allocated).toBe(base);
  });

  it('dispose during trainAsync (inside a callback or between batches) is refused; after the run ends dispose frees everything', async () => {
    const base = heap.allocated;
    const net = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 7 }));
    const controller = new AbortController();
    let batches = 0,
      inside: unknown;
    const running = net.trainAsync(
      randomRows(2000, 8, 9),
      randomRows(2000, 4, 10),
      classicTrain({
        epochs: 1000,
        batchSize: 1,
        signal: controller.signal,
        onBatch: ({ batch }) => {
          batches++;
          if (batch === 5) inside = thrown(() => net.dispose());
        },
      }),
    );
    while (batches < 6) await new Promise((resolve) => setTimeout(resolve, 1));
    const between = thrown(() => net.dispose());
    for (const [where, err] of [
      ['inside onBatch', inside],
      ['between batches', between],
    ] as const) {
      expect(err, where).toBeInstanceOf(Error);
      expect((err as Error).message, where).toMatch(/trains/);
    }
    expect(net.isDisposed).toBe(false);
    controller.abort();
    await expect(running).rejects.toThrow(/abort/i);
    net.dispose();
    expect(heap.allocated, 'every block returned').toBe(base);
  });

  const gc = forceGc();
  it.skipIf(!gc)(
    'networks dropped without dispose() are freed by the FinalizationRegistry after a collection',
    async () => {
      await collect();
      const allocated = heap.allocated;
      (() => {
        for (let i = 0; i < 200; i++) {
          const net = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: i }));
          if (i % 4 === 0) net.train(X, T, classicTrain({ epochs: 1, batchSize: 8, optimizer: 'adam' }));
        }
      })();
      expect(heap.allocated, 'the dropped networks still hold their memory before a collection').toBeGreaterThan(
        allocated + 200 * 1000,
      );
      await collect(6);
      expect(heap.allocated, 'every dropped network was freed').toBe(allocated);
    },
  );

  it.skipIf(!gc)(
    'a network disposed and then collected is not freed a second time (the registry forgets it on dispose)',
    async () => {
      await collect();
      const survivors: NN[] = [];
      const regionOf = (n: NN): number =>
        (n as unknown as { resident: { net: { descriptorPtr: number } } }).resident.net.descriptorPtr; // only to check the setup
      let reused = 0;
      (() => {
        for (let i = 0; i < 50; i++) {
          const dropped = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: i }));
          dropped.train(X, T, classicTrain({ epochs: 1, batchSize: 8, optimizer: 'adam' }));
          dropped.dispose();
          // takes over the region `dropped` had (first fit), and keeps it while `dropped` is collected
          const survivor = NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 1000 + i }));
          if (regionOf(survivor) === regionOf(dropped)) reused++;
          survivors.push(survivor);
        }
      })();
      expect(reused, 'the setup: survivors sit where disposed networks were').toBeGreaterThan(25);
      const allocated = heap.allocated,
        weights = survivors.map((n) => n.getWeights());
      await collect(6);
      expect(heap.allocated, 'collecting the disposed networks freed nothing').toBe(allocated);
      const newcomers = Array.from({ length: 50 }, (_, i) =>
        NN.createSync(classic({ layers: [8, 16, 4], engine, seed: 2000 + i })),
      );
      survivors.forEach((n, i) => expect(n.getWeights(), `survivor ${i} intact`).toEqual(weights[i]));
      for (const n of [...survivors, ...newcomers]) n.dispose();
    },
  );

  it(`1,000,000 predict calls leave process memory flat (JS heap + buffers within 4 MiB${gc ? '' : ', no gc: 32 MiB'})`, () => {
    const net = NN.createSync(classic({ layers: [4, 8, 2], engine, seed: 8 }));
    const row = Float32Array.of(0.1, 0.2, 0.3, 0.4),
      plain = [0.4, 0.3, 0.2, 0.1];
    let keep = 0;
    const run = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const y = i % 8 === 0 ? net.predict(plain) : net.predict(row);
        keep += y[0]!;
      }
    };
    const level = (): { js: number; rss: number } => {
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      return { js: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
    };
    run(20_000);
    const allocated = heap.allocated,
      byteLength = heap.byteLength;
    const before = level();
    run(1_000_000);
    const after = level();
    expect(Number.isFinite(keep)).toBe(true);
    expect(heap.allocated, 'engine heap: nothing allocated per call').toBe(allocated);
    expect(heap.byteLength, 'engine memory not grown').toBe(byteLength);
    expect(
      after.js - before.js,
      `JS heap + buffers grew by ${((after.js - before.js) / MiB).toFixed(2)} MiB`,
    ).toBeLessThan((gc ? 4 : 32) * MiB);
    expect(after.rss - before.rss, `RSS grew by ${((after.rss - before.rss) / MiB).toFixed(1)} MiB`).toBeLessThan(
      64 * MiB,
    );
    net.dispose();
  });
});
