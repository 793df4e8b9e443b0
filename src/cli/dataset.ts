// Turns a table into network inputs and targets: the feature columns must be numeric; a
// categorical target becomes one-hot classes, a numeric one a standardised regression target.
// The schema (feature names, classes or the target's scale) is saved in the model file.
import { InputError, UsageError } from './errors.js';
import type { Table } from './table.js';

export type Task = 'classification' | 'regression';

export type TargetSchema =
  | { column: string; task: 'classification'; classes: string[] }
  /** targets are fitted as (value − mean) / std and mapped back when predicting */
  | { column: string; task: 'regression'; mean: number; std: number };

export interface Schema {
  features: string[];
  target: TargetSchema | null;
}

export interface Encoded {
  rows: number;
  x: Float32Array;
  /** one-hot classes, or standardised values; null when the table has no target column */
  t: Float32Array | null;
  /** the target's class index per row (classification), or its value (regression) */
  labels: Float64Array | null;
}

/** Reads a cell as a finite number, or null. */
export function numeric(cell: string): number | null {
  if (cell === '') return null;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}

function columnIndex(table: Table, name: string, what: string): number {
  const c = table.columns.indexOf(name);
  if (c < 0) {
    const p = table.headerAt(0);
    throw new InputError(table.file, p.line, p.column, `no ${what} column "${name}"; the columns are ${table.columns.map((n) => `"${n}"`).join(', ')}`);
  }
  return c;
}

/** Chooses features and the target's encoding from training data. */
export function fitSchema(table: Table, target: string, options: { task?: Task | 'auto'; features?: string[] } = {}): Schema {
  const t = columnIndex(table, target, 'target');
  const features = options.features ?? table.columns.filter((name) => name !== target);
  if (features.length === 0) throw new UsageError(`${table.file} has no feature columns besides the target "${target}"`);
  for (const name of features) {
    columnIndex(table, name, 'feature');
    if (name === target) throw new UsageError(`--features must not include the target column "${target}"`);
  }
  let task = options.task ?? 'auto';
  if (task === 'auto') task = table.rows.every((row) => row[t] === '' || numeric(row[t]!) !== null) ? 'regression' : 'classification';
  for (let r = 0; r < table.rows.length; r++) {
    if (table.rows[r]![t] === '') {
      const p = table.at(r, t);
      throw new InputError(table.file, p.line, p.column, `the target "${target}" is empty`);
    }
  }
  if (task === 'classification') {
    const classes = [...new Set(table.rows.map((row) => row[t]!))];
    const allNumbers = classes.every((c) => numeric(c) !== null);
    classes.sort(allNumbers ? (a, b) => Number(a) - Number(b) : undefined);
    if (classes.length < 2) throw new InputError(table.file, table.at(0, t).line, table.at(0, t).column, `the target "${target}" has only one class (${JSON.stringify(classes[0])}); classification needs at least 2`);
    return { features, target: { column: target, task, classes } };
  }
  let sum = 0;
  const values = table.rows.map((row, r) => {
    const v = numeric(row[t]!);
    if (v === null) {
      const p = table.at(r, t);
      throw new InputError(table.file, p.line, p.column, `the target "${target}" is not a number: ${JSON.stringify(row[t])} (use --task classification for class labels)`);
    }
    sum += v;
    return v;
  });
  const mean = sum / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { features, target: { column: target, task, mean, std: std > 0 ? std : 1 } };
}

/**
 * Encodes a table with a schema. The target column is read when the schema has one and the table
 * holds it (or `requireTarget` says it must).
 */
export function encode(table: Table, schema: Schema, requireTarget: boolean): Encoded {
  const fx = schema.features.map((name) => columnIndex(table, name, 'feature'));
  const rows = table.rows.length, cols = fx.length;
  const x = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = table.rows[r]!;
    for (let j = 0; j < cols; j++) {
      const cell = row[fx[j]!]!;
      const v = numeric(cell);
      if (v === null) {
        const p = table.at(r, fx[j]!);
        const what = cell === '' ? 'is empty' : `is not a number: ${JSON.stringify(cell)}`;
        throw new InputError(table.file, p.line, p.column, `feature "${schema.features[j]}" ${what}`);
      }
      x[r * cols + j] = v;
    }
  }
  const target = schema.target;
  if (!target || (!requireTarget && !table.columns.includes(target.column))) return { rows, x, t: null, labels: null };
  const tc = columnIndex(table, target.column, 'target');
  const labels = new Float64Array(rows);
  if (target.task === 'classification') {
    const k = target.classes.length, t = new Float32Array(rows * k);
    for (let r = 0; r < rows; r++) {
      const cell = table.rows[r]![tc]!;
      let c = target.classes.indexOf(cell);
      if (c < 0 && numeric(cell) !== null) c = target.classes.findIndex((name) => numeric(name) === numeric(cell));
      if (c < 0) {
        const p = table.at(r, tc);
        throw new InputError(table.file, p.line, p.column, `unknown class ${JSON.stringify(cell)} in "${target.column}"; the model knows ${target.classes.map((n) => JSON.stringify(n)).join(', ')}`);
      }
      t[r * k + c] = 1;
      labels[r] = c;
    }
    return { rows, x, t, labels };
  }
  const t = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const cell = table.rows[r]![tc]!;
    const v = numeric(cell);
    if (v === null) {
      const p = table.at(r, tc);
      throw new InputError(table.file, p.line, p.column, `the target "${target.column}" is not a number: ${JSON.stringify(cell)}`);
    }
    labels[r] = v;
    t[r] = (v - target.mean) / target.std;
  }
  return { rows, x, t, labels };
}

/** Checks a schema read from a model file; returns null (with the reason) when it is not one. */
export function isSchema(value: unknown, inputs: number, outputs: number): string | null {
  if (value === null || typeof value !== 'object') return 'meta must be an object';
  const s = value as Partial<Schema>;
  if (!Array.isArray(s.features) || !s.features.every((f) => typeof f === 'string')) return 'meta.features must be an array of column names';
  if (s.features.length !== inputs) return `meta.features must name ${inputs} columns (the input layer), got ${s.features.length}`;
  const t = s.target as Partial<TargetSchema> | null | undefined;
  if (t === null || t === undefined) return null;
  if (typeof t.column !== 'string') return 'meta.target.column must be a column name';
  if (t.task === 'classification') {
    const classes = (t as { classes?: unknown }).classes;
    if (!Array.isArray(classes) || classes.length !== outputs || !classes.every((c) => typeof c === 'string')) return `meta.target.classes must be ${outputs} class names (the output layer)`;
    return null;
  }
  if (t.task === 'regression') {
    const { mean, std } = t as { mean?: unknown; std?: unknown };
    if (outputs !== 1) return `a regression model has 1 output, this one has ${outputs}`;
    if (typeof mean !== 'number' || !Number.isFinite(mean) || typeof std !== 'number' || !(std > 0) || !Number.isFinite(std)) return 'meta.target.mean and .std must be finite numbers (std > 0)';
    return null;
  }
  return "meta.target.task must be 'classification' or 'regression'";
}
