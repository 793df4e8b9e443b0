// The CLI's model files: the library's model (toJSON, or toBinary's format for .bin), its column
// schema, inputs' names and class labels in the model's metadata (schema.ts); without --resumable
// the optimizer state is left out. Every kind of file is read into the library's Model first (its
// JSON and binary formats, ONNX, a TensorFlow.js model.json with its weight files beside it): the
// schema and the output layer are read from it without copying any weight, then it is placed on an
// engine. A model without a schema also loads (its inputs are then the data's columns).
import { dirname, extname, isAbsolute, join } from 'node:path';
import { __fromModel, type LossName, type ModelJSON, type NN, type NetworkConfig } from '../index.js';
import { decodeModel, encodeModel } from '../format/binary.js';
import { modelToJSON, parseModel } from '../format/json.js';
import { splitOptions } from '../interop/imported-model.js';
import { onnxToModel } from '../interop/onnx-import.js';
import { tfjsToModel } from '../interop/tfjs-import.js';
import type { Model, ModelMetadata } from '../model/model.js';
import type { QuantizedModel } from '../model/quantize.js';
import { InputError, jsonSyntaxError, position, UsageError } from './errors.js';
import { readBytes, shownName, writeAtomic } from './files.js';
import { choiceFlag } from './flags.js';
import { readSchema, SCHEMA_KEYS, schemaMetadata, withSchema, type Schema, type Task } from './schema.js';
import { outputTask } from './target.js';

export type ModelKind = 'simdnet JSON' | 'simdnet binary' | 'ONNX' | 'TF.js';

export interface LoadedModel {
  net: NN;
  /** null for a model without one (a plain library model, most ONNX and TF.js files) */
  schema: Schema | null;
  kind: ModelKind;
  /** the architecture (its output layer says what a model without a schema predicts) */
  config: NetworkConfig;
  /** what the output layer makes the model: a classifier (classes by label or output index) or a regression */
  output: { task: Task; classes: string[] };
  /** the inputs' names a model without a schema may carry (a library model trained on named rows), or null */
  features: string[] | null;
}

