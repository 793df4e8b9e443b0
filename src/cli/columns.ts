// Feature columns as network inputs. A numeric column is one input; a text column (most of its
// values are not numbers) is one-hot encoded: one input per category seen in training, in sorted
// order. Each input's mean over the training rows is kept, so a missing cell can be filled in
// later (a text column's means are its categories' frequencies).
import { decimalCommaCell, numeric } from './cells.js';
import { InputError } from './errors.js';
import { isMissing } from './missing.js';
import { nameList } from './report.js';
import type { Table } from './table.js';

/** What the network's inputs are made of: the feature columns and, per column, its categories (null: numeric). */
export interface FeatureColumns {
  names: string[];
  indices: number[];
  categories: (string[] | null)[];
}

export const UNKNOWN_CATEGORY_POLICIES = ['error', 'zero'] as const;
export type UnknownCategoryPolicy = (typeof UNKNOWN_CATEGORY_POLICIES)[number];

/** A text column with this many distinct values (and more than half its values distinct) names things rather than sorting them. */
const IDENTIFIER_CATEGORIES = 10;

/** The network inputs' names: a numeric column's own, `column=category` for each one-hot input. */
export function inputNames(names: string[], categories: (string[] | null)[]): string[] {
  return names.flatMap((name, j) => categories[j]?.map((c) => `${name}=${c}`) ?? [name]);
}

/** Decides each feature column's kind and categories from the training rows, and every input's mean. */
export function fitColumns(
  table: Table,
  names: string[],
  indices: number[],
  rows: Int32Array,
): { categories: (string[] | null)[]; means: number[] } {
  const identifiers: string[] = [];
  const fitted = indices.map((c, j) => {
    const values: string[] = [];
    for (const r of rows) {
      const cell = table.rows[r]![c]!;
      if (!isMissing(cell)) values.push(cell);
    }
    if (values.length === 0) {
      const p = table.headerAt(c);
      throw new InputError(table.file, p.line, p.column, `feature "${names[j]}" has no values: every cell is missing`);
    }
    const numbers = values.map(numeric);
    const texts = numbers.filter((n) => n === null).length;
    if (2 * texts <= values.length) {
      // numeric; a text cell among numbers is an error that encodeColumns reports where it is
      return { categories: null, means: [numbers.reduce<number>((s, n) => s + (n ?? 0), 0) / (values.length - texts)] };
    }
    if (values.filter(decimalCommaCell).length * 2 > values.length) {
      const p = table.headerAt(c);
      const example = values.find(decimalCommaCell)!;
      throw new InputError(
        table.file,
        p.line,
        p.column,
        `feature "${names[j]}" holds numbers written with decimal commas (${JSON.stringify(example)}); read them with --decimal ,`,
      );
    }
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const categories = [...counts.keys()].sort();
    if (categories.length > IDENTIFIER_CATEGORIES && 2 * categories.length > values.length) identifiers.push(names[j]!);
    return { categories, means: categories.map((k) => counts.get(k)! / values.length) };
  });
  if (identifiers.length > 0) {
    const j = names.indexOf(identifiers[0]!),
      p = table.headerAt(indices[j]!);
    const rest = names.filter((n) => !identifiers.includes(n));
    const n = fitted[j]!.categories!.length;
    throw new InputError(
      table.file,
      p.line,
      p.column,
      `feature "${names[j]}" looks like an identifier, not a category (${n} different texts in ${rows.length} rows); ` +
        (rest.length > 0
          ? `leave it out by naming the features: --features ${rest.join(',')}`
          : 'choose other feature columns with --features'),
    );
  }
  return { categories: fitted.map((f) => f.categories), means: fitted.flatMap((f) => f.means) };
}

/**
 * The network inputs of the given rows: numbers as they are, one-hot categories, and a missing cell
 * as its inputs' training means (the rows were chosen by the --missing policy already).
 */
export function encodeColumns(
  table: Table,
  columns: FeatureColumns,
  means: number[] | undefined,
  rows: Int32Array,
  unknown: UnknownCategoryPolicy,
): { x: Float32Array; filled: number } {
  const width = columns.categories.reduce((n, k) => n + (k ? k.length : 1), 0);
  const lookup = columns.categories.map((k) => (k ? new Map(k.map((name, i) => [name, i])) : null));
  const x = new Float32Array(rows.length * width);
  let filled = 0;
  rows.forEach((r, i) => {
    const row = table.rows[r]!;
    let at = i * width,
      input = 0;
    columns.indices.forEach((c, j) => {
      const cell = row[c]!,
        categories = columns.categories[j],
        size = categories ? categories.length : 1;
      if (isMissing(cell)) {
        // keptRows let it through, so the policy is mean and the model has means
        for (let k = 0; k < size; k++) x[at + k] = means![input + k]!;
        filled++;
      } else if (!categories) {
        const v = numeric(cell);
        if (v === null) {
          const p = table.at(r, c);
          throw new InputError(
            table.file,
            p.line,
            p.column,
            `feature "${columns.names[j]}" is not a number: ${JSON.stringify(cell)}`,
          );
        }
        x[at] = v;
      } else {
        const k = lookup[j]!.get(cell);
        if (k !== undefined) x[at + k] = 1;
        else if (unknown === 'error') {
          const p = table.at(r, c);
          throw new InputError(
            table.file,
            p.line,
            p.column,
            `feature "${columns.names[j]}" has a category the model was not trained on: ${JSON.stringify(cell)} (it knows ${nameList(categories, (n) => JSON.stringify(n))}); --unknown-category zero encodes such a value as none of them`,
          );
        }
      }
      at += size;
      input += size;
    });
  });
  return { x, filled };
}
