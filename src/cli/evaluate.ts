// simdnet evaluate <model> <data>: accuracy, per-class precision, recall and F1 and the confusion
// matrix (classification), or RMSE, MAE and R² (regression), of any model file on a table.
import { report, score, scoreFields } from './assess.js';
import { encode, readPolicy } from './dataset.js';
import { UsageError } from './errors.js';
import { shownName } from './files.js';
import { ENGINES, choiceFlag, listFlag } from './flags.js';
import { missingNotes } from './missing.js';
import { loadModel, type LoadedModel } from './model-file.js';
import type { Schema } from './schema.js';
import { readTable } from './table.js';

export interface ReadFlags {
  engine: string;
  delimiter?: string;
  header?: boolean;
  decimal?: string;
  missing?: string;
  unknownCategory?: string;
  features?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface EvaluateFlags extends ReadFlags {
  target?: string;
}

export async function evaluate(modelFile: string, dataFile: string, f: EvaluateFlags): Promise<void> {
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const loaded = await loadModel(modelFile, engine);
  const net = loaded.net;
  try {
    const policy = readPolicy(loaded.schema, shownName(modelFile), f);
    const table = readTable(dataFile, { delimiter: f.delimiter, header: f.header, decimal: f.decimal });
    const schema = readingSchema(loaded, shownName(modelFile), table.columns, {
      target: f.target,
      features: listFlag(f.features),
      role: 'evaluate',
    });
    const target = schema.target!;
    const data = encode(table, schema, true, policy, net.layers.at(-1)!);
    const scores = score(net, target, data);
    const notes = missingNotes(data.dropped, data.filled);
    if (f.json) {
      const result = {
        model: shownName(modelFile),
        data: table.file,
        task: target.task,
        target: target.column,
        missing: policy.missing,
        droppedRows: data.dropped,
        filledCells: data.filled,
        ...scoreFields(scores),
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    process.stdout.write(`${[report(scores), ...notes].join('\n')}\n`);
  } finally {
    net.dispose();
  }
}

/**
 * The schema to read data with: the model's own, with --target naming another column if given.
 * A model without one (a plain library model, ONNX, TF.js) reads the --features columns, or the
 * inputs' names it carries when the data has them all, or else every column but the target (and
 * predict's --id), in order; its output layer says what the target is.
 */
export function readingSchema(
  loaded: LoadedModel,
  model: string,
  columns: string[],
  ask: {
    target?: string | undefined;
    features?: string[] | undefined;
    id?: string | undefined;
    role: 'evaluate' | 'predict';
  },
): Schema {
  const { schema: saved, kind } = loaded;
  const inputs = loaded.net.layers[0]!;
  if (saved) {
    if (ask.role === 'evaluate' && !saved.target && !ask.target)
      throw new UsageError(
        `${model} names no target column; say which column holds the true values with --target COLUMN`,
      );
    if (!ask.target) return saved;
    const target = saved.target ?? readingTarget(loaded, ask.target);
    return { ...saved, target: { ...target, column: ask.target } };
  }
  if (ask.role === 'evaluate' && !ask.target)
    throw new UsageError(
      `${model} (${kind}) carries no column schema, so it does not know which column holds the true values: name it with --target COLUMN`,
    );
  const named = loaded.features?.every((name) => columns.includes(name)) ? loaded.features : null;
  const features = ask.features ?? named ?? columns.filter((c) => c !== ask.target && c !== ask.id);
  if (ask.features && features.length !== inputs)
    throw new UsageError(
      `--features names ${features.length} columns, and ${model} has ${inputs} inputs (without a column schema, one column per input)`,
    );
  if (features.length !== inputs)
    throw new UsageError(
      `${model} has ${inputs} inputs and no column schema, so its inputs are the data's columns in order` +
        ` (all but ${ask.role === 'evaluate' ? '--target' : '--id'}); the data has ${features.length}: name the ${inputs} feature columns with --features`,
    );
  return { features, target: ask.target ? readingTarget(loaded, ask.target) : null };
}

/** A target read by the model's output layer: its classes (labels, or indices 0, 1, …), or numbers as they are. */
function readingTarget(loaded: LoadedModel, column: string): NonNullable<Schema['target']> {
  const { task, classes } = loaded.output;
  return task === 'classification' ? { column, task, classes } : { column, task: 'regression' };
}
