// evaluate's figures against a recomputation in float64 from predict's output and the true values:
// per-class precision, recall, F1 and the confusion matrix; RMSE, MAE and R². A model without a
// column schema is read by its output layer; predict --id passes a column through.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { cli, cliTempDir, writeFile } from './helpers/cli-runner.js';
import { rng } from './helpers/random-data.js';

const dir = cliTempDir();

/** Rows of the CSV text after its header, split into cells. */
const cells = (text: string): string[][] =>
  text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));

describe('evaluate', () => {
  it("a classifier's per-class precision, recall, F1 and confusion matrix match predict's classes", async () => {
    // three overlapping classes, so that every figure is somewhere between 0 and 1
    const r = rng(31);
    const table = (n: number): string =>
      `id,a,b,kind\n${Array.from({ length: n }, (_, i) => {
        const k = i % 3;
        return `row${i},${(k + r() * 2.2).toFixed(3)},${(r() * 2).toFixed(3)},${['x', 'y', 'z'][k]}`;
      }).join('\n')}\n`;
    const train = writeFile(dir, 'kinds.csv', table(150)),
      test = writeFile(dir, 'kinds-test.csv', table(90));
    const model = join(dir, 'kinds.json');
    expect((await cli(['train', train, '--target', 'kind', '--features', 'a,b', '--out', model, '--quiet'])).code).toBe(
      0,
    );
    const e = JSON.parse((await cli(['evaluate', model, test, '--json'])).stdout);
    const p = await cli(['predict', model, test, '--id', 'id']);
    expect(p.stdout.split('\n')[0]).toBe('id,kind,p(x),p(y),p(z)');
    const predicted = cells(p.stdout);
    const truth = cells(readFileSync(test, 'utf8'));
    expect(predicted.map((row) => row[0])).toEqual(truth.map((row) => row[0]));
    const classes = ['x', 'y', 'z'];
    const confusion = classes.map((a) =>
      classes.map((b) => truth.filter((row, i) => row[3] === a && predicted[i]![1] === b).length),
    );
    expect(e.confusionMatrix).toEqual(confusion);
    expect(e.accuracy).toBe(classes.reduce((s, _, c) => s + confusion[c]![c]!, 0) / 90);
    classes.forEach((name, c) => {
      const tp = confusion[c]![c]!;
      const precision = tp / confusion.reduce((s, row) => s + row[c]!, 0);
      const recall = tp / confusion[c]!.reduce((s, n) => s + n, 0);
      const f1 = (2 * precision * recall) / (precision + recall);
      expect(e.perClass[c]).toMatchObject({ class: name, support: 30 });
      expect(e.perClass[c].precision).toBeCloseTo(precision, 12);
      expect(e.perClass[c].recall).toBeCloseTo(recall, 12);
      expect(e.perClass[c].f1).toBeCloseTo(f1, 12);
    });
    expect(e.accuracy).toBeGreaterThan(0.5);
    expect(e.accuracy).toBeLessThan(1);
    const text = (await cli(['evaluate', model, test])).stdout.split('\n');
    expect(text[0]).toMatch(/^accuracy \d+\.\d\d% \(\d+ of 90 rows\), loss /);
    expect(text[1]).toMatch(/^class\s+precision\s+recall\s+F1\s+rows$/);
    expect(text).toContain('actual \\ predicted      x      y      z');
  });

  it("a regression's RMSE, MAE and R² match predict's values", async () => {
    const r = rng(32);
    const table = (n: number): string =>
      `a,b,y\n${Array.from({ length: n }, () => {
        const a = r() * 4,
          b = r() * 4;
        return `${a.toFixed(3)},${b.toFixed(3)},${(50 + 10 * a - 5 * b + (r() - 0.5) * 8).toFixed(2)}`;
      }).join('\n')}\n`;
    const train = writeFile(dir, 'y.csv', table(200)),
      test = writeFile(dir, 'y-test.csv', table(60));
    const model = join(dir, 'y.json');
    expect((await cli(['train', train, '--target', 'y', '--out', model, '--quiet'])).code).toBe(0);
    const e = JSON.parse((await cli(['evaluate', model, test, '--json'])).stdout);
    const predicted = cells((await cli(['predict', model, test])).stdout).map((row) => Number(row[0]));
    const truth = cells(readFileSync(test, 'utf8')).map((row) => Number(row[2]));
    const mean = truth.reduce((s, v) => s + v, 0) / 60;
    const se = truth.reduce((s, v, i) => s + (predicted[i]! - v) ** 2, 0);
    // predict prints 7 significant digits; evaluate works from the full outputs
    expect(e.rmse).toBeCloseTo(Math.sqrt(se / 60), 3);
    expect(e.mae).toBeCloseTo(truth.reduce((s, v, i) => s + Math.abs(predicted[i]! - v), 0) / 60, 3);
    expect(e.r2).toBeCloseTo(1 - se / truth.reduce((s, v) => s + (v - mean) ** 2, 0), 4);
    expect(e.r2).toBeGreaterThan(0.8);
    expect((await cli(['evaluate', model, test])).stdout).toMatch(
      /^RMSE \d+\.\d+, MAE \d+\.\d+, R² 0\.\d{3} over 60 rows/,
    );
  });

  it('a model without a schema: one sigmoid output with binary cross-entropy is a two-class classifier', async () => {
    const net = await NN.create({ layers: [2, 6, 1], activation: 'tanh', loss: 'binary-cross-entropy', seed: 2 });
    const r = rng(33);
    const rows = Array.from({ length: 80 }, () => [r() * 2 - 1, r() * 2 - 1]);
    const labels = rows.map(([a, b]) => (a! * b! > 0 ? 1 : 0));
    net.train(
      rows,
      labels.map((k) => [k]),
      { epochs: 200, batchSize: 8, optimizer: 'adam', learningRate: 0.02 },
    );
    const model = join(dir, 'sigmoid.json');
    writeFileSync(model, JSON.stringify(net.toJSON()));
    const outputs = net.predict(rows).map((y) => (y[0]! >= 0.5 ? 1 : 0));
    net.dispose();
    const data = writeFile(
      dir,
      'xor.csv',
      `a,b,k\n${rows.map((row, i) => `${row.join(',')},${labels[i]}`).join('\n')}\n`,
    );
    const missing = await cli(['evaluate', model, data]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `simdnet: ${model} (simdnet JSON) carries no column schema, so it does not know which column holds the true values: name it with --target COLUMN\n`,
    );
    const e = await cli(['evaluate', model, data, '--target', 'k', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const result = JSON.parse(e.stdout);
    expect(result).toMatchObject({ task: 'classification', classes: ['0', '1'] });
    expect(result.accuracy).toBe(outputs.filter((k, i) => k === labels[i]).length / 80);
    const p = await cli(['predict', model, data, '--features', 'a,b']);
    expect(p.code, p.stderr).toBe(0);
    const predicted = cells(p.stdout);
    expect(p.stdout.split('\n')[0]).toBe('class,p(0),p(1)');
    expect(predicted.map((row) => Number(row[0]))).toEqual(outputs);
    for (const row of predicted) expect(Number(row[1]) + Number(row[2])).toBeCloseTo(1, 6);
  });

  it('a library model trained on named rows and labels: its columns are read by name, its classes answer', async () => {
    const r = rng(34);
    const rows = Array.from({ length: 90 }, () => ({ width: r() * 4, height: r() * 4 }));
    const labels = rows.map(({ width, height }) => (width > height ? 'wide' : 'tall'));
    const net = await NN.create({ layers: [2, 8, 1], seed: 5 });
    net.train(rows, labels, { epochs: 60 });
    const classes = [...new Set(labels)]; // in order of first appearance
    expect(net.classes).toEqual(classes);
    const model = join(dir, 'named.json');
    writeFileSync(model, JSON.stringify(net.toJSON()));
    const classified = net.classify(rows);
    net.dispose();
    // the columns in another order, with one more: without the names the inputs would be read wrong
    const data = writeFile(
      dir,
      'shapes.csv',
      `shape,note,height,width\n${rows.map((row, i) => `${labels[i]},x,${row.height},${row.width}`).join('\n')}\n`,
    );
    const p = await cli(['predict', model, data]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.split('\n')[0]).toBe(`class,${classes.map((c) => `p(${c})`).join(',')}`);
    expect(cells(p.stdout).map((row) => row[0])).toEqual(classified);
    const e = await cli(['evaluate', model, data, '--target', 'shape', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ classes });
    expect(JSON.parse(e.stdout).accuracy).toBe(classified.filter((c, i) => c === labels[i]).length / 90);
  });
});
