// Text feature columns are one-hot encoded, their categories saved in the model; at predict and
// evaluate an unseen category is an error naming line, column and value, or all zeros with
// --unknown-category zero. The reference is the same data one-hot encoded by the test itself into
// numeric columns: the CLI must train exactly that model (same seed: the same weights, bit for bit)
// and predict exactly its outputs. On a small fixture and on iris (the species as a feature).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from './helpers/random-data.js';
import { cli, expectSameNetwork, cliTempDir, trainModel, writeFile, type Trained } from './helpers/cli-runner.js';
import { csvText, irisCells } from './helpers/tables.js';

const dir = cliTempDir();

/** The table with column c replaced by one 0/1 column per category (sorted), where c was. */
function oneHot(
  header: string[],
  rows: string[][],
  c: number,
): { header: string[]; rows: string[][]; categories: string[] } {
  const categories = [...new Set(rows.map((row) => row[c]!))].sort();
  const expand = (row: string[], cells: string[]): string[] => [...row.slice(0, c), ...cells, ...row.slice(c + 1)];
  return {
    header: expand(
      header,
      categories.map((k) => `${header[c]}_${k}`),
    ),
    rows: rows.map((row) =>
      expand(
        row,
        categories.map((k) => (row[c] === k ? '1' : '0')),
      ),
    ),
    categories,
  };
}

/** Trains on the table as it is and on its twin with column c one-hot encoded by the test. */
async function trainBoth(
  name: string,
  header: string[],
  rows: string[][],
  c: number,
  flags: string[],
): Promise<{ file: string; encoded: Trained; manual: Trained }> {
  const file = writeFile(dir, `${name}.csv`, csvText(header, rows));
  const m = oneHot(header, rows, c);
  const [encoded, manual] = await Promise.all([
    trainModel(dir, file, flags),
    trainModel(dir, writeFile(dir, `${name}-manual.csv`, csvText(m.header, m.rows)), flags),
  ]);
  return { file, encoded, manual };
}

