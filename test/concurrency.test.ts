// Concurrency (one thread, interleaved by trainAsync): predict, evaluate and getWeights
// during trainAsync answer from one consistent state, the weights of the last completed batch; a
// second train/trainAsync/load on a training network is refused with a clear error; two networks
// training at once do not interfere (each ends bit-identical to the same training done alone); and
// every network of a process shares one compiled module and one engine.
import { describe, expect, it, vi } from 'vitest';
import { NN, type BatchInfo, type TrainOptions, type Weights } from '../src/index.js';
import { randomRows } from './helpers/random-data.js';
import { expectSameWeights, sameWeights } from './helpers/bits.js';
import { ENGINES, type EngineKind, engineOf } from './helpers/engines.js';
import { rejected, thrown } from './helpers/clear-errors.js';
import { classic, classicTrain } from './helpers/classic.js';

const LAYERS = [6, 12, 3];
const X = randomRows(1500, 6, 11),
  T = randomRows(1500, 3, 12, 0, 1);
const PROBE = randomRows(300, 6, 13); // more rows than a training batch: predict must grow the buffers mid-training
// trainAsync yields after ~4 ms of work: long enough runs (the Wasm engine is much faster) to be interleaved many times
// on an ordinary machine; a fast one can fit the whole run in one slice, which `slowStart` rules out
const optionsFor = (engine: EngineKind) => ({
  epochs: engine === 'wasm' ? 30 : 5,
  batchSize: 4,
  learningRate: 0.05,
  optimizer: 'momentum' as const,
});

const make = (engine: EngineKind, seed = 31): NN =>
  NN.createSync(classic({ layers: LAYERS, activation: 'tanh', output: 'sigmoid', loss: 'mse', engine, seed }));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * An onBatch that makes the first `batches` batches of the run outlast trainAsync's slice of work,
 * so that it yields after each of them however fast the machine: that many chances to observe the
 * network mid-training, whatever the rest of the run does. It changes no weight.
 */
const slowStart =
  (batches: number) =>
  ({ epoch, batchIndex }: BatchInfo): void => {
    if (epoch !== 1 || batchIndex >= batches) return;
    const until = performance.now() + 6;
    while (performance.now() < until);
  };

/** The weights the network reaches training alone: the oracle of the interleaved runs. */
async function trainedAlone(engine: EngineKind, options: TrainOptions): Promise<Weights> {
  const alone = make(engine);
  await alone.trainAsync(X, T, classicTrain(options));
  const weights = alone.getWeights();
  alone.dispose();
  return weights;
}

