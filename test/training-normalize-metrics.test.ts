// Normalisers and classification metrics. 'minmax' maps each training column to [0, 1] and
// 'zscore' to mean 0 and (population) standard deviation 1, a constant column to 0; the statistics
// are fitted on the first training rows only (not the validation split, not later calls), saved
// in toJSON and toBinary, and applied by predict — checked through an identity network, whose
// outputs are the normalised inputs. accuracy and confusionMatrix against hand counts (argmax,
// ties to the lowest index; a single output is class 1 when ≥ 0.5), and against a float64
// forward pass for a trained network and for onEpoch's accuracy. Both engines.
import { describe, expect, it } from 'vitest';
import { NN, accuracy, confusionMatrix } from '../src/index.js';
import { classTask, randomWeights, rng } from './helpers/random-data.js';
import { forwardRef, toRef, type ActivationRef } from './helpers/float64-network.js';
import { sameWeights } from './helpers/bits.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

const COLS = 4;

/** 50 rows: columns on scales 1000, 1e-3 and −5…5, and a constant column. */
function rawData(rows: number, seed: number): Float32Array {
  const random = rng(seed),
    x = new Float32Array(rows * COLS);
  for (let r = 0; r < rows; r++) {
    x[r * COLS] = 1000 * random() + 500;
    x[r * COLS + 1] = 1e-3 * random();
    x[r * COLS + 2] = 10 * random() - 5;
    x[r * COLS + 3] = 7.25;
  }
  return x;
}
const column = (x: ArrayLike<number>, c: number, cols = COLS): number[] =>
  Array.from({ length: x.length / cols }, (_, r) => x[r * cols + c]!);
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]): number => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

/** A linear COLS→COLS network whose weights are then set to the identity: predict returns the normalised input. */
async function identity(
  engine: 'js' | 'wasm',
  normalize: 'minmax' | 'zscore',
  x: Float32Array,
  validationSplit?: number,
): Promise<NN> {
  const net = await NN.create(
    classic({ layers: [COLS, COLS], activation: 'linear', loss: 'mse', normalize, engine, seed: 1 }),
  );
  net.train(
    x,
    new Float32Array(x.length),
    classicTrain({ epochs: 1, ...(validationSplit ? { validationSplit } : {}) }),
  );
  const eye = new Float32Array(COLS * COLS);
  for (let i = 0; i < COLS; i++) eye[i * COLS + i] = 1;
  net.setWeights({ weights: [eye], biases: [new Float32Array(COLS)] });
  return net;
}

/*
 * Tolerance: the normalised value is computed in float64 and rounded to float32 (2^-24 relative),
 * then passes the identity layer exactly (x·1 + 0·others). Statistics of 50 such values: 1e-6.
 */
const TOL = 1e-6;

