// A data file as a table of text cells with a header, read from CSV or TSV (csv.ts) or JSON (an
// array of objects, one per row), remembering where each cell is so an error can name its line and column.
import { extname } from 'node:path';
import { delimiterFlag, readCsv } from './csv.js';
import { decimalCommaCell } from './cells.js';
import { InputError, jsonSyntaxError, position, UsageError } from './errors.js';
import { readText, shownName } from './files.js';

export interface Table {
  file: string;
  columns: string[];
  /** rows[r][c] as text ('' for a missing JSON value) */
  rows: string[][];
  /** where row r, column c is: CSV gives the row's line and the field number; JSON the value's line and column */
  at(row: number, column: number): { line: number; column: number };
  /** where the header names column c */
  headerAt(column: number): { line: number; column: number };
}

export interface ReadOptions {
  /** the --delimiter flag; default ',' (tab for .tsv) */
  delimiter?: string | undefined;
  /** --header: the first row names the columns; --no-header: it is data; neither: refused when mostly numbers */
  header?: boolean | undefined;
  /** the --decimal flag: ',' reads "1,5" as 1.5 */
  decimal?: string | undefined;
}

/** The --decimal flag: the character between a number's whole and fractional parts. */
export function decimalFlag(value: string | undefined): '.' | ',' {
  if (value === undefined || value === '.') return '.';
  if (value === ',') return ',';
  throw new UsageError(`--decimal must be . or , (the decimal mark of the numbers), got ${JSON.stringify(value)}`);
}

/** A table from a file, or from standard input for `-` (JSON when it starts with [ or {, else CSV). */
export function readTable(path: string, options: ReadOptions = {}): Table {
  const text = readText(path);
  const file = shownName(path);
  const ext = extname(path).toLowerCase();
  const decimal = decimalFlag(options.decimal);
  if (ext === '.json' || (ext !== '.csv' && ext !== '.tsv' && /^\s*[[{]/.test(text.replace(/^\uFEFF/, '')))) {
    return jsonTable(file, text);
  }
  const given = options.delimiter !== undefined;
  const delimiter = given ? delimiterFlag(options.delimiter!) : ext === '.tsv' ? '\t' : ',';
  if (decimal === ',' && delimiter === ',')
    throw new UsageError("--decimal , needs another field delimiter, such as --delimiter ';'");
  const { columns, rows, lines } = readCsv(file, text, delimiter, given, options.header);
  if (decimal === ',')
    for (const row of rows)
      row.forEach((cell, c) => {
        if (decimalCommaCell(cell)) row[c] = cell.replace(',', '.');
      });
  return {
    file,
    columns,
    rows,
    at: (row, column) => ({ line: lines[row + 1]!, column: column + 1 }),
    headerAt: (column) => ({ line: lines[0]!, column: column + 1 }),
  };
}

function jsonTable(file: string, text: string): Table {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw jsonSyntaxError(file, text);
  }
  const where = (offset: number): { line: number; column: number } => position(text, offset);
  if (!Array.isArray(data))
    throw new InputError(file, 1, 1, 'expected an array of objects, one per row, e.g. [{"x": 1, "y": "a"}]');
  if (data.length === 0) throw new InputError(file, 1, 1, 'the array has no rows');
  const starts = elementOffsets(text);
  const columns: string[] = [];
  for (let r = 0; r < data.length; r++) {
    const row = data[r] as unknown;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      const p = where(starts[r] ?? 0);
      throw new InputError(file, p.line, p.column, `row ${r + 1} is not an object`);
    }
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  const rows: string[][] = data.map((row: Record<string, unknown>) =>
    columns.map((key) => {
      const v = row[key];
      if (v === undefined || v === null) return '';
      return typeof v === 'string'
        ? v.trim()
        : typeof v === 'number' || typeof v === 'boolean'
          ? String(v)
          : JSON.stringify(v);
    }),
  );
  const keyOffset = (row: number, key: string): number => {
    const start = starts[row] ?? 0,
      end = starts[row + 1] ?? text.length;
    const at = text.slice(start, end).indexOf(JSON.stringify(key));
    return at < 0 ? start : start + at;
  };
  return {
    file,
    columns,
    rows,
    at: (row, column) => where(keyOffset(row, columns[column]!)),
    headerAt: (column) => where(keyOffset(0, columns[column]!)),
  };
}

/** Offsets where each element of the top-level array starts (the text is valid JSON). */
function elementOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0,
    inString = false,
    expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\uFEFF') continue;
    if (depth === 1 && expectValue) {
      out.push(i);
      expectValue = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectValue = true;
  }
  return out;
}
