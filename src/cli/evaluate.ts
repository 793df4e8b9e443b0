// simdnet evaluate <model> <data>: accuracy and confusion matrix (classification) or RMSE (regression).
import { confusionMatrix } from '../index.js';
import { UsageError } from './errors.js';
import { ENGINES, choiceFlag } from './flags.js';
import { encode, readPolicy, type Schema } from './dataset.js';
import { loadModel } from './model-file.js';
import { confusionTable, percent } from './report.js';
import { missingNotes } from './missing.js';
import { readTable } from './table.js';
import { asUsage, rmse } from './train.js';

export interface EvaluateFlags {
  target?: string;
  engine: string;
  delimiter?: string;
  missing?: string;
  unknownCategory?: string;
  json?: boolean;
}

export async function evaluate(modelFile: string, dataFile: string, f: EvaluateFlags): Promise<void> {
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const { net, schema: saved } = await loadModel(modelFile, engine);
  try {
    const policy = readPolicy(saved, modelFile, f);
    const table = readTable(dataFile, { delimiter: f.delimiter });
    const schema = schemaFor(saved, f.target, table.columns, net.layers[0]!, net.layers.at(-1)!);
    const data = encode(table, schema, true, policy);
    const target = schema.target!;
    const result: Record<string, unknown> = {
      model: modelFile,
      data: dataFile,
      rows: data.rows,
      task: target.task,
      target: target.column,
      missing: policy.missing,
      droppedRows: data.dropped,
      filledCells: data.filled,
    };
    const y = await asUsage(() => net.predict(data.x));
    const loss = net.evaluate(data.x, data.t!).loss;
    result.loss = loss;
    let text: string;
    if (target.task === 'classification') {
      const k = target.classes.length;
      const counts = confusionMatrix(y, data.t!, k)
        .slice(0, k)
        .map((row) => row.slice(0, k));
      const hits = counts.reduce((s, row, i) => s + row[i]!, 0);
      Object.assign(result, { accuracy: hits / data.rows, classes: target.classes, confusionMatrix: counts });
      text = `accuracy ${percent(hits / data.rows)} (${hits} of ${data.rows} rows), loss ${loss.toPrecision(4)}\n${confusionTable(counts, target.classes)}`;
    } else {
      const predicted = Array.from(y, (v) => v * target.std + target.mean);
      const e = rmse(predicted, data.labels!);
      let mae = 0;
      for (let i = 0; i < predicted.length; i++) mae += Math.abs(predicted[i]! - data.labels![i]!);
      Object.assign(result, { rmse: e, mae: mae / data.rows });
      text = `RMSE ${e.toPrecision(4)}, MAE ${(mae / data.rows).toPrecision(4)} over ${data.rows} rows (loss ${loss.toPrecision(4)})`;
    }
    text = [text, ...missingNotes(data.dropped, data.filled)].join('\n');
    process.stdout.write(f.json ? `${JSON.stringify(result)}\n` : `${text}\n`);
  } finally {
    net.dispose();
  }
}

/**
 * The schema to read data with: the model's own, with --target naming another column if given;
 * a plain library model (no schema) reads every other column as a feature, class = output index.
 */
export function schemaFor(
  saved: Schema | null,
  target: string | undefined,
  columns: string[],
  inputs: number,
  outputs: number,
): Schema {
  if (saved) {
    if (!target || !saved.target) return saved;
    return { ...saved, target: { ...saved.target, column: target } };
  }
  const features = columns.filter((c) => c !== target);
  if (features.length !== inputs)
    throw new UsageError(
      `the model has ${inputs} inputs but the data has ${features.length} feature columns (a model without a saved schema uses every column except --target)`,
    );
  if (!target) return { features, target: null };
  return {
    features,
    target:
      outputs === 1
        ? { column: target, task: 'regression', mean: 0, std: 1 }
        : { column: target, task: 'classification', classes: Array.from({ length: outputs }, (_, i) => String(i)) },
  };
}
