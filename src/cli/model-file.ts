// The CLI's model file: the library's toJSON() object (format 'simdnet', version 1) plus a `meta`
// field with the data schema (feature columns, the target's classes or scale). A plain library
// model without `meta` also loads; its inputs are then the data's columns in order.
import { NN, type ModelJSON } from '../index.js';
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

export async function loadModel(file: string, engine: 'wasm' | 'js' | 'auto'): Promise<LoadedModel> {
  const text = readText(file);
  let json: unknown;
  try { json = JSON.parse(text.replace(/^\uFEFF/, '')); } catch { throw jsonSyntaxError(file, text); }
  /** where a top-level key of the model is written (the start of the file when absent) */
  const keyAt = (key: string): { line: number; column: number } => {
    const m = new RegExp(`"${key.replace(/[^\w]/g, '')}"\\s*:`).exec(text);
    return position(text, m ? m.index : 0);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new InputError(file, 1, 1, 'not a simdnet model (expected a JSON object)');
  const { meta, ...model } = json as Record<string, unknown>;
  if ((model as { format?: unknown }).format !== 'simdnet') {
    const p = keyAt('format');
    throw new InputError(file, p.line, p.column, `not a simdnet model (format is ${JSON.stringify((model as { format?: unknown }).format)}, expected "simdnet")`);
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
  const why = isSchema(meta, net.inputSize, net.outputSize);
  if (why) {
    net.dispose();
    const p = keyAt('meta');
    throw new InputError(file, p.line, p.column, `corrupted model: ${why}`);
  }
  return { net, schema: meta as Schema };
}
