// Training control: validationSplit (the LAST rows, before shuffling), validationData, early
// stopping (patience, minDelta, restoreBest), timeLimitMs, onEpoch/onBatch stopping, onBatch's
// report (index, rows, the batch loss before its update), errorThreshold, and AbortSignal in
// trainAsync. Each against a float64 reference, a rule re-derived from the documentation, or a
// twin network trained the equivalent way. Both engines.
import { describe, expect, it } from 'vitest';
import { NN, type TrainOptions, type Weights } from '../src/index.js';
import { randomF32, randomWeights, rng } from './helpers/random-data.js';
import { forwardRef, lossRef, toRef, type ActivationRef } from './helpers/float64-network.js';
import { Optimizer, trainRef } from './helpers/float64-training.js';
import { weightDiff, weightScale } from './helpers/tolerance.js';
import { sameWeights } from './helpers/bits.js';
import { ENGINES } from './helpers/engines.js';
import { rejected } from './helpers/clear-errors.js';
import { classic, classicTrain } from './helpers/classic.js';

const LAYERS = [3, 6, 2];
const ACTS: ActivationRef[] = [{ name: 'sigmoid' }, { name: 'linear' }];
const random = rng(4);
const ROWS = 20;
const X = randomF32(ROWS * 3, random),
  T = randomF32(ROWS * 2, random);
/** float32 vs float64 over a few steps (see training-optimizers.test.ts): 3e-6·max(1,|w|) */
const TOL = 3e-6;
/** a loss computed in float32 (≤ 20 rows × 2 outputs, one layer of ≤ 6 products) vs float64, relative */
const LOSS_TOL = 1e-5;

async function network(engine: 'js' | 'wasm', seed = 8): Promise<NN> {
  const net = await NN.create(
    classic({ layers: LAYERS, activation: 'sigmoid', output: 'linear', loss: 'mse', engine, seed }),
  );
  net.setWeights(randomWeights(LAYERS, 30));
  return net;
}