describe.each(ENGINES)('normalisers on %s', (engine) => {
  const x = rawData(50, 1);

  it("'minmax': the saved statistics are each column's min and 1/(max − min); predict maps training columns onto [0, 1]", async () => {
    const net = await identity(engine, 'minmax', x);
    const saved = net.toJSON().normalizer!;
    expect(saved.kind).toBe('minmax');
    for (let c = 0; c < COLS; c++) {
      const v = column(x, c),
        lo = Math.min(...v),
        hi = Math.max(...v);
      expect(saved.offset[c]).toBe(lo);
      if (hi > lo) expect(Math.abs(saved.scale[c]! * (hi - lo) - 1)).toBeLessThanOrEqual(1e-15);
      else expect(saved.scale[c]).toBe(0);
    }
    const y = net.predict(x);
    for (let c = 0; c < 3; c++) {
      const v = column(y, c);
      expect(Math.abs(Math.min(...v))).toBeLessThanOrEqual(TOL);
      expect(Math.abs(Math.max(...v) - 1)).toBeLessThanOrEqual(TOL);
      // and each value is its affine image: (x − min)/(max − min)
      const raw = column(x, c),
        lo = Math.min(...raw),
        hi = Math.max(...raw);
      v.forEach((yv, r) => expect(Math.abs(yv - (raw[r]! - lo) / (hi - lo))).toBeLessThanOrEqual(TOL));
    }
    expect(column(y, 3).every((v) => v === 0)).toBe(true); // the constant column maps to 0
    net.dispose();
  });

  it("'zscore': mean and population standard deviation saved; predict maps training columns to mean 0, std 1", async () => {
    const net = await identity(engine, 'zscore', x);
    const saved = net.toJSON().normalizer!;
    expect(saved.kind).toBe('zscore');
    for (let c = 0; c < 3; c++) {
      const v = column(x, c);
      expect(Math.abs(saved.offset[c]! - mean(v))).toBeLessThanOrEqual(1e-12 * Math.abs(mean(v)));
      expect(Math.abs(saved.scale[c]! * std(v) - 1)).toBeLessThanOrEqual(1e-12);
    }
    expect(saved.scale[3]).toBe(0);
    const y = net.predict(x);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(mean(column(y, c)))).toBeLessThanOrEqual(TOL);
      expect(Math.abs(std(column(y, c)) - 1)).toBeLessThanOrEqual(TOL);
    }
    expect(column(y, 3).every((v) => v === 0)).toBe(true);
    net.dispose();
  });

  it('fitted on the training rows only: the validation split is excluded, and a second train() does not refit', async () => {
    const withOutlier = x.slice();
    withOutlier[49 * COLS] = 1e6; // in the last row: held out by validationSplit 0.2
    const net = await identity(engine, 'minmax', withOutlier, 0.2);
    const first40 = column(x, 0).slice(0, 40);
    expect(net.toJSON().normalizer!.offset[0]).toBe(Math.min(...first40));
    expect(
      Math.abs(net.toJSON().normalizer!.scale[0]! * (Math.max(...first40) - Math.min(...first40)) - 1),
    ).toBeLessThanOrEqual(1e-15);
    const before = net.toJSON().normalizer;
    net.train(
      rawData(20, 2).map((v) => v * 3),
      new Float32Array(20 * COLS),
      classicTrain({ epochs: 1 }),
    );
    expect(net.toJSON().normalizer).toEqual(before);
    net.dispose();
  });

  it('saved with the model: toJSON → fromJSON and toBinary → fromBinary predict bit-identically from raw inputs', async () => {
    const net = await identity(engine, 'zscore', x);
    const probe = rawData(10, 3);
    const y = net.predict(probe);
    for (const copy of [
      await NN.fromJSON(JSON.stringify(net.toJSON()), { engine }),
      await NN.fromBinary(net.toBinary(), { engine }),
    ]) {
      expect(copy.toJSON().normalizer).toEqual(net.toJSON().normalizer);
      expect(Array.from(copy.predict(probe))).toEqual(Array.from(y));
      copy.dispose();
    }
    // a model without a normaliser saves null
    const plain = await NN.create(classic({ layers: [COLS, 2], engine }));
    expect(plain.toJSON().normalizer).toBeNull();
    net.dispose();
    plain.dispose();
  });
});

describe('accuracy and confusionMatrix by hand', () => {
  it('several outputs: argmax, a tie going to the lowest index', () => {
    const outputs = [
      [0.7, 0.2, 0.1],
      [0.1, 0.8, 0.1],
      [0.3, 0.3, 0.4],
      [0.5, 0.5, 0.0],
      [0.2, 0.1, 0.7],
      [0.1, 0.6, 0.3],
    ];
    const targets = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ];
    // predicted 0, 1, 2, 0, 2, 1 against actual 0, 1, 1, 1, 2, 0: rows 0, 1, 4 right
    expect(accuracy(outputs, targets, 3)).toBe(3 / 6);
    expect(confusionMatrix(outputs, targets, 3)).toEqual([
      [1, 1, 0],
      [1, 1, 1],
      [0, 0, 1],
    ]);
  });

  it('one output: class 1 when ≥ 0.5 (0.5 itself is class 1), for outputs and targets alike', () => {
    const outputs = [0.49, 0.5, 0.51, 0.2, 0.9],
      targets = [1, 0, 1, 0, 1];
    // predicted 0, 1, 1, 0, 1 against actual 1, 0, 1, 0, 1: rows 2, 3, 4 right
    expect(accuracy(outputs, targets, 1)).toBe(3 / 5);
    expect(confusionMatrix(outputs, targets, 1)).toEqual([
      [1, 1],
      [1, 2],
    ]);
  });
});

