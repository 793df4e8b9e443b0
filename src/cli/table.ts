// A data file as a table of text cells with a header, read from CSV (csv-parse) or JSON (an array
// of objects, one per row), remembering where each cell is so an error can name its line and column.
import { parse } from 'csv-parse/sync';
import { extname } from 'node:path';
import { InputError, jsonSyntaxError, position } from './errors.js';
import { readText } from './files.js';

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
  /** CSV field delimiter; default ',' (tab for .tsv) */
  delimiter?: string;
}

export function readTable(file: string, options: ReadOptions = {}): Table {
  const text = readText(file);
  const ext = extname(file).toLowerCase();
  if (ext === '.json' || (ext !== '.csv' && ext !== '.tsv' && /^\s*[[{]/.test(text.replace(/^\uFEFF/, '')))) {
    return jsonTable(file, text);
  }
  return csvTable(file, text, options.delimiter ?? (ext === '.tsv' ? '\t' : ','));
}

interface CsvRecord { record: string[]; info: { lines: number } }

function csvTable(file: string, text: string, delimiter: string): Table {
  let records: CsvRecord[];
  try {
    records = parse(text, { bom: true, delimiter, skip_empty_lines: true, trim: true, info: true }) as unknown as CsvRecord[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; record?: string[]; index?: number; message?: string };
    const line = typeof e.lines === 'number' ? e.lines : 1;
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && Array.isArray(e.record)) {
      const expected = (/expect (\d+)/.exec(e.message ?? '') ?? [])[1];
      const got = e.record.length;
      const n = Number(expected);
      const column = Number.isFinite(n) ? Math.min(got, n) + 1 : got;
      throw new InputError(file, line, column, `this row has ${got} fields, the header has ${expected ?? 'a different number'}`);
    }
    throw new InputError(file, line, typeof e.index === 'number' ? e.index + 1 : 1, `not valid CSV: ${(e.message ?? String(err)).replace(/\s+/g, ' ')}`);
  }
  if (records.length === 0) throw new InputError(file, 1, 1, 'the file is empty');
  const header = records[0]!.record;
  header.forEach((name, c) => {
    if (name === '') throw new InputError(file, records[0]!.info.lines, c + 1, 'empty column name in the header');
    const first = header.indexOf(name);
    if (first !== c) throw new InputError(file, records[0]!.info.lines, c + 1, `column "${name}" appears twice in the header`);
  });
  if (records.length === 1) throw new InputError(file, records[0]!.info.lines + 1, 1, 'no data rows after the header');
  const rows = records.slice(1).map((r) => r.record);
  const lines = records.slice(1).map((r) => r.info.lines);
  return {
    file, columns: header, rows,
    at: (row, column) => ({ line: lines[row]!, column: column + 1 }),
    headerAt: (column) => ({ line: records[0]!.info.lines, column: column + 1 }),
  };
}

function jsonTable(file: string, text: string): Table {
  let data: unknown;
  try { data = JSON.parse(text.replace(/^\uFEFF/, '')); } catch { throw jsonSyntaxError(file, text); }
  const where = (offset: number): { line: number; column: number } => position(text, offset);
  if (!Array.isArray(data)) throw new InputError(file, 1, 1, 'expected an array of objects, one per row, e.g. [{"x": 1, "y": "a"}]');
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
  const rows: string[][] = data.map((row: Record<string, unknown>) => columns.map((key) => {
    const v = row[key];
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  }));
  const keyOffset = (row: number, key: string): number => {
    const start = starts[row] ?? 0, end = starts[row + 1] ?? text.length;
    const at = text.slice(start, end).indexOf(JSON.stringify(key));
    return at < 0 ? start : start + at;
  };
  return {
    file, columns, rows,
    at: (row, column) => where(keyOffset(row, columns[column]!)),
    headerAt: (column) => where(keyOffset(0, columns[column]!)),
  };
}

/** Offsets where each element of the top-level array starts (the text is valid JSON). */
function elementOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0, inString = false, expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\uFEFF') continue;
    if (depth === 1 && expectValue) { out.push(i); expectValue = false; }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') { depth++; if (depth === 1) expectValue = true; }
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectValue = true;
  }
  return out;
}
