// Bad input to the command line: each case exits with code 2, prints one line naming the file,
// the line and the column, and leaves no output file (not even a partial or temporary one).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, cliTempDir, writeFile } from './helpers/cli-runner.js';
import { blobsCsv } from './helpers/tables.js';

const dir = cliTempDir();
let model = '',
  good = '';
beforeAll(async () => {
  good = writeFile(dir, 'good.csv', blobsCsv(30, 1));
  model = join(dir, 'model.json');
  const r = await cli(['train', good, '--target', 'colour', '--epochs', '2', '--out', model, '--quiet']);
  expect(r.code).toBe(0);
});

/** Runs a command that must fail on `file` at line:column; checks code, one line, and no output left. */
async function rejects(args: string[], file: string, line: number, column: number, message: RegExp): Promise<void> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.file`);
  const writes = args[0] === 'train' || args[0] === 'predict';
  const r = await cli(writes ? [...args, '--out', out] : args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^simdnet: /);
  expect(r.stderr.startsWith(`simdnet: ${file}:${line}:${column}: `), r.stderr).toBe(true);
  expect(r.stderr).toMatch(message);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
}

describe('bad data files', () => {
  it('a missing file', async () => {
    const file = join(dir, 'nope.csv');
    await rejects(['train', file, '--target', 'colour'], file, 1, 1, /no such file/);
  });

  it('an empty file, and a header without rows', async () => {
    const empty = writeFile(dir, 'empty.csv', '');
    await rejects(['train', empty, '--target', 'colour'], empty, 1, 1, /the file is empty/);
    const header = writeFile(dir, 'header.csv', 'a,b,colour\n');
    await rejects(['train', header, '--target', 'colour'], header, 2, 1, /no data rows/);
  });

  it('a ragged row names its line and the first missing or extra field', async () => {
    const short = writeFile(dir, 'short.csv', 'a,b,c,colour\n1,2,3,red\n4,5,6,blue\n7,8,green\n');
    await rejects(['train', short, '--target', 'colour'], short, 4, 4, /3 fields, the header has 4/);
    const long = writeFile(dir, 'long.csv', 'a,b,c,colour\n1,2,3,red\n4,5,6,blue,9\n');
    await rejects(['predict', model, long], long, 3, 5, /5 fields, the header has 4/);
  });

  it('a non-numeric or empty feature names its row and column', async () => {
    const bad = writeFile(dir, 'text.csv', 'a,b,c,colour\n1,2,3,red\n\n4,five,6,blue\n');
    await rejects(['train', bad, '--target', 'colour'], bad, 4, 2, /feature "b" is not a number: "five"/);
    const hole = writeFile(dir, 'hole.csv', 'a,b,c,colour\n1,2,3,red\n4,5,,blue\n');
    await rejects(
      ['evaluate', model, hole],
      hole,
      3,
      3,
      /feature "c" is missing \(an empty cell\); use --missing drop to leave such rows out, or --missing mean/,
    );
  });

  it('a ragged row after a quoted field with line breaks names the line the row starts on', async () => {
    const f = writeFile(dir, 'multiline.csv', 'a,b,c,colour\r\n1,2,3,"dark\r\nred"\r\n4,5,6,blue\r\n7,8,9\r\n');
    await rejects(['train', f, '--target', 'colour'], f, 5, 4, /this row has 3 fields, the header has 4/);
  });

  it('a tab-separated file read as comma-separated says which delimiter to use', async () => {
    const f = writeFile(dir, 'tabs.txt', 'a\tb\tcolour\n1\t2\tred\n');
    await rejects(
      ['train', f, '--target', 'colour'],
      f,
      1,
      1,
      /the header is one column with tabs in it: for a tab-separated file use --delimiter tab \(or name the file \.tsv\)/,
    );
    const r = await cli(['train', f, '--target', 'colour', '--delimiter', '"']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`simdnet: --delimiter must be a character such as ';' or 'tab', got "\\""\n`);
  });

  it('an unknown target column points at the header', async () => {
    await rejects(
      ['train', good, '--target', 'species'],
      good,
      1,
      1,
      /no target column "species"; the columns are "a", "b", "c", "colour"/,
    );
  });

  it('an unclosed quote', async () => {
    const q = writeFile(dir, 'quote.csv', 'a,b,c,colour\n1,2,3,"red\n4,5,6,blue\n');
    const r = await cli(['train', q, '--target', 'colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^simdnet: ${q.replace(/[.]/g, '\\.')}:\\d+:\\d+: not valid CSV: Quote Not Closed.*\\n$`),
    );
  });

  it('a JSON table with a syntax error, or a text value in a feature', async () => {
    const broken = writeFile(
      dir,
      'broken.json',
      '[\n  {"a": 1, "b": 2, "c": 3, "colour": "red"},\n  {"a": 4, "b": 5 "c": 6, "colour": "blue"}\n]\n',
    );
    await rejects(
      ['train', broken, '--target', 'colour'],
      broken,
      3,
      19,
      /not valid JSON: expected ',' or '}', found "\\""/,
    );
    const text = writeFile(
      dir,
      'text.json',
      '[\n  {"a": 1, "b": 2, "c": 3, "colour": "red"},\n  {"a": 4, "b": 5, "c": "x", "colour": "blue"}\n]\n',
    );
    await rejects(['train', text, '--target', 'colour'], text, 3, 20, /feature "c" is not a number: "x"/);
  });

  it('a class the model never saw', async () => {
    const odd = writeFile(dir, 'odd.csv', 'a,b,c,colour\n1,2,3,red\n4,5,6,purple\n');
    await rejects(['evaluate', model, odd], odd, 3, 4, /unknown class "purple"/);
  });
});

describe('bad model files', () => {
  const saved = (): Record<string, unknown> => JSON.parse(readFileSync(model, 'utf8'));

  it('a model of another version names the version field', async () => {
    const m = saved();
    m.version = 4;
    const file = writeFile(dir, 'v4.json', JSON.stringify(m, null, 2));
    const line =
      JSON.stringify(m, null, 2)
        .split('\n')
        .findIndex((l) => l.includes('"version"')) + 1;
    await rejects(['predict', file, good], file, line, 3, /model\.version must be 1, 2 or 3/);
  });

  it('a truncated model file', async () => {
    const text = readFileSync(model, 'utf8');
    const file = writeFile(dir, 'cut.json', text.slice(0, 500));
    await rejects(['evaluate', file, good], file, 1, 501, /not valid JSON: .*found the end of the file/);
  });

  it('weights of the wrong shape, and a file that is not a model', async () => {
    const m = saved();
    (m.weights as number[][])[0]!.pop();
    const file = writeFile(dir, 'shape.json', JSON.stringify(m));
    const r = await cli(['predict', file, good]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^simdnet: ${file.replace(/[.]/g, '\\.')}:1:\\d+: corrupted or incompatible model: model\\.weights\\[0\\]`,
      ),
    );
    await rejects(['predict', good, good], good, 1, 1, /not a model file simdnet reads/);
    const other = writeFile(dir, 'other.json', '{"hello": "world"}');
    await rejects(['predict', other, good], other, 1, 1, /not a simdnet model/);
  });

  it('a model whose saved columns are missing from the data', async () => {
    const wrong = writeFile(dir, 'wrong.csv', 'x,y,z\n1,2,3\n');
    await rejects(['predict', model, wrong], wrong, 1, 1, /no feature column "a"/);
  });
});
