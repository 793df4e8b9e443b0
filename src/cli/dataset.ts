// Turns a table into network inputs and targets: numeric feature columns as they are, text ones
// one-hot (columns.ts), missing cells as --missing says (missing.ts); a categorical target becomes
// one-hot classes (one 0/1 column for a model with one sigmoid output), a numeric one its values
// (the library standardises them inside the model). The schema (feature columns, their categories
// and means, the policy, the target and its classes) is saved in the model's metadata.
import { numeric } from './cells.js';
import { encodeColumns, fitColumns, UNKNOWN_CATEGORY_POLICIES, type UnknownCategoryPolicy } from './columns.js';
import { InputError, UsageError } from './errors.js';
import { choiceFlag } from './flags.js';
import { keptRows, MISSING_POLICIES, type Column, type MissingPolicy } from './missing.js';
import { categoriesOf, type Schema, type Task } from './schema.js';
import type { Table } from './table.js';
import { decimalCommaTarget, detectTask } from './target.js';

/** How to read cells the model cannot take as they are. */
export interface ReadPolicy {
  missing: MissingPolicy;
  unknownCategory: UnknownCategoryPolicy;
}

export interface Encoded {
  rows: number;
  x: Float32Array;
  /** one-hot classes (or one 0/1 column), or the target's values; null when the table has no target column */
  t: Float32Array | null;
  /** the target's class index per row (classification), or its value (regression) */
  labels: Float64Array | null;
  /** the table row of each encoded row (rows left out by --missing drop are absent) */
  source: Int32Array;
  /** rows left out by --missing drop */
  dropped: number;
  /** missing feature cells filled with their training means */
  filled: number;
}

/** The --missing and --unknown-category flags of predict and evaluate: the model's own policy by default. */
export function readPolicy(
  schema: Schema | null,
  model: string,
  flags: { missing?: string | undefined; unknownCategory?: string | undefined },
): ReadPolicy {
  const missing =
    flags.missing === undefined
      ? (schema?.missing ?? 'error')
      : choiceFlag('--missing', flags.missing, MISSING_POLICIES);
  if (missing === 'mean' && !schema?.means)
    throw new UsageError(
      `--missing mean needs the training means of the columns, and ${model} has none saved (it was not written by simdnet train)`,
    );
  return {
    missing,
    unknownCategory: choiceFlag('--unknown-category', flags.unknownCategory ?? 'error', UNKNOWN_CATEGORY_POLICIES),
  };
}

function columnIndex(table: Table, name: string, what: string): number {
  const c = table.columns.indexOf(name);
  if (c < 0) {
    const p = table.headerAt(0);
    throw new InputError(
      table.file,
      p.line,
      p.column,
      `no ${what} column "${name}"; the columns are ${table.columns.map((n) => `"${n}"`).join(', ')}`,
    );
  }
  return c;
}

/**
 * Chooses features, their encoding and the target's from training data; `note` says how the target
 * was read when that was a guess (integers taken for classes).
 */
export function fitSchema(
  table: Table,
  target: string,
  options: { task?: Task | 'auto'; features?: string[]; missing?: MissingPolicy } = {},
): { schema: Schema; note: string | null } {
  const t = columnIndex(table, target, 'target');
  const features = options.features ?? table.columns.filter((name) => name !== target);
  if (features.length === 0)
    throw new UsageError(`${table.file} has no feature columns besides the target "${target}"`);
  for (const name of features) {
    columnIndex(table, name, 'feature');
    if (name === target) throw new UsageError(`--features must not include the target column "${target}"`);
  }
  const missing = options.missing ?? 'error';
  const fx = features.map((name) => table.columns.indexOf(name));
  const rows = keptRows(table, readColumns(features, fx, { index: t, name: target, role: 'target' }), missing);
  const cells = Array.from(rows, (r) => table.rows[r]![t]!);
  let task = options.task ?? 'auto',
    note: string | null = null;
  if (task === 'auto') ({ task, note } = detectTask(target, cells));
  if (task === 'classification' && decimalCommaTarget(cells)) {
    const p = table.headerAt(t);
    throw new InputError(
      table.file,
      p.line,
      p.column,
      `the target "${target}" holds numbers written with decimal commas (${JSON.stringify(cells.find((c) => c.includes(',')))}); read them with --decimal ,`,
    );
  }
  const { categories, means } = fitColumns(table, features, fx, rows);
  const columns = { features, ...(categories.some((k) => k !== null) ? { categories } : {}), means, missing };
  if (task === 'classification') {
    const classes = [...new Set(cells)];
    const allNumbers = classes.every((c) => numeric(c) !== null);
    classes.sort(allNumbers ? (a, b) => Number(a) - Number(b) : undefined);
    const p = table.at(rows[0]!, t);
    if (classes.length < 2)
      throw new InputError(
        table.file,
        p.line,
        p.column,
        `the target "${target}" has only one class (${JSON.stringify(classes[0])}); classification needs at least 2`,
      );
    return { schema: { ...columns, target: { column: target, task, classes } }, note };
  }
  cells.forEach((cell, i) => {
    if (numeric(cell) === null) {
      const p = table.at(rows[i]!, t);
      throw new InputError(
        table.file,
        p.line,
        p.column,
        `the target "${target}" is not a number: ${JSON.stringify(cell)} (use --task classification for class labels)`,
      );
    }
  });
  return { schema: { ...columns, target: { column: target, task } }, note };
}

