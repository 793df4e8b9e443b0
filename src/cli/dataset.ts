// Turns a table into network inputs and targets: numeric feature columns as they are, text ones
// one-hot (columns.ts), missing cells as --missing says (missing.ts); a categorical target becomes
// one-hot classes, a numeric one a standardised regression target. The schema (feature columns,
// their categories and means, the policy, the classes or the target's scale) is saved in the model file.
import {
  encodeColumns,
  fitColumns,
  inputNames,
  numeric,
  UNKNOWN_CATEGORY_POLICIES,
  type UnknownCategoryPolicy,
} from './columns.js';
import { InputError, UsageError } from './errors.js';
import { choiceFlag } from './flags.js';
import { keptRows, MISSING_POLICIES, type Column, type MissingPolicy } from './missing.js';
import type { Table } from './table.js';

export type Task = 'classification' | 'regression';

export type TargetSchema =
  | { column: string; task: 'classification'; classes: string[] }
  /** targets are fitted as (value − mean) / std and mapped back when predicting */
  | { column: string; task: 'regression'; mean: number; std: number };

export interface Schema {
  features: string[];
  /** per feature, the categories of a one-hot encoded text column, or null for a numeric one (absent: all numeric) */
  categories?: (string[] | null)[];
  /** per network input, its mean over the training rows: what --missing mean fills in */
  means?: number[];
  /** the --missing policy of training, which predict and evaluate follow unless told otherwise */
  missing?: MissingPolicy;
  target: TargetSchema | null;
}

/** How to read cells the model cannot take as they are. */
export interface ReadPolicy {
  missing: MissingPolicy;
  unknownCategory: UnknownCategoryPolicy;
}

export interface Encoded {
  rows: number;
  x: Float32Array;
  /** one-hot classes, or standardised values; null when the table has no target column */
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

/** The network inputs' names of a schema. */
export const schemaInputs = (schema: Schema): string[] => inputNames(schema.features, categoriesOf(schema));

/** The one-hot encoded feature columns and their categories. */
export function oneHotColumns(schema: Schema): [string, string[]][] {
  return schema.features.flatMap((name, j): [string, string[]][] => {
    const k = schema.categories?.[j];
    return k ? [[name, k]] : [];
  });
}

const categoriesOf = (schema: Schema): (string[] | null)[] => schema.categories ?? schema.features.map(() => null);

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

/** Chooses features, their encoding and the target's from training data. */
export function fitSchema(
  table: Table,
  target: string,
  options: { task?: Task | 'auto'; features?: string[]; missing?: MissingPolicy } = {},
): Schema {
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
  let task = options.task ?? 'auto';
  if (task === 'auto') task = cells.every((cell) => numeric(cell) !== null) ? 'regression' : 'classification';
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
    return { ...columns, target: { column: target, task, classes } };
  }
  let sum = 0;
  const values = cells.map((cell, i) => {
    const v = numeric(cell);
    if (v === null) {
      const p = table.at(rows[i]!, t);
      throw new InputError(
        table.file,
        p.line,
        p.column,
        `the target "${target}" is not a number: ${JSON.stringify(cell)} (use --task classification for class labels)`,
      );
    }
    sum += v;
    return v;
  });
  const mean = sum / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { ...columns, target: { column: target, task, mean, std: std > 0 ? std : 1 } };
}

/** The columns a read looks at for missing cells: the features, and the target when it is read. */
function readColumns(features: string[], indices: number[], target: Column | null): Column[] {
  const columns: Column[] = features.map((name, j) => ({ index: indices[j]!, name, role: 'feature' }));
  return target ? [...columns, target] : columns;
}

/**
 * Encodes a table with a schema, and its target column when `withTarget` (predict leaves the target
 * alone: a column of blanks waiting for predictions is no error).
 */
export function encode(table: Table, schema: Schema, withTarget: boolean, policy: ReadPolicy): Encoded {
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
    const k = target.classes.length,
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
          `unknown class ${JSON.stringify(cell)} in "${target.column}"; the model knows ${target.classes.map((n) => JSON.stringify(n)).join(', ')}`,
        );
      }
      t[i * k + c] = 1;
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
    t[i] = (v - target.mean) / target.std;
  });
  return { rows, x, t, labels, source, dropped, filled };
}

/** Checks a schema read from a model file; returns null (with the reason) when it is not one. */
export function isSchema(value: unknown, inputs: number, outputs: number): string | null {
  if (value === null || typeof value !== 'object') return 'meta must be an object';
  const s = value as Partial<Schema>;
  if (!Array.isArray(s.features) || !s.features.every((f) => typeof f === 'string'))
    return 'meta.features must be an array of column names';
  const categories = s.categories;
  if (categories !== undefined) {
    const list = (k: unknown): boolean =>
      Array.isArray(k) && k.length > 0 && k.every((c) => typeof c === 'string') && new Set(k).size === k.length;
    if (
      !Array.isArray(categories) ||
      categories.length !== s.features.length ||
      !categories.every((k) => k === null || list(k))
    ) {
      return `meta.categories must give each of the ${s.features.length} features null (numeric) or its distinct category names`;
    }
  }
  const width = schemaInputs(s as Schema).length;
  if (width !== inputs)
    return `meta.features${categories ? ' and meta.categories' : ''} must make ${inputs} inputs (the input layer), got ${width}`;
  if (
    s.means !== undefined &&
    (!Array.isArray(s.means) ||
      s.means.length !== inputs ||
      !s.means.every((m) => typeof m === 'number' && Number.isFinite(m)))
  ) {
    return `meta.means must be ${inputs} finite numbers (one per input)`;
  }
  if (s.missing !== undefined && !MISSING_POLICIES.includes(s.missing))
    return `meta.missing must be one of ${MISSING_POLICIES.join(', ')}`;
  const t = s.target as Partial<TargetSchema> | null | undefined;
  if (t === null || t === undefined) return null;
  if (typeof t.column !== 'string') return 'meta.target.column must be a column name';
  if (t.task === 'classification') {
    const classes = (t as { classes?: unknown }).classes;
    if (!Array.isArray(classes) || classes.length !== outputs || !classes.every((c) => typeof c === 'string'))
      return `meta.target.classes must be ${outputs} class names (the output layer)`;
    return null;
  }
  if (t.task === 'regression') {
    const { mean, std } = t as { mean?: unknown; std?: unknown };
    if (outputs !== 1) return `a regression model has 1 output, this one has ${outputs}`;
    if (
      typeof mean !== 'number' ||
      !Number.isFinite(mean) ||
      typeof std !== 'number' ||
      !(std > 0) ||
      !Number.isFinite(std)
    )
      return 'meta.target.mean and .std must be finite numbers (std > 0)';
    return null;
  }
  return "meta.target.task must be 'classification' or 'regression'";
}
