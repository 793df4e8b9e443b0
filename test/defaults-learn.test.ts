// The library's promise to a new user: NN.create({ layers: [n, 32, k] }) and net.train(x, labels)
// with nothing else (relu, Glorot-uniform weights, Adam at 0.001, batch 32, weight decay 0.003, up
// to 200 epochs with the plateau stop, z-scored inputs, standardized regression targets, the output
// and loss from the targets) reach scikit-learn's held-out accuracy within 2 points on iris, wine,
// breast cancer and digits, and a test RMSE within 5% of scikit-learn's on diabetes, on raw targets.
//
// Five fixed seeds. Each must reach the target or fall short of it by at most one test row, and
// their median must reach it. Why not every seed: one row of iris's 38 or wine's 45 test rows is
// more than 2 points, so the target there allows one error (iris) or none (wine), and which seeds
// land one row short moves with anything that moves a rounding (the class order, a kernel's
// summation order); bench/RESULTS.md has 25 seeds. A change that breaks the defaults costs far
// more than a row.
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { readSet, sklearnFigures } from './helpers/reference-data.js';

const SEEDS = [1, 2, 3, 4, 5];
const median = (v: number[]): number => v.slice().sort((a, b) => a - b)[v.length >> 1]!;

describe.each(['iris', 'wine', 'breast-cancer', 'digits'])('%s with the defaults and class labels', (name) => {
  it("reaches scikit-learn's accuracy (max_iter 200) within 2 points on the held-out quarter", async () => {
    const train = readSet(name, 'train'),
      test = readSet(name, 'test');
    const k = new Set(train.y).size;
    const target = sklearnFigures(name).accuracy_max_iter_200! - 0.02;
    const oneRow = 1 / test.y.length;
    const accuracies: number[] = [];
    for (const seed of SEEDS) {
      const net = await NN.create({ layers: [train.x[0]!.length, 32, k], seed });
      net.train(train.x, train.y);
      const { accuracy } = net.evaluate(test.x, test.y);
      expect(accuracy, `seed ${seed}`).toBeGreaterThanOrEqual(target - oneRow - 1e-9);
      // what the defaults chose from the labels
      expect(net.toJSON().loss).toBe('cross-entropy');
      expect(net.classes).toHaveLength(k);
      accuracies.push(accuracy!);
      net.dispose();
    }
    expect(median(accuracies), accuracies.join(' ')).toBeGreaterThanOrEqual(target - 1e-9);
  });
});

describe('diabetes with the defaults, on raw targets', () => {
  it("reaches a test RMSE within 5% of scikit-learn's (max_iter 500), predictions in the targets' units", async () => {
    const train = readSet('diabetes', 'train'),
      test = readSet('diabetes', 'test');
    const limit = sklearnFigures('diabetes').rmse_max_iter_500! * 1.05;
    const y = train.y as number[],
      yTest = test.y as number[];
    for (const seed of SEEDS) {
      const net = await NN.create({ layers: [train.x[0]!.length, 32, 1], seed });
      net.train(train.x, y);
      const metrics = net.evaluate(test.x, yTest);
      // the RMSE recomputed here in float64 from predict, which answers in the targets' units
      const predicted = net.predict(test.x).map((row) => row[0]!);
      const rmse = Math.sqrt(predicted.reduce((s, p, i) => s + (p - yTest[i]!) ** 2, 0) / predicted.length);
      expect(metrics.rmse, `seed ${seed}`).toBeCloseTo(rmse, 3);
      expect(rmse, `seed ${seed}`).toBeLessThanOrEqual(limit);
      expect(net.toJSON().loss).toBe('mse');
      net.dispose();
    }
  });
});