/** The loss as defined (mse here) of weights w on rows [from, to) of X, T, in float64. */
function lossOf(w: Weights, x: Float32Array, t: Float32Array, from: number, to: number): number {
  const xs = x.subarray(from * 3, to * 3),
    ts = t.subarray(from * 2, to * 2);
  return lossRef('mse', forwardRef(toRef(w, LAYERS, ACTS), xs, to - from)[2]!, ts, to - from, 2);
}
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe.each(ENGINES)('training control on %s', (engine) => {
  describe('validation', () => {
    it('validationSplit 0.25 holds out the last 5 of 20 rows, before shuffling; training sees only the first 15', async () => {
      const net = await network(engine);
      const seen: { error: number; validationError: number | null; w: Weights }[] = [];
      const report = net.train(
        X,
        T,
        classicTrain({
          epochs: 4,
          batchSize: 4,
          learningRate: 0.2,
          validationSplit: 0.25,
          onEpoch: (info) => {
            seen.push({ error: info.error, validationError: info.validationError, w: net.getWeights() });
          },
        }),
      );
      // every epoch: validationError is the loss on rows 15..19, error the loss on rows 0..14 (float64)
      for (const s of seen) {
        expect(rel(s.validationError!, lossOf(s.w, X, T, 15, 20))).toBeLessThanOrEqual(LOSS_TOL);
        expect(rel(s.error, lossOf(s.w, X, T, 0, 15))).toBeLessThanOrEqual(LOSS_TOL);
      }
      // and the report's is what evaluate() says of those rows
      expect(report.validationError).toBe(net.evaluate(X.subarray(45), T.subarray(30)).loss);
      expect(report.error).toBe(net.evaluate(X.subarray(0, 45), T.subarray(0, 30)).loss);
      // the held-out rows are not some other five: the first five give another loss
      expect(rel(report.validationError!, net.evaluate(X.subarray(0, 15), T.subarray(0, 10)).loss)).toBeGreaterThan(
        0.01,
      );

      // training with the split = training (same seed, same shuffles) on the first 15 rows alone
      const twin = await network(engine);
      twin.train(X.subarray(0, 45), T.subarray(0, 30), classicTrain({ epochs: 4, batchSize: 4, learningRate: 0.2 }));
      expect(sameWeights(twin.getWeights(), net.getWeights())).toBe(true);
      net.dispose();
      twin.dispose();
    });

    it('validationData is evaluated every epoch and does not change the training', async () => {
      const vx = randomF32(7 * 3, rng(40)),
        vt = randomF32(7 * 2, rng(41));
      const net = await network(engine),
        plain = await network(engine);
      const seen: { validationError: number | null; w: Weights }[] = [];
      const report = net.train(
        X,
        T,
        classicTrain({
          epochs: 3,
          batchSize: 6,
          learningRate: 0.2,
          validationData: { inputs: vx, targets: vt },
          onEpoch: (info) => {
            seen.push({ validationError: info.validationError, w: net.getWeights() });
          },
        }),
      );
      plain.train(X, T, classicTrain({ epochs: 3, batchSize: 6, learningRate: 0.2 }));
      expect(sameWeights(net.getWeights(), plain.getWeights())).toBe(true);
      expect(seen).toHaveLength(3);
      for (const s of seen) expect(rel(s.validationError!, lossOf(s.w, vx, vt, 0, 7))).toBeLessThanOrEqual(LOSS_TOL);
      expect(rel(report.validationError!, lossOf(net.getWeights(), vx, vt, 0, 7))).toBeLessThanOrEqual(LOSS_TOL);
      expect(plain.train(X, T, classicTrain({ epochs: 1 })).validationError).toBeNull();
      net.dispose();
      plain.dispose();
    });
  });

  describe('early stopping', () => {
    // y = w·x + b fitted to t = 2x while the validation set wants t = x: as w climbs from 0 to 2
    // the validation error falls, bottoms out near w = 1, and rises again
    const N = 32;
    const x1 = randomF32(N, rng(50)),
      t2 = x1.map((v) => 2 * v),
      vx1 = randomF32(N, rng(51)),
      vt1 = vx1.slice();
    const line = async (): Promise<NN> => {
      const net = await NN.create(classic({ layers: [1, 1], activation: 'linear', loss: 'mse', engine, seed: 1 }));
      net.setWeights({ weights: [new Float32Array([0])], biases: [new Float32Array([0])] });
      return net;
    };
    const base: TrainOptions = { batchSize: 'full', shuffle: false, learningRate: 0.2, epochs: 60 };

    /** The documented rule: an epoch improves when monitored < best − minDelta; stop after `patience` epochs without. */
    function expectedStop(monitored: number[], patience: number, minDelta: number): { stop: number; best: number } {
      let best = Infinity,
        bestEpoch = 0,
        since = 0;
      for (let e = 0; e < monitored.length; e++) {
        if (monitored[e]! < best - minDelta) {
          best = monitored[e]!;
          bestEpoch = e;
          since = 0;
        } else if (++since >= patience) return { stop: e + 1, best: bestEpoch + 1 };
      }
      return { stop: monitored.length, best: bestEpoch + 1 };
    }

    async function freeRun(withValidation: boolean): Promise<{ monitored: number[]; weights: Weights[] }> {
      const net = await line();
      const monitored: number[] = [],
        weights: Weights[] = [];
      net.train(
        x1,
        t2,
        classicTrain({
          ...base,
          ...(withValidation ? { validationData: { inputs: vx1, targets: vt1 } } : {}),
          onEpoch: (info) => {
            monitored.push(info.validationError ?? info.error);
            weights.push(net.getWeights());
          },
        }),
      );
      net.dispose();
      return { monitored, weights };
    }

    it('patience 3 on the validation error: stops 3 epochs after the best one and restores its weights exactly', async () => {
      const free = await freeRun(true);
      const { stop, best } = expectedStop(free.monitored, 3, 0);
      // the validation error really is U-shaped here: the best epoch is the minimum, well inside the run
      expect(best).toBe(free.monitored.indexOf(Math.min(...free.monitored)) + 1);
      expect(best).toBeGreaterThan(2);
      expect(stop).toBe(best + 3);
      expect(stop).toBeLessThan(60);

      const net = await line();
      const report = net.train(
        x1,
        t2,
        classicTrain({
          ...base,
          validationData: { inputs: vx1, targets: vt1 },
          earlyStopping: { patience: 3 },
        }),
      );
      expect(report.stoppedBy).toBe('earlyStopping');
      expect(report.epochs).toBe(stop);
      expect(net.epochs).toBe(stop);
      expect(sameWeights(net.getWeights(), free.weights[best - 1]!)).toBe(true);
      expect(report.validationError).toBe(free.monitored[best - 1]);
      net.dispose();
    });

    it('restoreBest: false keeps the weights of the last epoch', async () => {
      const free = await freeRun(true);
      const { stop } = expectedStop(free.monitored, 2, 0);
      const net = await line();
      const report = net.train(
        x1,
        t2,
        classicTrain({
          ...base,
          validationData: { inputs: vx1, targets: vt1 },
          earlyStopping: { patience: 2, restoreBest: false },
        }),
      );
      expect(report.epochs).toBe(stop);
      expect(sameWeights(net.getWeights(), free.weights[stop - 1]!)).toBe(true);
      net.dispose();
    });

    it('minDelta: without validation it watches the training error, and decreases smaller than minDelta do not count', async () => {
      const free = await freeRun(false);
      // the training error falls every epoch (convex, small steps), by less and less
      for (let e = 1; e < free.monitored.length; e++)
        expect(free.monitored[e]!).toBeLessThanOrEqual(free.monitored[e - 1]!);
      const minDelta = (free.monitored[5]! - free.monitored[6]!) * 1.01;
      const plain = expectedStop(free.monitored, 2, 0),
        withDelta = expectedStop(free.monitored, 2, minDelta);
      expect(withDelta.stop).toBeLessThan(plain.stop);
      const net = await line();
      const report = net.train(x1, t2, classicTrain({ ...base, earlyStopping: { patience: 2, minDelta } }));
      expect(report.stoppedBy).toBe('earlyStopping');
      expect(report.epochs).toBe(withDelta.stop);
      expect(sameWeights(net.getWeights(), free.weights[withDelta.best - 1]!)).toBe(true);
      net.dispose();
    });
  });

  describe('stopping', () => {
    it('errorThreshold stops after the first epoch whose error is at or below it', async () => {
      const errors: number[] = [];
      const free = await network(engine);
      free.train(
        X,
        T,
        classicTrain({
          epochs: 12,
          batchSize: 5,
          shuffle: false,
          learningRate: 0.2,
          onEpoch: ({ error }) => {
            errors.push(error);
          },
        }),
      );
      const threshold = (errors[6]! + errors[7]!) / 2;
      const expected = errors.findIndex((e) => e <= threshold) + 1;
      expect(expected).toBe(8);
      const net = await network(engine);
      const report = net.train(
        X,
        T,
        classicTrain({
          epochs: 12,
          batchSize: 5,
          shuffle: false,
          learningRate: 0.2,
          errorThreshold: threshold,
        }),
      );
      expect(report.stoppedBy).toBe('errorThreshold');
      expect(report.epochs).toBe(expected);
      expect(report.error).toBeLessThanOrEqual(threshold);
      free.dispose();
      net.dispose();
    });

    it('onEpoch returning false stops after that epoch', async () => {
      const net = await network(engine);
      const report = net.train(X, T, classicTrain({ epochs: 10, batchSize: 5, onEpoch: ({ epoch }) => epoch !== 3 }));
      expect(report.stoppedBy).toBe('callback');
      expect(report.epochs).toBe(3);
      expect(net.epochs).toBe(3);
      net.dispose();
    });

    it('onBatch returning false stops after that batch: the weights are float64 SGD after exactly those batches', async () => {
      const net = await network(engine);
      // 20 rows in batches of 6: 4 batches per epoch; stop after batch 1 of epoch 2 (6 updates)
      const report = net.train(
        X,
        T,
        classicTrain({
          epochs: 10,
          batchSize: 6,
          shuffle: false,
          learningRate: 0.3,
          onBatch: ({ epoch, batch }) => !(epoch === 2 && batch === 1),
        }),
      );
      expect(report.stoppedBy).toBe('callback');
      expect(report.epochs).toBe(1); // the interrupted epoch is not counted
      expect(net.epochs).toBe(1);
      const ref = toRef(randomWeights(LAYERS, 30), LAYERS, ACTS);
      const opt = new Optimizer({ optimizer: 'sgd' });
      trainRef(ref, 'mse', X, T, ROWS, opt, 1, 6, () => 0.3);
      trainRef(ref, 'mse', X.subarray(0, 36), T.subarray(0, 24), 12, opt, 1, 6, () => 0.3);
      expect(weightDiff(net.getWeights(), ref)).toBeLessThanOrEqual(TOL * Math.max(1, weightScale(ref)));
      net.dispose();
    });

    it('onBatch reports epoch, batch index, rows and the batch loss before its update (float64 reference)', async () => {
      const net = await network(engine);
      const seen: { epoch: number; batch: number; rows: number; loss: number }[] = [];
      net.train(
        X,
        T,
        classicTrain({
          epochs: 3,
          batchSize: 8,
          shuffle: false,
          learningRate: 0.3,
          optimizer: 'momentum',
          momentum: 0.5,
          onBatch: ({ epoch, batch, rows, loss, samplesPerSecond }) => {
            expect(samplesPerSecond).toBeGreaterThan(0);
            seen.push({ epoch, batch, rows, loss });
          },
        }),
      );
      expect(seen.map((s) => [s.epoch, s.batch, s.rows])).toEqual([
        [1, 0, 8],
        [1, 1, 8],
        [1, 2, 4],
        [2, 0, 8],
        [2, 1, 8],
        [2, 2, 4],
        [3, 0, 8],
        [3, 1, 8],
        [3, 2, 4],
      ]);
      const ref = toRef(randomWeights(LAYERS, 30), LAYERS, ACTS);
      const run = trainRef(
        ref,
        'mse',
        X,
        T,
        ROWS,
        new Optimizer({ optimizer: 'momentum', momentum: 0.5 }),
        3,
        8,
        () => 0.3,
      );
      const expected = run.batchLosses.flat();
      seen.forEach((s, i) => expect(rel(s.loss, expected[i]!), `batch ${i}`).toBeLessThanOrEqual(LOSS_TOL));
      // the loss is taken BEFORE the update: after it, the batch's loss would be lower
      expect(rel(seen[0]!.loss, lossOf(randomWeights(LAYERS, 30), X, T, 0, 8))).toBeLessThanOrEqual(LOSS_TOL);
      net.dispose();
    });

    it('the report and onEpoch name the loss loss and validationLoss, onBatch the batch batchIndex; the deprecated names say the same', async () => {
      const net = await network(engine);
      const epochs: Parameters<NonNullable<TrainOptions['onEpoch']>>[0][] = [];
      const batches: Parameters<NonNullable<TrainOptions['onBatch']>>[0][] = [];
      const report = net.train(
        X,
        T,
        classicTrain({
          epochs: 2,
          batchSize: 8,
          learningRate: 0.2,
          validationSplit: 0.25,
          onEpoch: (info) => {
            epochs.push(info);
            // the losses of the weights after this epoch, in float64
            expect(rel(info.loss, lossOf(net.getWeights(), X, T, 0, 15))).toBeLessThanOrEqual(LOSS_TOL);
            expect(rel(info.validationLoss!, lossOf(net.getWeights(), X, T, 15, 20))).toBeLessThanOrEqual(LOSS_TOL);
          },
          onBatch: (info) => {
            batches.push(info);
          },
        }),
      );
      expect(epochs).toHaveLength(2);
      for (const info of epochs) expect([info.error, info.validationError]).toEqual([info.loss, info.validationLoss]);
      expect(batches.map((b) => b.batchIndex)).toEqual([0, 1, 0, 1]);
      for (const b of batches) expect(b.batch).toBe(b.batchIndex);
      expect(report.loss).toBe(net.evaluate(X.subarray(0, 45), T.subarray(0, 30)).loss);
      expect(report.validationLoss).toBe(net.evaluate(X.subarray(45), T.subarray(30)).loss);
      expect([report.error, report.validationError]).toEqual([report.loss, report.validationLoss]);
      net.dispose();
    });

    it("timeLimitMs stops a run that would otherwise take forever, with stoppedBy 'timeLimit'", async () => {
      for (const method of ['train', 'trainAsync'] as const) {
        const net = await network(engine);
        const report = await net[method](X, T, { epochs: 1e9, batchSize: 2, timeLimitMs: 30 });
        expect(report.stoppedBy, method).toBe('timeLimit');
        expect(report.epochs).toBeLessThan(1e9);
        expect(net.epochs).toBe(report.epochs);
        expect(Number.isFinite(report.error)).toBe(true);
        net.dispose();
      }
    });
  });

  describe('AbortSignal', () => {
    it('aborting trainAsync rejects with an AbortError and leaves the network at its last completed batch', async () => {
      const net = await network(engine, 9);
      const controller = new AbortController();
      let batches = 0;
      const timer = setTimeout(() => controller.abort(new Error('enough')), 40);
      const err = await rejected(() =>
        net.trainAsync(
          X,
          T,
          classicTrain({
            epochs: 1e9,
            batchSize: 3,
            learningRate: 0.05,
            optimizer: 'adam',
            signal: controller.signal,
            onBatch: () => {
              batches++;
            },
          }),
        ),
      );
      clearTimeout(timer);
      expect((err as Error).name).toBe('AbortError');
      expect(batches).toBeGreaterThan(0);
      const epochs = net.epochs;
      expect(epochs).toBe(Math.floor(batches / 7)); // 20 rows in batches of 3: 7 per epoch

      // the same seed trained synchronously for exactly that many batches (shuffles included)
      const twin = await network(engine, 9);
      let count = 0;
      twin.train(
        X,
        T,
        classicTrain({
          epochs: 1e9,
          batchSize: 3,
          learningRate: 0.05,
          optimizer: 'adam',
          onBatch: () => ++count < batches,
        }),
      );
      expect(count).toBe(batches);
      expect(sameWeights(net.getWeights(), twin.getWeights())).toBe(true);
      expect(twin.epochs).toBe(epochs);
      // the network is usable afterwards
      expect(net.train(X, T, classicTrain({ epochs: 1 })).epochs).toBe(1);
      net.dispose();
      twin.dispose();
    });

    it('an abort after the last batch of an epoch counts that epoch, as a callback stop does (the schedule continues from it)', async () => {
      // 20 rows in batches of 3: batch 6 is the last of each epoch
      const opts: TrainOptions = {
        epochs: 10,
        batchSize: 3,
        learningRate: 0.05,
        schedule: { type: 'exponential', factor: 0.5 },
      };
      const net = await network(engine, 9),
        twin = await network(engine, 9);
      const controller = new AbortController();
      const err = await rejected(() =>
        net.trainAsync(
          X,
          T,
          classicTrain({
            ...opts,
            signal: controller.signal,
            onBatch: ({ epoch, batch }) => {
              if (epoch === 2 && batch === 6) controller.abort();
            },
          }),
        ),
      );
      expect((err as Error).name).toBe('AbortError');
      twin.train(X, T, classicTrain({ ...opts, onBatch: ({ epoch, batch }) => !(epoch === 2 && batch === 6) }));
      expect(sameWeights(net.getWeights(), twin.getWeights())).toBe(true);
      expect(twin.epochs).toBe(2);
      expect(net.epochs).toBe(2);
      // so the next call's first epoch is the 3rd, at rate 0.05·0.5²
      const next: number[][] = [];
      net.train(
        X,
        T,
        classicTrain({
          ...opts,
          epochs: 1,
          onEpoch: ({ epoch, learningRate }) => {
            next.push([epoch, learningRate]);
          },
        }),
      );
      expect(next).toEqual([[3, 0.05 * 0.25]]);
      net.dispose();
      twin.dispose();
    });

    it('a signal aborted inside onBatch stops train() after that batch with an AbortError', async () => {
      const net = await network(engine);
      const controller = new AbortController();
      let err: unknown;
      try {
        net.train(
          X,
          T,
          classicTrain({
            epochs: 5,
            batchSize: 5,
            shuffle: false,
            learningRate: 0.3,
            signal: controller.signal,
            onBatch: ({ batch }) => {
              if (batch === 2) controller.abort();
            },
          }),
        );
      } catch (e) {
        err = e;
      }
      expect((err as Error).name).toBe('AbortError');
      const ref = toRef(randomWeights(LAYERS, 30), LAYERS, ACTS);
      trainRef(
        ref,
        'mse',
        X.subarray(0, 45),
        T.subarray(0, 30),
        15,
        new Optimizer({ optimizer: 'sgd' }),
        1,
        5,
        () => 0.3,
      );
      expect(weightDiff(net.getWeights(), ref)).toBeLessThanOrEqual(TOL * Math.max(1, weightScale(ref)));
      expect(net.epochs).toBe(0);
      net.dispose();
    });
  });
});
