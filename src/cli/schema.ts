// The column schema of a model (feature columns, their categories and training means, the --missing
// policy, the target column and its task) and where it is kept: the library's model metadata, which
// every format carries (simdnet JSON and binary, ONNX metadata_props, TF.js userDefinedMetadata).
// The schema goes in `metadata.schema`, the network inputs' names in `metadata.features` and the
// class labels in `metadata.classes`; a regression's target scale is the model's target
// standardizer. Files written before that (a `meta` field before version 3, class labels and the
// target's mean and standard deviation inside the schema) are still read. Every read and write of
// the schema goes through this file.
import type { Label } from '../index.js';
import type { ColumnSchema, Model, ModelMetadata } from '../model/model.js';
import type { QuantizedModel } from '../model/quantize.js';
import { inputNames } from './columns.js';
import { MISSING_POLICIES, type MissingPolicy } from './missing.js';

export type Task = 'classification' | 'regression';

export type TargetSchema =
  | { column: string; task: 'classification'; classes: string[] }
  /** predictions are the network's outputs, in the target's units */
  | { column: string; task: 'regression' };

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

/** Where a model file's schema sits, for error positions: the key that holds it (`meta` in old files). */
export const SCHEMA_KEYS = ['schema', 'meta'];

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

/** A class name as a label: a number when the name is one written as JavaScript writes it ("7", not "07" or "7.0"). */
const asLabel = (name: string): Label => (String(Number(name)) === name ? Number(name) : name);

/**
 * The model metadata of a schema: the inputs' names, the class labels (numbers when every class name
 * is one, so that the library's classify answers 7 rather than "7") and the schema itself.
 */
export function schemaMetadata(schema: Schema): Required<Pick<ModelMetadata, 'features' | 'schema'>> & ModelMetadata {
  const { target, ...columns } = schema;
  const stored: ColumnSchema = { ...columns, target: target && { column: target.column, task: target.task } };
  if (target?.task !== 'classification') return { features: schemaInputs(schema), schema: stored };
  const labels = target.classes.map(asLabel);
  const classes = labels.every((l) => typeof l === 'number') ? labels : target.classes;
  return { features: schemaInputs(schema), classes, schema: stored };
}

/** The schema a model carries, with what files written before the schema moved into the metadata kept in it. */
export interface ReadSchema {
  schema: Schema;
  /** the target's mean and standard deviation of a regression model that learned standardised values itself */
  scale: { mean: number; std: number } | null;
}

/**
 * The column schema of a model (null when it has none); the reason, as an Error, when what it
 * carries is not one.
 */
export function readSchema(model: Model | QuantizedModel): ReadSchema | null | Error {
  const value = model.metadata.schema;
  if (value === undefined) return null;
  const layers = model.config.layers;
  const why = schemaProblem(value, layers[0]!, layers.at(-1)!, model.metadata.classes);
  if (why) return new Error(why);
  const s = value as unknown as Schema & { target: Record<string, unknown> | null };
  const schema: Schema = { ...s, target: null };
  const t = s.target;
  if (!t) return { schema, scale: null };
  const column = t.column as string;
  if (t.task === 'regression') {
    schema.target = { column, task: 'regression' };
    const { mean, std } = t as { mean?: number; std?: number };
    return { schema, scale: mean === undefined ? null : { mean, std: std! } };
  }
  const classes = (t.classes as string[] | undefined) ?? model.metadata.classes!.map(String);
  schema.target = { column, task: 'classification', classes };
  return { schema, scale: null };
}

/**
 * The model with its names as this version writes them: the schema's metadata, and an old
 * regression's target scale as the model's target standardizer (so that its outputs, and those of
 * its exports, are in the target's units).
 */
export function withSchema<M extends Model | QuantizedModel>(model: M, { schema, scale }: ReadSchema): M {
  let targetStandardizer = model.targetStandardizer;
  if (scale) {
    const before = targetStandardizer ?? { mean: Float64Array.of(0), scale: Float64Array.of(1) };
    targetStandardizer = {
      mean: Float64Array.of(before.mean[0]! * scale.std + scale.mean),
      scale: Float64Array.of(before.scale[0]! * scale.std),
    };
  }
  return { ...model, targetStandardizer, metadata: { ...model.metadata, ...schemaMetadata(schema) } };
}

/** Checks a schema read from a model file; returns the reason when it is not one, else null. */
export function schemaProblem(
  value: unknown,
  inputs: number,
  outputs: number,
  classes: readonly Label[] | undefined,
): string | null {
  const key = 'schema';
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
  const t = s.target as Record<string, unknown> | null | undefined;
  if (t === null || t === undefined) return null;
  if (typeof t !== 'object') return `${key}.target must be an object or null`;
  if (typeof t.column !== 'string') return `${key}.target.column must be a column name`;
  // a two-class model may end in one sigmoid output
  const count = outputs === 1 ? 2 : outputs;
  if (t.task === 'classification') {
    const own = t.classes;
    if (own === undefined) {
      if (classes === undefined) return `a classification schema needs the model's classes (${count} class labels)`;
      return null;
    }
    if (!Array.isArray(own) || own.length !== count || !own.every((c) => typeof c === 'string'))
      return `${key}.target.classes must be ${count} class names (the output layer)`;
    return null;
  }
  if (t.task === 'regression') {
    if (outputs !== 1) return `a regression model has 1 output, this one has ${outputs}`;
    const { mean, std } = t;
    if (mean === undefined && std === undefined) return null;
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
