// The command line end to end on small tables: train, evaluate and predict on CSV and JSON,
// classification and regression, --json, --help and the atomic model file.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng } from './helpers/random-data.js';
import { cli, cliTempDir, writeFile } from './helpers/cli-runner.js';
import { blobsCsv } from './helpers/tables.js';

const dir = cliTempDir();

describe('simdnet train / evaluate / predict on a CSV classification table', () => {
  it('trains, saves the model, evaluates and predicts class labels', async () => {
    const train = writeFile(dir, 'blobs.csv', blobsCsv(150, 1));
    const test = writeFile(dir, 'blobs-test.csv', blobsCsv(60, 2));
    const model = join(dir, 'blobs.model.json');
    const t = await cli(['train', train, '--target', 'colour', '--epochs', '30', '--out', model, '--json', '--quiet']);
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.stdout);
    expect(trained).toMatchObject({
      task: 'classification',
      target: 'colour',
      features: ['a', 'b', 'c'],
      rows: 150,
      epochs: 30,
      classes: ['blue', 'green', 'red'],
    });
    expect(trained.trainingAccuracy).toBeGreaterThan(0.95);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved).toMatchObject({ format: 'simdnet', version: 3, layers: [3, 100, 3], normalize: 'zscore' });
    // the names are the library model's metadata: the inputs', the class labels, and the column schema
    expect(saved.features).toEqual(['a', 'b', 'c']);
    expect(saved.classes).toEqual(['blue', 'green', 'red']);
    expect(saved.schema.target).toEqual({ column: 'colour', task: 'classification' });

    const e = await cli(['evaluate', model, test, '--json']);
    expect(e.code).toBe(0);
    const evaluated = JSON.parse(e.stdout);
    expect(evaluated.accuracy).toBeGreaterThan(0.95);
    expect(evaluated.confusionMatrix.flat().reduce((s: number, n: number) => s + n, 0)).toBe(60);

    const text = await cli(['evaluate', model, test]);
    expect(text.stdout).toMatch(/^accuracy \d+\.\d\d% \(\d+ of 60 rows\)/);
    expect(text.stdout).toContain('actual \\ predicted');

    const p = await cli(['predict', model, test]);
    expect(p.code).toBe(0);
    const lines = p.stdout.trim().split('\n');
    expect(lines[0]).toBe('colour,p(blue),p(green),p(red)');
    expect(lines).toHaveLength(61);
    const truth = readFileSync(test, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[3]);
    const hits = lines.slice(1).filter((l, i) => l.split(',')[0] === truth[i]).length;
    expect(hits / 60).toBeGreaterThan(0.95);
    for (const l of lines.slice(1)) {
      const probs = l.split(',').slice(1).map(Number);
      expect(probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
    }

    const out = join(dir, 'predictions.csv');
    const po = await cli(['predict', model, test, '--out', out]);
    expect(po.code).toBe(0);
    expect(po.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(p.stdout);
  });

  it('reads a JSON array of objects and holds out a validation fraction', async () => {
    const rows = blobsCsv(90, 3)
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => {
        const [a, b, c, colour] = l.split(',');
        return { a: Number(a), b: Number(b), c: Number(c), colour };
      });
    const file = writeFile(dir, 'blobs.json', JSON.stringify(rows, null, 2));
    const r = await cli([
      'train',
      file,
      '--target',
      'colour',
      '--epochs',
      '20',
      '--validation',
      '0.2',
      '--json',
      '--engine',
      'js',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ trainingRows: 90, validationRows: 18, refit: true, engine: 'js' });
    expect(result.validationAccuracy).toBeGreaterThan(0.9);
    expect(r.stderr).toMatch(/epoch 20\/20 .*held-out acc/);
  });
});

describe('simdnet on a regression table', () => {
  it('fits a numeric target with a linear output and reports RMSE in the target units', async () => {
    const rnd = rng(5);
    const line = (): string => {
      const a = rnd() * 10,
        b = rnd() * 10;
      return `${a.toFixed(3)},${b.toFixed(3)},${(100 + 3 * a - 2 * b + (rnd() - 0.5) * 0.2).toFixed(3)}`;
    };
    const csv = (n: number): string => `a,b,price\n${Array.from({ length: n }, line).join('\n')}\n`;
    const train = writeFile(dir, 'reg.csv', csv(200)),
      test = writeFile(dir, 'reg-test.csv', csv(50));
    const model = join(dir, 'reg.model.json');
    const t = await cli(['train', train, '--target', 'price', '--epochs', '200', '--out', model, '--quiet']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/regression of "price"/);
    const e = JSON.parse((await cli(['evaluate', model, test, '--json'])).stdout);
    expect(e.task).toBe('regression');
    expect(e.rmse).toBeLessThan(1); // the target's spread is about 10
    const p = (await cli(['predict', model, test])).stdout.trim().split('\n');
    expect(p[0]).toBe('price');
    const truth = readFileSync(test, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[2]));
    p.slice(1).forEach((v, i) => expect(Math.abs(Number(v) - truth[i]!)).toBeLessThan(3));
  });
});

describe('simdnet usage', () => {
  it.each(['train', 'evaluate', 'predict', 'mnist', 'article'])(
    '%s --help prints its usage and exits 0',
    async (command) => {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: simdnet ${command}`));
    },
  );

  it('--help lists the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['train', 'evaluate', 'predict', 'mnist', 'article']) expect(r.stdout).toContain(c);
  });

  it('a bad flag value exits 2 with one line naming the flag', async () => {
    const file = writeFile(dir, 'flags.csv', blobsCsv(30, 4));
    const r = await cli(['train', file, '--target', 'colour', '--epochs', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('simdnet: --epochs must be an integer from 1 to 10000000, got "many"\n');
    const a = await cli(['train', file, '--target', 'colour', '--activation', 'swish']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^simdnet: activation\.name must be one of .*got "swish"\n$/);
  });

  it('article prints the error curve', async () => {
    const r = await cli(['article', '--epochs', '50', '--every', '25', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.curve.map((c: { epoch: number }) => c.epoch)).toEqual([1, 25, 50]);
  });
});
