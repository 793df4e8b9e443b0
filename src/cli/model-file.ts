// The CLI's model files: the library's model (toJSON, or toBinary's format for .bin) with the
// column schema beside it (schema.ts keeps it); without --resumable the optimizer state is left
// out. A plain library model without a schema also loads (its inputs are then the data's columns),
// and so do an ONNX file (.onnx) and a TensorFlow.js model.json (with its weight files beside it).
import { dirname, extname, isAbsolute, join } from 'node:path';
import { NN, type LossName, type ModelJSON } from '../index.js';
import { encodeModel } from '../format/binary.js';
import { parseModel } from '../format/json.js';
import { fromONNX, fromTFJS } from '../interop/index.js';
import { InputError, jsonSyntaxError, position, UsageError } from './errors.js';
import { readBytes, shownName, writeAtomic } from './files.js';
import { choiceFlag } from './flags.js';
import { binarySchema, SCHEMA_KEY, schemaProblem, splitSchema, withSchema, type Schema } from './schema.js';

export type ModelKind = 'simdnet JSON' | 'simdnet binary' | 'ONNX' | 'TF.js';

export interface LoadedModel {
  net: NN;
  /** null for a model without one (a plain library model, ONNX, TF.js) */
  schema: Schema | null;
  kind: ModelKind;
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

/** Writes a network and its schema as a simdnet model file (JSON, or the binary format). */
export function saveModel(path: string, net: NN, schema: Schema | null, options: SaveOptions): void {
  const json = net.toJSON({ training: options.resumable });
  const model = schema ? withSchema(json, schema) : json;
  writeAtomic(
    path,
    options.format === 'bin' ? encodeModel(parseModel(model)) : `${JSON.stringify(model)}\n`,
    options.mkdir,
  );
}

const MAGIC = 'simdnet\0';

/**
 * Any model file simdnet reads: its own JSON or binary, an ONNX file, a TF.js model.json (weights
 * beside it); refused when it cannot predict (an input normaliser saved before it was fitted).
 */
export async function loadModel(path: string, engine: 'wasm' | 'js' | 'auto', loss?: LossName): Promise<LoadedModel> {
  const loaded = await readModel(path, engine, loss);
  const { net } = loaded;
  const saved = net.toJSON({ training: false });
  if (saved.normalize !== 'none' && saved.normalizer === null) {
    net.dispose();
    throw new InputError(
      shownName(path),
      1,
      1,
      `the model's input normaliser ('${saved.normalize}') was never fitted: it was saved before any training, so it cannot predict yet`,
    );
  }
  return loaded;
}

async function readModel(path: string, engine: 'wasm' | 'js' | 'auto', loss?: LossName): Promise<LoadedModel> {
  const file = shownName(path);
  const bytes = readBytes(path);
  if (/\.onnx$/i.test(path))
    return { net: await foreign(file, () => fromONNX(bytes, { engine, loss })), schema: null, kind: 'ONNX' };
  if (bytes.length >= 16 && bytes.subarray(0, 8).toString('latin1') === MAGIC) {
    const net = await foreign(file, () => NN.fromBinary(bytes, { engine }));
    const schema = checked(file, net, binarySchema(bytes), () => ({ line: 1, column: 1 }));
    return { net, schema, kind: 'simdnet binary' };
  }
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
      net: await foreign(file, () => fromTFJS(json as object, tfjsWeights(path, json), { engine, loss })),
      schema: null,
      kind: 'TF.js',
    };
  /** where a top-level key of the model is written (the start of the file when absent) */
  const keyAt = (key: string): { line: number; column: number } => {
    const m = new RegExp(`"${key.replace(/[^\w]/g, '')}"\\s*:`).exec(text);
    return position(text, m ? m.index : 0);
  };
  const { schema, model } = splitSchema(json as Record<string, unknown>);
  if ((model as { format?: unknown }).format !== 'simdnet') {
    const p = keyAt('format');
    throw new InputError(
      file,
      p.line,
      p.column,
      `not a simdnet model (format is ${JSON.stringify((model as { format?: unknown }).format)}, expected "simdnet")`,
    );
  }
  let net: NN;
  try {
    net = await NN.fromJSON(model as unknown as ModelJSON, { engine });
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
    // the library names the field: "model.version must be 1 ...", "model.weights[0] ..."
    const field = /^model\.(\w+)/.exec(err.message)?.[1] ?? /"(\w+)"/.exec(err.message)?.[1] ?? '';
    const p = keyAt(field);
    throw new InputError(file, p.line, p.column, `corrupted or incompatible model: ${err.message}`);
  }
  return { net, schema: checked(file, net, schema, () => keyAt(SCHEMA_KEY)), kind: 'simdnet JSON' };
}

/** A stored schema after its checks, or null when there is none; the network is disposed when it is bad. */
function checked(file: string, net: NN, schema: unknown, where: () => { line: number; column: number }): Schema | null {
  if (schema === null || schema === undefined) return null;
  const why = schemaProblem(schema, net.layers[0]!, net.layers.at(-1)!);
  if (!why) return schema as Schema;
  net.dispose();
  const p = where();
  throw new InputError(file, p.line, p.column, `corrupted model: ${why}`);
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

/** Loads through a codec; its refusals (TypeError, RangeError) become one line naming the file. */
async function foreign(file: string, load: () => Promise<NN>): Promise<NN> {
  try {
    return await load();
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
    throw new InputError(file, 1, 1, err.message);
  }
}