/** Runs a command that must fail on file:line:column with the message, leaving no --out file. */
async function rejects(args: string[], file: string, line: number, column: number, message: string): Promise<void> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.csv`);
  const r = await cli([...args, '--out', out]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`simdnet: ${file}:${line}:${column}: ${message}\n`);
  expect(existsSync(out)).toBe(false);
}

describe('a small table with a text feature', () => {
  const rnd = rng(17);
  const shift: Record<string, number> = { red: 0, green: 5, blue: 10 };
  const header = ['size', 'colour', 'price'];
  const rows = Array.from({ length: 60 }, (_, i) => {
    const size = rnd() * 10,
      colour = Object.keys(shift)[i % 3]!;
    return [size.toFixed(3), colour, (2 * size + shift[colour]! + rnd()).toFixed(3)];
  });
  const flags = ['--target', 'price', '--epochs', '20', '--seed', '4'];
  let file = '',
    encoded: Trained,
    manual: Trained;
  beforeAll(async () => {
    ({ file, encoded, manual } = await trainBoth('colours', header, rows, 1, flags));
  });

  it('is one-hot encoded in sorted category order: the model of the hand-encoded table', () => {
    expectSameNetwork(encoded, manual);
    expect(encoded.model.schema).toMatchObject({
      features: ['size', 'colour'],
      categories: [null, ['blue', 'green', 'red']],
    });
    expect(encoded.result).toMatchObject({
      features: ['size', 'colour'],
      inputs: ['size', 'colour=blue', 'colour=green', 'colour=red'],
      encoded: { colour: ['blue', 'green', 'red'] },
      layers: [4, 100, 1],
    });
    expect(encoded.model.schema.means).toEqual([rows.reduce((s, r) => s + Number(r[0]), 0) / 60, 1 / 3, 1 / 3, 1 / 3]);
  });

  it('the summary after train lists the encoded columns', async () => {
    const r = await cli(['train', file, ...flags, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n4-100-1 regression of "price" from 2 feature columns: /);
    expect(r.stdout).toContain('\none-hot encoded: colour (3: blue, green, red)\n');
  });

  it('predict and evaluate encode the same way; an unseen category is an error, or zeros with --unknown-category zero', async () => {
    const query = writeFile(dir, 'colour-query.csv', 'size,colour\n2,green\n3,purple\n');
    const manualQuery = writeFile(
      dir,
      'colour-query-manual.csv',
      'size,colour_blue,colour_green,colour_red\n2,0,1,0\n3,0,0,0\n',
    );
    await rejects(
      ['predict', encoded.path, query],
      query,
      3,
      2,
      'feature "colour" has a category the model was not trained on: "purple" (it knows "blue", "green", "red"); --unknown-category zero encodes such a value as none of them',
    );
    const zero = await cli(['predict', encoded.path, query, '--unknown-category', 'zero']);
    expect(zero.code, zero.stderr).toBe(0);
    expect(zero.stdout).toBe((await cli(['predict', manual.path, manualQuery])).stdout);

    const labelled = writeFile(dir, 'colour-test.csv', 'size,colour,price\n2,green,9\n3,purple,6\n');
    const e = await cli(['evaluate', encoded.path, labelled]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(
      new RegExp(
        `^simdnet: ${labelled.replace(/[.]/g, '\\.')}:3:2: feature "colour" has a category the model was not trained on: "purple"`,
      ),
    );
    const ez = JSON.parse(
      (await cli(['evaluate', encoded.path, labelled, '--unknown-category', 'zero', '--json'])).stdout,
    );
    expect(ez.rows).toBe(2);
  });

  it("a missing text cell under --missing mean becomes the categories' training frequencies", async () => {
    const holes = rows.map((row, i) => (i === 5 ? [row[0]!, 'NA', row[2]!] : row));
    const filled = await trainModel(dir, writeFile(dir, 'colour-holes.csv', csvText(header, holes)), [
      ...flags,
      '--missing',
      'mean',
    ]);
    const counted = oneHot(
      header,
      holes.filter((_, i) => i !== 5),
      1,
    );
    const freq = counted.categories.map((k) => holes.filter((row) => row[1] === k).length / 59);
    expect(filled.model.schema.means).toEqual([expect.any(Number), ...freq]);
    const m = oneHot(header, rows, 1);
    m.rows[5] = [rows[5]![0]!, ...freq.map(String), rows[5]![2]!];
    expectSameNetwork(
      filled,
      await trainModel(dir, writeFile(dir, 'colour-holes-manual.csv', csvText(m.header, m.rows)), flags),
    );
  });

  it('a text column of mostly distinct values is taken for an identifier: an error that says which features to use', async () => {
    const named = rows.map((row, i) => [`item ${i}`, ...row]);
    const f = writeFile(dir, 'named.csv', csvText(['name', ...header], named));
    const r = await cli(['train', f, '--target', 'price']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `simdnet: ${f}:1:1: feature "name" looks like an identifier, not a category (60 different texts in 60 rows); leave it out by naming the features: --features size,colour\n`,
    );
    const ok = await trainModel(dir, f, ['--target', 'price', '--features', 'size,colour', '--epochs', '2']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('iris with the species as a feature, predicting the petal width', () => {
  const { header, rows } = irisCells();
  // the species moves before the target so that the hand-encoded columns sit where it was
  const order = [0, 1, 2, 4, 3];
  const cols = order.map((c) => header[c]!),
    table = rows.map((row) => order.map((c) => row[c]!));
  const flags = ['--target', 'petal_width', '--epochs', '15', '--seed', '8'];
  let file = '',
    encoded: Trained,
    manual: Trained;
  beforeAll(async () => {
    ({ file, encoded, manual } = await trainBoth('iris-species', cols, table, 3, flags));
  });

  it('trains exactly the model of the hand-encoded table, and fits the petal width', () => {
    expectSameNetwork(encoded, manual);
    expect(encoded.result).toMatchObject({
      task: 'regression',
      encoded: { species: ['setosa', 'versicolor', 'virginica'] },
      layers: [6, 100, 1],
    });
    expect(encoded.result.trainingRmse).toBeLessThan(0.3); // the petal width spreads over 0.1–2.5 cm
  });

  it('predicts as the hand-encoded model; an unseen species is an error, or zeros with --unknown-category zero', async () => {
    const query = writeFile(
      dir,
      'iris-query.csv',
      csvText(cols.slice(0, 4), [table[0]!.slice(0, 4), [...table[100]!.slice(0, 3), 'iris-nova']]),
    );
    const manualQuery = writeFile(
      dir,
      'iris-query-manual.csv',
      csvText(
        [...cols.slice(0, 3), 'species_setosa', 'species_versicolor', 'species_virginica'],
        [
          [...table[0]!.slice(0, 3), '1', '0', '0'],
          [...table[100]!.slice(0, 3), '0', '0', '0'],
        ],
      ),
    );
    await rejects(
      ['predict', encoded.path, query],
      query,
      3,
      4,
      'feature "species" has a category the model was not trained on: "iris-nova" (it knows "setosa", "versicolor", "virginica"); --unknown-category zero encodes such a value as none of them',
    );
    const zero = await cli(['predict', encoded.path, query, '--unknown-category', 'zero']);
    expect(zero.code, zero.stderr).toBe(0);
    const expected = await cli(['predict', manual.path, manualQuery]);
    expect(expected.code, expected.stderr).toBe(0);
    expect(zero.stdout).toBe(expected.stdout);
  });

  it('the summary lists the species as encoded', async () => {
    const r = await cli(['train', file, ...flags, '--epochs', '1', '--quiet']);
    expect(r.stdout).toContain('one-hot encoded: species (3: setosa, versicolor, virginica)');
  });
});
