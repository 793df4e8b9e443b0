// The CLI's model file: the library's toJSON() object (format 'simdnet', version 2) plus a `meta`
// field with the data schema (feature columns, the target's classes or scale). A plain library
// model without `meta` also loads; its inputs are then the data's columns in order. So do an ONNX
// file (.onnx) and a TensorFlow.js model.json (with its weight files beside it), without a schema.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { NN, type LossName, type ModelJSON } from '../index.js';
import { fromONNX, fromTFJS } from '../interop/index.js';
import { InputError, jsonSyntaxError, position } from './errors.js';
import { readText, writeAtomic } from './files.js';
import { isSchema, type Schema } from './dataset.js';

export interface LoadedModel {
  net: NN;
  /** null for a plain library model */
  schema: Schema | null;
}

export function saveModel(path: string, net: NN, schema: Schema): void {
  const json = { ...net.toJSON(), meta: schema };
  writeAtomic(path, `${JSON.stringify(json)}\n`);
}

export async function loadModel(file: string, engine: 'wasm' | 'js' | 'auto', loss?: LossName): Promise<LoadedModel> {
  if (/\.onnx$/i.test(file))
    return { net: await foreign(file, () => fromONNX(readBytes(file), { engine, loss })), schema: null };
  const text = readText(file);
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw jsonSyntaxError(file, text);
  }
  if (isTFJS(json))
    return {
      net: await foreign(file, () => fromTFJS(json as object, tfjsWeights(file, json), { engine, loss })),
      schema: null,
    };
  /** where a top-level key of the model is written (the start of the file when absent) */
  const keyAt = (key: string): { line: number; column: number } => {
    const m = new RegExp(`"${key.replace(/[^\w]/g, '')}"\\s*:`).exec(text);
    return position(text, m ? m.index : 0);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new InputError(file, 1, 1, 'not a simdnet model (expected a JSON object)');
  const { meta, ...model } = json as Record<string, unknown>;
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
  if (meta === undefined) return { net, schema: null };
  const why = isSchema(meta, net.layers[0]!, net.layers.at(-1)!);
  if (why) {
    net.dispose();
    const p = keyAt('meta');
    throw new InputError(file, p.line, p.column, `corrupted model: ${why}`);
  }
  return { net, schema: meta as Schema };
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      file,
      1,
      1,
      code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(err)})`,
    );
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
          file,
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