/** The columns a read looks at for missing cells: the features, and the target when it is read. */
function readColumns(features: string[], indices: number[], target: Column | null): Column[] {
  const columns: Column[] = features.map((name, j) => ({ index: indices[j]!, name, role: 'feature' }));
  return target ? [...columns, target] : columns;
}

/**
 * Encodes a table with a schema for a network of `outputs` outputs, and its target column when
 * `withTarget` (predict leaves the target alone: a column of blanks waiting for predictions is no error).
 */
export function encode(
  table: Table,
  schema: Schema,
  withTarget: boolean,
  policy: ReadPolicy,
  /** the network's outputs: one per class, or one for two classes on a sigmoid (1 for a regression) */
  outputs: number,
): Encoded {
  const fx = schema.features.map((name) => columnIndex(table, name, 'feature'));
  const target = schema.target;
  const readTarget = withTarget && target !== null;
  const tc = readTarget ? columnIndex(table, target.column, 'target') : -1;
  const source = keptRows(
    table,
    readColumns(schema.features, fx, readTarget ? { index: tc, name: target.column, role: 'target' } : null),
    policy.missing,
  );
  const { x, filled } = encodeColumns(
    table,
    { names: schema.features, indices: fx, categories: categoriesOf(schema) },
    schema.means,
    source,
    policy.unknownCategory,
  );
  const rows = source.length,
    dropped = table.rows.length - rows;
  if (!readTarget) return { rows, x, t: null, labels: null, source, dropped, filled };
  const labels = new Float64Array(rows);
  if (target.task === 'classification') {
    // one-hot rows, or one 0/1 column for a two-class model with a single sigmoid output
    const k = outputs,
      t = new Float32Array(rows * k);
    source.forEach((r, i) => {
      const cell = table.rows[r]![tc]!;
      let c = target.classes.indexOf(cell);
      if (c < 0 && numeric(cell) !== null) c = target.classes.findIndex((name) => numeric(name) === numeric(cell));
      if (c < 0) {
        const p = table.at(r, tc);
        throw new InputError(
          table.file,
          p.line,
          p.column,
          `unknown class ${JSON.stringify(cell)} in "${target.column}"; the model knows ${target.classes.map((n) => JSON.stringify(n)).join(', ')}` +
            (target.classes.every((name, i) => name === String(i)) && numeric(cell) === null
              ? ' (a model without a column schema, such as an ONNX or TF.js file, knows its classes only by output index: give a column of indices, or evaluate the simdnet model file)'
              : ''),
        );
      }
      if (k > 1) t[i * k + c] = 1;
      else t[i] = c;
      labels[i] = c;
    });
    return { rows, x, t, labels, source, dropped, filled };
  }
  const t = new Float32Array(rows);
  source.forEach((r, i) => {
    const cell = table.rows[r]![tc]!;
    const v = numeric(cell);
    if (v === null) {
      const p = table.at(r, tc);
      throw new InputError(
        table.file,
        p.line,
        p.column,
        `the target "${target.column}" is not a number: ${JSON.stringify(cell)}`,
      );
    }
    labels[i] = v;
    t[i] = v;
  });
  return { rows, x, t, labels, source, dropped, filled };
}