export const MODEL_FORMATS = ['json', 'bin'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** The format of a model file: --format when given, else .bin for binary and JSON for anything else. */
export function modelFormat(path: string, flag: string | undefined): ModelFormat {
  if (flag !== undefined) return choiceFlag('--format', flag, MODEL_FORMATS);
  if (/\.(onnx|tfjs)$/i.test(path))
    throw new UsageError(
      `--out ${path}: simdnet writes its own model files here (.json or .bin); convert with simdnet export --to onnx|tfjs`,
    );
  return extname(path).toLowerCase() === '.bin' ? 'bin' : 'json';
}

export interface SaveOptions {
  format: ModelFormat;
  /** keep the optimizer state and the generator's, so that training can continue bit for bit */
  resumable: boolean;
  mkdir: boolean;
}

/** A network and its schema as the content of a simdnet model file (JSON text, or the binary format's bytes). */
export function modelContent(net: NN, schema: Schema | null, options: Omit<SaveOptions, 'mkdir'>): string | Uint8Array {
  const json = net.toJSON({ training: options.resumable });
  const model = parseModel(schema ? { ...json, ...metadataJSON(schemaMetadata(schema)) } : json);
  return options.format === 'bin' ? encodeModel(model) : `${JSON.stringify(modelToJSON(model))}\n`;
}

/**
 * Writes a network as a simdnet model file (JSON, or the binary format), with the metadata of
 * `schema` when given (a network just trained; a loaded one carries its own). The library checks
 * the names as it does any file's.
 */
export function saveModel(path: string, net: NN, schema: Schema | null, options: SaveOptions): void {
  writeAtomic(path, modelContent(net, schema, options), options.mkdir);
}

/** The metadata as the fields of a model object. */
const metadataJSON = (m: ModelMetadata): Partial<ModelJSON> => ({
  ...(m.features ? { features: m.features } : {}),
  ...(m.classes ? { classes: m.classes } : {}),
  ...(m.schema ? { schema: m.schema } : {}),
});

const MAGIC = 'simdnet\0';

/**
 * Any model file simdnet reads: its own JSON or binary, an ONNX file, a TF.js model.json (weights
 * beside it); refused when it cannot predict (an input normaliser saved before it was fitted).
 */
export async function loadModel(path: string, engine: 'wasm' | 'js' | 'auto', loss?: LossName): Promise<LoadedModel> {
  const file = shownName(path);
  const { model, kind, schemaAt } = readModel(path, loss);
  const read = readSchema(model);
  let schema: Schema | null = null,
    placed = model;
  if (read instanceof Error) {
    // another producer's metadata entry of that name is not ours to refuse; our own files' is damage
    if (kind === 'simdnet JSON' || kind === 'simdnet binary') {
      const p = schemaAt();
      throw new InputError(file, p.line, p.column, `corrupted model: ${read.message}`);
    }
  } else if (read) {
    schema = read.schema;
    placed = withSchema(model, read);
  }
  if (model.config.normalize !== 'none' && model.normalizer === null)
    throw new InputError(
      file,
      1,
      1,
      `the model's input normaliser ('${model.config.normalize}') was never fitted: it was saved before any training, so it cannot predict yet`,
    );
  const net = await __fromModel(placed, { engine });
  return {
    net,
    schema,
    kind,
    config: model.config,
    output: outputTask(placed),
    features: placed.metadata.features ?? null,
  };
}

interface ReadModel {
  model: Model | QuantizedModel;
  kind: ModelKind;
  /** where the schema is written in the file, for its errors */
  schemaAt: () => { line: number; column: number };
}

const START = (): { line: number; column: number } => ({ line: 1, column: 1 });

function readModel(path: string, loss: LossName | undefined): ReadModel {
  const file = shownName(path);
  const bytes = readBytes(path);
  const choices = (): ReturnType<typeof splitOptions>['choices'] =>
    splitOptions(loss === undefined ? {} : { loss }).choices;
  if (/\.onnx$/i.test(path))
    return { model: foreign(file, () => onnxToModel(bytes, choices())), kind: 'ONNX', schemaAt: START };
  if (bytes.length >= 16 && bytes.subarray(0, 8).toString('latin1') === MAGIC)
    return { model: foreign(file, () => decodeModel(bytes)), kind: 'simdnet binary', schemaAt: START };
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new InputError(file, 1, 1, 'the file is empty');
  if (!/^\s*\{/.test(text.replace(/^\uFEFF/, '')))
    throw new InputError(
      file,
      1,
      1,
      'not a model file simdnet reads (a simdnet .json or .bin model, an .onnx file, or a TF.js model.json)',
    );
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw jsonSyntaxError(file, text);
  }
  if (isTFJS(json))
    return {
      model: foreign(file, () => tfjsToModel(json, tfjsWeights(path, json), choices())),
      kind: 'TF.js',
      schemaAt: START,
    };
  /** where a top-level key of the model is written (the start of the file when absent) */
  const keyAt = (...keys: string[]): { line: number; column: number } => {
    for (const key of keys) {
      const m = new RegExp(`"${key.replace(/[^\w]/g, '')}"\\s*:`).exec(text);
      if (m) return position(text, m.index);
    }
    return position(text, 0);
  };
  const format = (json as { format?: unknown }).format;
  if (format !== 'simdnet') {
    const p = keyAt('format');
    throw new InputError(
      file,
      p.line,
      p.column,
      `not a simdnet model (format is ${JSON.stringify(format)}, expected "simdnet")`,
    );
  }
  try {
    return { model: parseModel(json), kind: 'simdnet JSON', schemaAt: () => keyAt(...SCHEMA_KEYS) };
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
    // the library names the field: "model.version must be 1 ...", "model.weights[0] ..."
    const field = /^model\.(\w+)/.exec(err.message)?.[1] ?? /"(\w+)"/.exec(err.message)?.[1] ?? '';
    const p = keyAt(field);
    throw new InputError(file, p.line, p.column, `corrupted or incompatible model: ${err.message}`);
  }
}

/** A TensorFlow.js layers model.json (model.save() or tensorflowjs_converter). */
function isTFJS(json: unknown): json is { weightsManifest?: unknown } {
  return (
    json !== null &&
    typeof json === 'object' &&
    ((json as { format?: unknown }).format === 'layers-model' || 'modelTopology' in json)
  );
}

/** The weight files a model.json names, read from its folder and concatenated in manifest order. */
function tfjsWeights(file: string, json: { weightsManifest?: unknown }): Uint8Array {
  const groups = Array.isArray(json.weightsManifest) ? (json.weightsManifest as { paths?: unknown }[]) : [];
  const parts: Uint8Array[] = [];
  for (const group of groups) {
    for (const path of Array.isArray(group?.paths) ? group.paths : []) {
      if (typeof path !== 'string' || isAbsolute(path) || /^[a-z]+:|(^|[\\/])\.\.([\\/]|$)/i.test(path)) {
        throw new InputError(
          shownName(file),
          1,
          1,
          `weightsManifest path ${JSON.stringify(path)}: expected a file in model.json's folder`,
        );
      }
      parts.push(readBytes(join(dirname(file), path)));
    }
  }
  return Buffer.concat(parts);
}

/** Reads through a codec; its refusals (TypeError, RangeError) become one line naming the file. */
function foreign<M extends Model | QuantizedModel>(file: string, read: () => M): M {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
    throw new InputError(file, 1, 1, err.message);
  }
}