describe.each(ENGINES)(
  'a network’s accuracy, confusionMatrix and onEpoch accuracy on %s, against float64 argmax',
  (engine) => {
    const argmax = (y: ArrayLike<number>, r: number, cols: number): number => {
      if (cols === 1) return y[r]! >= 0.5 ? 1 : 0;
      let best = 0;
      for (let c = 1; c < cols; c++) if (y[r * cols + c]! > y[r * cols + best]!) best = c;
      return best;
    };
    function hand(
      w: ReturnType<NN['getWeights']>,
      layers: number[],
      acts: ActivationRef[],
      x: ArrayLike<number>,
      t: ArrayLike<number>,
    ) {
      const rows = x.length / layers[0]!,
        cols = layers[layers.length - 1]!;
      const y = forwardRef(toRef(w, layers, acts), x, rows)[layers.length - 1]!;
      const counts = Array.from({ length: Math.max(cols, 2) }, () => new Array<number>(Math.max(cols, 2)).fill(0));
      let hits = 0;
      for (let r = 0; r < rows; r++) {
        const p = argmax(y, r, cols),
          a = argmax(t, r, cols);
        // float32 and float64 outputs rank the classes alike only away from near-ties: make sure there are none
        if (cols === 1) expect(Math.abs(y[r]! - 0.5)).toBeGreaterThan(1e-5);
        else
          for (let c = 0; c < cols; c++) if (c !== p) expect(y[r * cols + p]! - y[r * cols + c]!).toBeGreaterThan(1e-5);
        counts[a]![p]!++;
        if (p === a) hits++;
      }
      return { accuracy: hits / rows, counts };
    }

    it('softmax over 4 classes: every epoch’s accuracy and validationAccuracy, then accuracy() and confusionMatrix()', async () => {
      const layers = [5, 9, 4],
        acts: ActivationRef[] = [{ name: 'tanh' }, { name: 'softmax' }];
      const { x, t } = classTask(120, 5, 4, 70);
      const net = await NN.create(classic({ layers, activation: 'tanh', loss: 'cross-entropy', engine, seed: 2 }));
      net.setWeights(randomWeights(layers, 71));
      const seen: { accuracy: number | null; validationAccuracy: number | null; w: ReturnType<NN['getWeights']> }[] =
        [];
      net.train(
        x,
        t,
        classicTrain({
          epochs: 4,
          batchSize: 10,
          optimizer: 'adam',
          learningRate: 0.02,
          validationSplit: 0.25,
          onEpoch: ({ accuracy: a, validationAccuracy: va }) => {
            seen.push({ accuracy: a, validationAccuracy: va, w: net.getWeights() });
          },
        }),
      );
      for (const s of seen) {
        expect(s.accuracy).toBe(hand(s.w, layers, acts, x.subarray(0, 90 * 5), t.subarray(0, 90 * 4)).accuracy);
        expect(s.validationAccuracy).toBe(hand(s.w, layers, acts, x.subarray(90 * 5), t.subarray(90 * 4)).accuracy);
      }
      const expected = hand(net.getWeights(), layers, acts, x, t);
      expect(expected.accuracy).toBeGreaterThan(0.25); // it learned something, so the counts are not all one column
      expect(net.accuracy(x, t)).toBe(expected.accuracy);
      expect(net.confusionMatrix(x, t)).toEqual(expected.counts);
      net.dispose();
    });

    it('one sigmoid output with binary cross-entropy: threshold 0.5; accuracy is null for a regression loss', async () => {
      const layers = [5, 6, 1],
        acts: ActivationRef[] = [{ name: 'relu' }, { name: 'sigmoid' }];
      const { x, t: t2 } = classTask(80, 5, 2, 72);
      const t = new Float32Array(80).map((_, r) => t2[r * 2 + 1]!);
      const net = await NN.create(
        classic({ layers, activation: 'relu', loss: 'binary-cross-entropy', engine, seed: 3 }),
      );
      net.setWeights(randomWeights(layers, 73));
      const report = net.train(x, t, classicTrain({ epochs: 3, batchSize: 8, learningRate: 0.1 }));
      const expected = hand(net.getWeights(), layers, acts, x, t);
      expect(report.accuracy).toBe(expected.accuracy);
      expect(net.accuracy(x, t)).toBe(expected.accuracy);
      expect(net.confusionMatrix(x, t)).toEqual(expected.counts);

      const mse = await NN.create(classic({ layers: [5, 1], loss: 'mse', engine, seed: 3 }));
      expect(mse.train(x, t, classicTrain({ epochs: 1 })).accuracy).toBeNull();
      net.dispose();
      mse.dispose();
    });

    it('accuracy() applies the model’s normaliser: a zscore network scores raw rows like its identity twin scores normalised ones', async () => {
      const { x, t } = classTask(60, 5, 3, 74);
      const scaled = x.map((v, i) => v * 100 * ((i % 5) + 1) + 3);
      const net = await NN.create(
        classic({
          layers: [5, 3],
          activation: 'softmax',
          loss: 'cross-entropy',
          normalize: 'zscore',
          engine,
          seed: 4,
        }),
      );
      net.train(scaled, t, classicTrain({ epochs: 5, batchSize: 6, optimizer: 'adam', learningRate: 0.05 }));
      const n = net.toJSON().normalizer!;
      const normalised = scaled.map((v, i) => (v - n.offset[i % 5]!) * n.scale[i % 5]!);
      const twin = await NN.create(
        classic({ layers: [5, 3], activation: 'softmax', loss: 'cross-entropy', engine, seed: 4 }),
      );
      twin.setWeights(net.getWeights());
      expect(net.accuracy(scaled, t)).toBe(twin.accuracy(normalised, t));
      expect(net.confusionMatrix(scaled, t)).toEqual(twin.confusionMatrix(normalised, t));
      expect(sameWeights(twin.getWeights(), net.getWeights())).toBe(true);
      net.dispose();
      twin.dispose();
    });
  },
);
