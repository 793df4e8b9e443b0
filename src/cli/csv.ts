// CSV and TSV text as spreadsheets and scripts write it, read with csv-parse: a UTF-8 byte-order
// mark, CRLF, LF or a mix of them, quoted fields holding delimiters or line breaks, blank lines and
// rows of empty cells (a spreadsheet's trailing ",,,") skipped. Every row knows the line it starts on.
import { parse, type Options } from 'csv-parse/sync';
import { decimalCommaCell, numeric } from './cells.js';
import { InputError, UsageError } from './errors.js';

/** The --delimiter flag: one or more characters; `tab` or a typed `\t` mean a tab. */
export function delimiterFlag(value: string): string {
  if (value === 'tab' || value === '\\t') return '\t';
  if (value === '' || /["\r\n]/.test(value))
    throw new UsageError(`--delimiter must be a character such as ';' or 'tab', got ${JSON.stringify(value)}`);
  return value;
}

const OPTIONS: Options = {
  bom: true,
  // every line ending at once: csv-parse's automatic choice keeps the first one it meets, so a
  // file of CRLF lines with LF lines appended would read as one enormous row
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: false,
  skip_empty_lines: true,
  trim: true,
};

/**
 * Offsets where lines start, for every line ending csv-parse accepts. Its own line count counts a
 * CRLF inside a quoted field twice, so rows are placed by their byte offsets instead.
 */
function lineStarts(bytes: Uint8Array): Int32Array {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 10 || (b === 13 && bytes[i + 1] !== 10)) starts.push(i + 1);
  }
  return Int32Array.from(starts);
}

/** 1-based line of a byte offset. */
function lineAt(starts: Int32Array, offset: number): number {
  let lo = 0,
    hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export interface CsvCells {
  columns: string[];
  rows: string[][];
  /** the line the header starts on, then the line each row starts on */
  lines: number[];
}

/**
 * The cells of a CSV text. With `header` true the first row names the columns; false reads it as
 * data, the columns named 1, 2, … (their field numbers, as the error messages count them);
 * undefined refuses a first row that is mostly numbers, with a hint, as data rather than names.
 */
export function readCsv(
  file: string,
  text: string,
  delimiter: string,
  delimiterGiven: boolean,
  header?: boolean,
): CsvCells {
  const bytes = Buffer.from(text);
  const starts = lineStarts(bytes);
  /** the line a row starts on: past the end of the row before it, over blank lines and spaces */
  const lineAfter = (end: number): number => {
    let i = end;
    while (i < bytes.length && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13)) i++;
    return lineAt(starts, i);
  };
  const records: string[][] = [],
    lines: number[] = [];
  let end = 0;
  try {
    parse(bytes, {
      ...OPTIONS,
      delimiter,
      // skip_records_with_empty_values would drop rows of empty cells unseen; here their bytes are counted
      on_record: (record: string[], context: { bytes: number }) => {
        const line = lineAfter(end);
        end = context.bytes;
        if (record.every((cell) => cell === '')) return null;
        records.push(record);
        lines.push(line);
        return null;
      },
    });
  } catch (err) {
    const e = err as { code?: string; record?: string[]; index?: number; message?: string };
    const line = lineAfter(end);
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && Array.isArray(e.record)) {
      const expected = records[0]?.length ?? 0,
        got = e.record.length;
      throw new InputError(
        file,
        line,
        Math.min(got, expected) + 1,
        `this row has ${got} fields, the header has ${expected}`,
      );
    }
    throw new InputError(
      file,
      line,
      typeof e.index === 'number' ? e.index + 1 : 1,
      `not valid CSV: ${(e.message ?? String(err)).replace(/\s+/g, ' ')}`,
    );
  }
  if (records.length === 0) throw new InputError(file, 1, 1, 'the file is empty');
  if (header === false) {
    const names = records[0]!.map((_, c) => String(c + 1));
    return { columns: names, rows: records, lines: [lines[0]!, ...lines] };
  }
  const first = records[0]!;
  const numbers = first.filter((cell) => numeric(cell) !== null || decimalCommaCell(cell)).length;
  if (header === undefined && numbers * 2 > first.length)
    throw new InputError(
      file,
      lines[0]!,
      1,
      `the first row looks like data, not column names (${numbers} of its ${first.length} fields are numbers): add --no-header if the file has no header row (the columns are then named 1, 2, …), or --header if it has one`,
    );
  return named(file, records, lines, delimiterGiven);
}

function named(file: string, records: string[][], lines: number[], delimiterGiven: boolean): CsvCells {
  const header = records[0]!;
  if (header.length === 1 && !delimiterGiven) {
    const other = [
      ['\t', 'tab', 'tab'],
      [';', 'semicolon', ';'],
    ].find(([ch]) => header[0]!.includes(ch!));
    if (other)
      throw new InputError(
        file,
        lines[0]!,
        1,
        `the header is one column with ${other[1]}s in it: for a ${other[1]}-separated file use --delimiter ${other[2]}${other[0] === '\t' ? ' (or name the file .tsv)' : ''}`,
      );
  }
  header.forEach((name, c) => {
    if (name === '') throw new InputError(file, lines[0]!, c + 1, 'empty column name in the header');
    if (header.indexOf(name) !== c)
      throw new InputError(file, lines[0]!, c + 1, `column "${name}" appears twice in the header`);
  });
  if (records.length === 1) throw new InputError(file, lines[0]! + 1, 1, 'no data rows after the header');
  return { columns: header, rows: records.slice(1), lines };
}
