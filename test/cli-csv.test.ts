// CSV files as people have them: mixed line endings, a byte-order mark, quoted fields with commas
// and line breaks, blank lines, tab- or semicolon-separated. Each is read on a small fixture (the
// exact cells and the line each row starts on) and on the iris data set, where the messy file must
// train exactly the model that the clean file trains (same seed: the same weights, bit for bit).
import { beforeAll, describe, expect, it } from 'vitest';
import { readTable, type Table } from '../src/cli/table.js';
import { expectSameNetwork, cliTempDir, trainModel, writeFile, type Trained } from './helpers/cli-runner.js';
import { csvText, irisCells } from './helpers/tables.js';

const dir = cliTempDir();

/** The table read from text written to a file of this name. */
function read(name: string, text: string, delimiter?: string): Table {
  return readTable(writeFile(dir, name, text), { delimiter });
}
const lines = (table: Table): number[] => table.rows.map((_, r) => table.at(r, 0).line);

describe('small fixtures: the cells and the line every row starts on', () => {
  it('mixed line endings: CRLF lines, then LF lines, then CRLF (and a lone CR)', () => {
    const t = read('mixed.csv', 'a,b\r\n1,2\r\n3,4\n5,6\n7,8\r\n9,10\r11,12\n');
    expect(t.columns).toEqual(['a', 'b']);
    expect(t.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
      ['7', '8'],
      ['9', '10'],
      ['11', '12'],
    ]);
    expect(lines(t)).toEqual([2, 3, 4, 5, 6, 7]);
    const lf = read('lf-first.csv', 'a,b\n1,2\r\n3,4\r\n');
    expect(lf.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('a UTF-8 byte-order mark is not part of the first column name', () => {
    const t = read('bom.csv', '\uFEFFsize,colour\n1,red\n');
    expect(t.columns).toEqual(['size', 'colour']);
    expect(t.rows).toEqual([['1', 'red']]);
  });

  it('quoted fields holding delimiters, quotes and line breaks; rows after them keep their line numbers', () => {
    const t = read(
      'quoted.csv',
      'name,x\r\n"Smith, J.",1\r\n"two\r\nlines",2\r\n"say ""hi""",3\r\n"one\nand\ntwo",4\r\nlast,5\r\n',
    );
    expect(t.rows).toEqual([
      ['Smith, J.', '1'],
      ['two\r\nlines', '2'],
      ['say "hi"', '3'],
      ['one\nand\ntwo', '4'],
      ['last', '5'],
    ]);
    // csv-parse's own line count takes a CRLF inside quotes for two lines: here it would say 7, then 10
    expect(lines(t)).toEqual([2, 3, 5, 6, 9]);
  });

  it('blank lines, lines of spaces and rows of empty cells are skipped, at the end and between rows', () => {
    const t = read('blank.csv', 'a,b,c\n1,2,3\n\n4,5,6\n   \n,,\n\r\n\n,,\n \n');
    expect(t.rows).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    expect(lines(t)).toEqual([2, 4]);
  });

  it('tab-separated: a .tsv file, or --delimiter tab (also typed as \\t); other delimiters with --delimiter', () => {
    const text = 'a\tb\tnote\n1\t2\tx, y\n3\t\t"q\tr"\n';
    const expected = [
      ['1', '2', 'x, y'],
      ['3', '', 'q\tr'],
    ];
    expect(read('tabs.tsv', text).rows).toEqual(expected);
    expect(read('tabs.txt', text, 'tab').rows).toEqual(expected);
    expect(read('tabs2.txt', text, '\\t').rows).toEqual(expected);
    expect(read('semi.csv', 'a;b\n1,5;2\n', ';').rows).toEqual([['1,5', '2']]);
  });
});

describe('iris written as people have it trains exactly the model of the clean file', () => {
  const { header, rows } = irisCells();
  const flags = ['--target', 'species', '--epochs', '10', '--seed', '3'];
  let clean: Trained;
  beforeAll(async () => {
    clean = await trainModel(dir, writeFile(dir, 'iris.csv', csvText(header, rows)), flags);
    expect(clean.code, clean.stderr).toBe(0);
  });
  const same = async (file: string, extra: string[] = []): Promise<void> => {
    const messy = await trainModel(dir, file, [...flags, ...extra]);
    expectSameNetwork(messy, clean);
    expect(messy.result.rows).toBe(150);
    expect(messy.model.schema).toEqual(clean.model.schema);
  };

  it('CRLF lines (a Windows export) followed by LF lines (rows appended on Linux)', async () => {
    await same(writeFile(dir, 'iris-mixed.csv', csvText(header, rows, { eol: (i) => (i < 75 ? '\r\n' : '\n') })));
  });

  it('a byte-order mark and every cell quoted', async () => {
    await same(writeFile(dir, 'iris-bom.csv', csvText(header, rows, { bom: true, quote: true, eol: () => '\r\n' })));
  });

  it('a quoted note column holding commas and line breaks, left out with --features', async () => {
    const notes = rows.map((row, i) => [...row, `picked ${i}, by hand\r\nline two, "quoted"`]);
    const file = writeFile(
      dir,
      'iris-notes.csv',
      csvText([...header, 'note'], notes, { quote: true, eol: () => '\r\n' }),
    );
    await same(file, ['--features', header.slice(0, 4).join(',')]);
  });

  it('blank lines and rows of empty cells at the end (and one between rows)', async () => {
    const text =
      csvText(header, rows.slice(0, 70)) +
      '\n' +
      csvText(header, rows.slice(70)).split('\n').slice(1).join('\n') +
      '\n\n,,,,\n  \n,,,,\r\n';
    await same(writeFile(dir, 'iris-blank.csv', text));
  });

  it('tab-separated, as .tsv and with --delimiter tab', async () => {
    const text = csvText(header, rows, { delimiter: '\t' });
    await same(writeFile(dir, 'iris.tsv', text));
    await same(writeFile(dir, 'iris-tabs.txt', text), ['--delimiter', 'tab']);
  });
});
