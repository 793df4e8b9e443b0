// Missing values (--missing): the cells that spreadsheets, R and pandas write for "no value", and
// which rows of a table a policy keeps: `error` stops at the first missing cell, `drop` leaves its
// row out, `mean` keeps the row for columns.ts to fill (a missing target cannot be filled).
import { InputError } from './errors.js';
import { counted } from './report.js';
import type { Table } from './table.js';

export const MISSING_POLICIES = ['error', 'drop', 'mean'] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];

/** An empty cell (or a null in JSON), NA, N/A, NaN, nan, null, NULL, ?. */
const MARKERS = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']);

export const isMissing = (cell: string): boolean => MARKERS.has(cell);

/** A missing cell as a message shows it. */
const shownMissing = (cell: string): string => (cell === '' ? 'an empty cell' : JSON.stringify(cell));

export interface Column {
  index: number;
  name: string;
  role: 'feature' | 'target';
}

/**
 * The rows (indices into table.rows) that a policy keeps, given the columns read; or the InputError
 * of the first missing cell the policy does not accept, saying how to choose another policy.
 */
export function keptRows(table: Table, columns: Column[], policy: MissingPolicy): Int32Array {
  const kept: number[] = [];
  let first: { row: number; column: Column } | null = null;
  for (let r = 0; r < table.rows.length; r++) {
    const row = table.rows[r]!;
    let keep = true;
    for (const column of columns) {
      if (!isMissing(row[column.index]!)) continue;
      if (policy === 'drop') {
        first ??= { row: r, column };
        keep = false;
        break;
      }
      if (column.role === 'target' || policy === 'error') throw missingError(table, r, column, policy);
    }
    if (keep) kept.push(r);
  }
  if (kept.length === 0 && first) {
    const p = table.at(first.row, first.column.index);
    throw new InputError(
      table.file,
      p.line,
      p.column,
      `--missing drop leaves no rows: every row has a missing value, the first here in ${what(first.column)} (${shownMissing(table.rows[first.row]![first.column.index]!)})`,
    );
  }
  return Int32Array.from(kept);
}

const what = (column: Column): string =>
  column.role === 'target' ? `the target "${column.name}"` : `feature "${column.name}"`;

function missingError(table: Table, row: number, column: Column, policy: MissingPolicy): InputError {
  const p = table.at(row, column.index);
  const choices =
    column.role === 'target'
      ? 'use --missing drop to leave such rows out'
      : "use --missing drop to leave such rows out, or --missing mean to fill in the column's training mean";
  const cell = shownMissing(table.rows[row]![column.index]!);
  return new InputError(
    table.file,
    p.line,
    p.column,
    `${what(column)} is missing (${cell})${policy === 'error' ? '' : ` and --missing ${policy} cannot fill a target`}; ${choices}`,
  );
}

/** What a policy did, as lines for a summary; `left` says what became of a dropped row. */
export function missingNotes(dropped: number, filled: number, left = 'left out'): string[] {
  const notes: string[] = [];
  if (dropped > 0) notes.push(`missing values: ${counted(dropped, 'row')} ${left} (--missing drop)`);
  if (filled > 0)
    notes.push(`missing values: ${counted(filled, 'cell')} filled with their column's training mean (--missing mean)`);
  return notes;
}