// First in this file, so that the engine does not exist yet (vitest gives each file fresh modules).
describe('one compiled module', () => {
  it('fifty networks created at once compile the Wasm module exactly once and share one engine and its memory', async () => {
    const spies = [
      vi.spyOn(WebAssembly, 'instantiate'),
      vi.spyOn(WebAssembly, 'compile'),
      vi.spyOn(WebAssembly, 'Module'),
    ];
    const compiles = (): number => spies.reduce((n, spy) => n + spy.mock.calls.length, 0);
    try {
      const nets = await Promise.all(
        Array.from({ length: 50 }, (_, i) => NN.create(classic({ layers: LAYERS, engine: 'wasm', seed: i }))),
      );
      expect(compiles(), 'one compile for 50 concurrent creates').toBe(1);
      nets.push(NN.createSync(classic({ layers: LAYERS, engine: 'wasm', seed: 50 })));
      nets.push(
        await NN.fromJSON(nets[0]!.toJSON(), { engine: 'wasm' }),
        await NN.fromBinary(nets[1]!.toBinary(), { engine: 'wasm' }),
      );
      expect(compiles(), 'and none for the ones after').toBe(1);
      const heap = engineOf('wasm').heap;
      const allocated = heap.allocated;
      expect(new Set(nets.map((n) => n.build)).size).toBe(1);
      for (const n of nets) n.dispose();
      expect(allocated - heap.allocated, 'all 53 lived in the one engine memory').toBeGreaterThan(53 * 1000);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe.each(ENGINES)('concurrency on %s', (engine: EngineKind) => {
  const options = optionsFor(engine);
  it('predict and evaluate during trainAsync answer from the weights of the last completed batch; training is unaffected', async () => {
    const expected = await trainedAlone(engine, options);
    const net = make(engine);
    const initial = net.getWeights();
    const twin = make(engine); // gets each observed snapshot through setWeights, as an independent oracle
    let done = false,
      observed = 0,
      midway = 0;
    const training = net.trainAsync(X, T, classicTrain({ ...options, onBatch: slowStart(3) })).finally(() => {
      done = true;
    });
    while (!done) {
      // one synchronous moment: the weights, and the answers, must belong together
      const w = net.getWeights();
      const y = net.predict(PROBE),
        e = net.evaluate(PROBE.subarray(0, 60), T.subarray(0, 30)).loss;
      twin.setWeights(w);
      expect(y, `observation ${observed}: predict equals a network holding the weights of that moment`).toEqual(
        twin.predict(PROBE),
      );
      expect(e).toBe(twin.evaluate(PROBE.subarray(0, 60), T.subarray(0, 30)).loss);
      expect(Array.from(y).every(Number.isFinite)).toBe(true);
      if (!sameWeights(w, initial)) midway++;
      observed++;
      await tick();
    }
    const report = await training;
    expect(report.epochs).toBe(options.epochs);
    expect(midway, 'predictions were made while training was under way').toBeGreaterThanOrEqual(2);
    // the interleaved predictions (which grew the per-batch buffers) did not change the training
    expectSameWeights(expected, net.getWeights(), 'trained with predictions interleaved vs alone');
    net.dispose();
    twin.dispose();
  });

  it('a second train, trainAsync or load while trainAsync runs is refused with a clear error; the first run is unaffected', async () => {
    const long = { ...options, epochs: options.epochs * 2 };
    const expected = await trainedAlone(engine, long);
    const net = make(engine);
    const saved = net.toJSON();
    let done = false;
    const training = net.trainAsync(X, T, classicTrain(long)).finally(() => {
      done = true;
    });
    while (!done && net.epochs < 1) await tick();
    expect(done, 'the first run is still going after its first epoch').toBe(false);
    const sync = thrown(() => net.train(X, T, classicTrain(options)));
    const async = await rejected(() => net.trainAsync(X, T, classicTrain(options)));
    const load = thrown(() => net.load(saved));
    for (const [what, err] of [
      ['train', sync],
      ['trainAsync', async],
      ['load', load],
    ] as const) {
      expect(err, what).toBeInstanceOf(Error);
      expect((err as Error).message, what).toMatch(/train/);
      expect(err instanceof WebAssembly.RuntimeError).toBe(false);
    }
    const report = await training;
    expect(report.epochs).toBe(long.epochs);
    expectSameWeights(expected, net.getWeights(), 'the first run');
    // and once it is over, the network trains again
    expect(net.train(X, T, classicTrain({ ...options, epochs: 1 })).epochs).toBe(1);
    net.dispose();
  });

  it('train() called from inside an onBatch or onEpoch callback is refused, and the outer run completes', () => {
    const net = make(engine);
    const errors: unknown[] = [];
    const report = net.train(
      X.subarray(0, 60),
      T.subarray(0, 30),
      classicTrain({
        epochs: 2,
        batchSize: 5,
        onBatch: ({ batch }) => {
          if (batch === 0) errors.push(thrown(() => net.train(X.subarray(0, 6), T.subarray(0, 3))));
        },
        onEpoch: () => {
          errors.push(thrown(() => net.train(X.subarray(0, 6), T.subarray(0, 3))));
        },
      }),
    );
    expect(report.epochs).toBe(2);
    expect(errors).toHaveLength(4);
    for (const err of errors) expect((err as Error).message).toMatch(/already training/);
    net.dispose();
  });

  it('two networks training at once with trainAsync each end bit-identical to the same training done alone', async () => {
    const X2 = randomRows(900, 6, 21),
      T2 = randomRows(900, 3, 22, 0, 1);
    const optionsB = { epochs: 4, batchSize: 8, learningRate: 0.01, optimizer: 'adam' as const };
    const soloA = make(engine, 41),
      soloB = make(engine, 42);
    await soloA.trainAsync(X, T, classicTrain(options));
    await soloB.trainAsync(X2, T2, classicTrain(optionsB));

    const a = make(engine, 41),
      b = make(engine, 42);
    let interleaved = 0,
      lastA = -1,
      lastB = -1,
      switches = 0;
    const runA = a.trainAsync(
      X,
      T,
      classicTrain({
        ...options,
        onBatch: () => {
          if (lastB >= 0 && lastA < lastB) switches++;
          lastA = interleaved++;
        },
      }),
    );
    const runB = b.trainAsync(
      X2,
      T2,
      classicTrain({
        ...optionsB,
        onBatch: () => {
          if (lastA >= 0 && lastB < lastA) switches++;
          lastB = interleaved++;
        },
      }),
    );
    const [ra, rb] = await Promise.all([runA, runB]);
    expect(switches, 'the two runs really alternated').toBeGreaterThanOrEqual(2);
    expectSameWeights(soloA.getWeights(), a.getWeights(), 'network A');
    expectSameWeights(soloB.getWeights(), b.getWeights(), 'network B');
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(soloA.toJSON()));
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(soloB.toJSON()));
    expect(ra.error).toBe(soloA.evaluate(X, T).loss);
    expect(rb.epochs).toBe(4);
    for (const n of [soloA, soloB, a, b]) n.dispose();
  });
});
