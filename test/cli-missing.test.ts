// Missing values (an empty cell, NA, ?, …) and --missing error|drop|mean, on a small fixture and on
// the iris data set with blanked cells. The references are files the test writes itself: `drop`
// must train exactly the model of the file without those rows, `mean` exactly the model of the file
// with the column means typed in (same seed: the same weights, bit for bit).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, expectSameNetwork, cliTempDir, trainModel, writeFile } from './helpers/cli-runner.js';
import { csvText, irisCells } from './helpers/tables.js';

const dir = cliTempDir();

/** Mean of the cells of column c that hold numbers, in row order (as a float64 reference). */
function columnMean(rows: string[][], c: number): number {
  const values = rows
    .map((row) => row[c]!)
    .filter((cell) => cell !== '' && Number.isFinite(Number(cell)))
    .map(Number);
  return values.reduce((s, v) => s + v, 0) / values.length;
}

describe('a small table with missing cells', () => {
  const header = ['a', 'b', 'colour'];
  const rows = [
    ['1', '10', 'red'],
    ['2', 'NA', 'red'],
    ['3', '30', 'blue'],
    ['?', '40', 'blue'],
    ['5', '', 'green'],
    ['6', '60', 'green'],
    ['7', '70', 'red'],
    ['8', '80', 'blue'],
    ['9', '90', 'green'],
    ['4', 'N/A', 'red'],
  ];
  const holes = [1, 3, 4, 9]; // rows with a missing cell
  const flags = ['--target', 'colour', '--epochs', '5', '--seed', '9'];
  let file = '';
  beforeAll(() => {
    file = writeFile(dir, 'holes.csv', csvText(header, rows));
  });

  it('by default: exit 2 naming file, line, column and value, how to choose another policy, and no model file', async () => {
    const out = join(dir, 'never.json');
    const r = await cli(['train', file, ...flags, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `simdnet: ${file}:3:2: feature "b" is missing ("NA"); use --missing drop to leave such rows out, or --missing mean to fill in the column's training mean\n`,
    );
    expect(existsSync(out)).toBe(false);
    const empty = writeFile(dir, 'empty-cell.csv', csvText(header, [rows[0]!, rows[4]!]));
    expect((await cli(['train', empty, ...flags])).stderr).toMatch(
      new RegExp(`^simdnet: ${empty.replace(/[.]/g, '\\.')}:3:2: feature "b" is missing \\(an empty cell\\); `),
    );
  });

  it('--missing drop trains on the other rows: the model of the file without them', async () => {
    const dropped = await trainModel(dir, file, [...flags, '--missing', 'drop']);
    const without = await trainModel(
      dir,
      writeFile(
        dir,
        'no-holes.csv',
        csvText(
          header,
          rows.filter((_, r) => !holes.includes(r)),
        ),
      ),
      flags,
    );
    expectSameNetwork(dropped, without);
    expect(dropped.result).toMatchObject({ rows: 6, droppedRows: 4, filledCells: 0, missing: 'drop' });
  });

  it('--missing mean fills in the training means, saves them in the model, and predict and evaluate fill the same way', async () => {
    const means = [columnMean(rows, 0), columnMean(rows, 1)];
    expect(means).toEqual([45 / 9, 380 / 7]);
    const filled = await trainModel(dir, file, [...flags, '--missing', 'mean']);
    const typed = rows.map((row) =>
      row.map((cell, c) => (c < 2 && !(cell !== '' && Number.isFinite(Number(cell))) ? String(means[c]) : cell)),
    );
    const typedIn = await trainModel(dir, writeFile(dir, 'typed.csv', csvText(header, typed)), flags);
    expectSameNetwork(filled, typedIn);
    expect(filled.result).toMatchObject({ rows: 10, droppedRows: 0, filledCells: 4, missing: 'mean' });
    expect(filled.model.schema).toMatchObject({ missing: 'mean', means });

    // predict: the model's policy (mean) by default; the filled row predicts as the typed-in row
    const query = writeFile(dir, 'query.csv', 'a,b\n2,NA\n2,30\n');
    const typedQuery = writeFile(dir, 'query-typed.csv', `a,b\n2,${means[1]}\n2,30\n`);
    const p = await cli(['predict', filled.path, query]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toBe((await cli(['predict', filled.path, typedQuery])).stdout);
    expect(p.stderr).toBe("missing values: 1 cell filled with their column's training mean (--missing mean)\n");

    // --missing drop at predict time: one output line per input row, the dropped row's cells empty
    const d = await cli(['predict', filled.path, query, '--missing', 'drop']);
    const outLines = d.stdout.trim().split('\n');
    expect(outLines).toHaveLength(3);
    expect(outLines[1]).toBe(',,,');
    expect(outLines[2]).toBe(p.stdout.trim().split('\n')[2]);
    const j = JSON.parse((await cli(['predict', filled.path, query, '--missing', 'drop', '--json'])).stdout);
    expect(j[0]).toEqual({ colour: null, 'p(blue)': null, 'p(green)': null, 'p(red)': null });

    // evaluate fills the same way, or leaves the row out
    const e = JSON.parse((await cli(['evaluate', filled.path, file, '--json'])).stdout);
    expect(e).toMatchObject({ rows: 10, filledCells: 4, droppedRows: 0, missing: 'mean' });
    const e2 = JSON.parse((await cli(['evaluate', filled.path, file, '--json', '--missing', 'drop'])).stdout);
    expect(e2).toMatchObject({ rows: 6, filledCells: 0, droppedRows: 4, missing: 'drop' });
    expect(e2.confusionMatrix.flat().reduce((s: number, n: number) => s + n, 0)).toBe(6);
  });

  it('a missing target: an error under error and mean (a target cannot be filled), left out under drop', async () => {
    const t = writeFile(dir, 'no-target.csv', 'a,b,colour\n1,2,red\n3,4,?\n5,6,blue\n7,8,red\n');
    const err = await cli(['train', t, '--target', 'colour', '--missing', 'mean']);
    expect(err.code).toBe(2);
    expect(err.stderr).toBe(
      `simdnet: ${t}:3:3: the target "colour" is missing ("?") and --missing mean cannot fill a target; use --missing drop to leave such rows out\n`,
    );
    const dropped = await trainModel(dir, t, ['--target', 'colour', '--epochs', '2', '--missing', 'drop']);
    expect(dropped.result).toMatchObject({ rows: 3, droppedRows: 1, classes: ['blue', 'red'] });
    // predict ignores the target column, blanks and all, whatever the policy
    const p = await cli(['predict', dropped.path, t]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(5);
    expect(p.stderr).toBe('');
  });

  it('--missing drop on a table where every row misses a value', async () => {
    const t = writeFile(dir, 'all-holes.csv', 'a,b,colour\n1,,red\nNA,4,blue\n');
    const r = await cli(['train', t, '--target', 'colour', '--missing', 'drop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `simdnet: ${t}:2:2: --missing drop leaves no rows: every row has a missing value, the first here in feature "b" (an empty cell)\n`,
    );
  });

  it('a model without saved means (from the library, or an older simdnet) refuses --missing mean with a usage error', async () => {
    const m = await trainModel(dir, file, [...flags, '--missing', 'drop']);
    const saved = JSON.parse(readFileSync(m.path, 'utf8'));
    delete saved.schema.means;
    delete saved.schema.missing;
    const old = writeFile(dir, 'old-model.json', JSON.stringify(saved));
    const r = await cli(['predict', old, file, '--missing', 'mean']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `simdnet: --missing mean needs the training means of the columns, and ${old} has none saved (it was not written by simdnet train)\n`,
    );
    const ok = await cli(['predict', old, writeFile(dir, 'complete.csv', 'a,b\n1,2\n')]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('iris with blanked cells', () => {
  const { header, rows } = irisCells();
  const holes: [number, number, string][] = [
    [10, 1, ''],
    [40, 3, 'NA'],
    [90, 0, '?'],
    [120, 2, ''],
    [121, 2, 'NaN'],
  ];
  const blanked = rows.map((row) => [...row]);
  for (const [r, c, cell] of holes) blanked[r]![c] = cell;
  const flags = ['--target', 'species', '--epochs', '10', '--seed', '5'];
  let file = '';
  beforeAll(() => {
    file = writeFile(dir, 'iris-holes.csv', csvText(header, blanked));
  });

  it('stops at the first blank by default', async () => {
    const r = await cli(['train', file, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^simdnet: ${file.replace(/[.]/g, '\\.')}:12:2: feature "sepal_width" is missing \\(an empty cell\\); use --missing drop`,
      ),
    );
  });

  it('--missing drop: the model of iris without those rows', async () => {
    const dropped = await trainModel(dir, file, [...flags, '--missing', 'drop']);
    const kept = rows.filter((_, r) => !holes.some(([h]) => h === r));
    expectSameNetwork(dropped, await trainModel(dir, writeFile(dir, 'iris-kept.csv', csvText(header, kept)), flags));
    expect(dropped.result).toMatchObject({ rows: 145, droppedRows: 5 });
  });

  it('--missing mean: the model of iris with the column means typed in; the means are saved', async () => {
    const means = [0, 1, 2, 3].map((c) => columnMean(blanked, c));
    const filled = await trainModel(dir, file, [...flags, '--missing', 'mean']);
    const typed = blanked.map((row) => [...row]);
    for (const [r, c] of holes) typed[r]![c] = String(means[c]);
    expectSameNetwork(filled, await trainModel(dir, writeFile(dir, 'iris-typed.csv', csvText(header, typed)), flags));
    expect(filled.result).toMatchObject({ rows: 150, filledCells: 5 });
    (filled.model.schema.means as number[]).forEach((m, c) => expect(m).toBeCloseTo(means[c]!, 12));
  });
});
