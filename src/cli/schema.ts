// The column schema of a model (feature columns, their categories and training means, the --missing
// policy, the target's classes or scale) and where it is kept. Every read and write of it goes
// through this file: it is the `schema` field of simdnet's model files (the JSON object, and the
// JSON header of the binary format; `meta` before the model's version 3, still read).
import type { ModelJSON } from '../index.js';
import { inputNames } from './columns.js';
import { MISSING_POLICIES, type MissingPolicy } from './missing.js';

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

/** The model object to save: the library's toJSON() with the schema beside it. */
export function withSchema(model: ModelJSON, schema: Schema): ModelJSON {
  return { ...model, schema: schema as unknown as ModelJSON['schema'] };
}

/** The schema stored in a model object (null when it has none) and the model without it. */
export function splitSchema(model: Record<string, unknown>): { schema: unknown; model: Record<string, unknown> } {
  const { meta, schema, ...rest } = model;
  return { schema: schema ?? meta ?? null, model: rest };
}

/** Where a file's schema sits, for error positions: the key that holds it. */
export const SCHEMA_KEY = 'schema';

/**
 * The schema stored in a binary model file: its header holds the model object as JSON (bytes
 * 12–15 its length, from byte 16), checked in full by NN.fromBinary before this is read.
 */
export function binarySchema(bytes: Uint8Array): unknown {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + length))) as Record<string, unknown>;
  return splitSchema(header).schema;
}

/** The network inputs' names of a schema. */
export const schemaInputs = (schema: Schema): string[] => inputNames(schema.features, categoriesOf(schema));

export const categoriesOf = (schema: Schema): (string[] | null)[] =>
  schema.categories ?? schema.features.map(() => null);

/** The one-hot encoded feature columns and their categories. */
export function oneHotColumns(schema: Schema): [string, string[]][] {
  return schema.features.flatMap((name, j): [string, string[]][] => {
    const k = schema.categories?.[j];
    return k ? [[name, k]] : [];
  });
}

/** Checks a schema read from a model file; returns the reason when it is not one, else null. */
export function schemaProblem(value: unknown, inputs: number, outputs: number): string | null {
  const key = SCHEMA_KEY;
  if (value === null || typeof value !== 'object') return `${key} must be an object`;
  const s = value as Partial<Schema>;
  if (!Array.isArray(s.features) || !s.features.every((f) => typeof f === 'string'))
    return `${key}.features must be an array of column names`;
  const categories = s.categories;
  if (categories !== undefined) {
    const list = (k: unknown): boolean =>
      Array.isArray(k) && k.length > 0 && k.every((c) => typeof c === 'string') && new Set(k).size === k.length;
    if (
      !Array.isArray(categories) ||
      categories.length !== s.features.length ||
      !categories.every((k) => k === null || list(k))
    ) {
      return `${key}.categories must give each of the ${s.features.length} features null (numeric) or its distinct category names`;
    }
  }
  const width = schemaInputs(s as Schema).length;
  if (width !== inputs)
    return `${key}.features${categories ? ` and ${key}.categories` : ''} must make ${inputs} inputs (the input layer), got ${width}`;
  if (
    s.means !== undefined &&
    (!Array.isArray(s.means) ||
      s.means.length !== inputs ||
      !s.means.every((m) => typeof m === 'number' && Number.isFinite(m)))
  ) {
    return `${key}.means must be ${inputs} finite numbers (one per input)`;
  }
  if (s.missing !== undefined && !MISSING_POLICIES.includes(s.missing))
    return `${key}.missing must be one of ${MISSING_POLICIES.join(', ')}`;
  const t = s.target as Partial<TargetSchema> | null | undefined;
  if (t === null || t === undefined) return null;
  if (typeof t.column !== 'string') return `${key}.target.column must be a column name`;
  if (t.task === 'classification') {
    const classes = (t as { classes?: unknown }).classes;
    // a two-class model may end in one sigmoid output
    const count = outputs === 1 ? 2 : outputs;
    if (!Array.isArray(classes) || classes.length !== count || !classes.every((c) => typeof c === 'string'))
      return `${key}.target.classes must be ${count} class names (the output layer)`;
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
      return `${key}.target.mean and .std must be finite numbers (std > 0)`;
    return null;
  }
  return `${key}.target.task must be 'classification' or 'regression'`;
}
