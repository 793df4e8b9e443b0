// simdnet predict <model> <data>: one output row per input row, as CSV (or JSON).
import { ENGINES, choiceFlag } from './flags.js';
import { encode, readPolicy } from './dataset.js';
import { writeAtomic } from './files.js';
import { loadModel } from './model-file.js';
import { csvCell } from './report.js';
import { missingNotes } from './missing.js';
import { readTable } from './table.js';
import { schemaFor } from './evaluate.js';
import { asUsage } from './train.js';

export interface PredictFlags {
  engine: string;
  delimiter?: string;
  missing?: string;
  unknownCategory?: string;
  out?: string;
  json?: boolean;
}

export async function predict(modelFile: string, dataFile: string, f: PredictFlags): Promise<void> {
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const { net, schema: saved } = await loadModel(modelFile, engine);
  try {
    const policy = readPolicy(saved, modelFile, f);
    const table = readTable(dataFile, { delimiter: f.delimiter });
    const schema = schemaFor(saved, undefined, table.columns, net.layers[0]!, net.layers.at(-1)!);
    const data = encode(table, schema, false, policy);
    const y = await asUsage(() => net.predict(data.x));
    const k = net.layers.at(-1)!,
      target = schema.target;
    const header =
      target?.task === 'classification'
        ? [target.column, ...target.classes.map((c) => `p(${c})`)] // the class, then one probability per class
        : target?.task === 'regression'
          ? [target.column]
          : Array.from({ length: k }, (_, i) => `output_${i}`);
    // one output row per table row: a row left out by --missing drop keeps its place, with empty cells
    const rows: ((string | number)[] | null)[] = table.rows.map(() => null);
    data.source.forEach((source, r) => {
      const out = Array.from(y.subarray(r * k, (r + 1) * k));
      if (target?.task === 'classification') rows[source] = [target.classes[out.indexOf(Math.max(...out))]!, ...out];
      else if (target?.task === 'regression') rows[source] = [out[0]! * target.std + target.mean];
      else rows[source] = out;
    });
    const text = f.json
      ? `${JSON.stringify(rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row ? row[i] : null]))))}\n`
      : `${[header, ...rows].map((row) => (row ?? header.map(() => '')).map(csvCell).join(',')).join('\n')}\n`;
    for (const note of missingNotes(data.dropped, data.filled, 'left without a prediction, their output cells empty'))
      process.stderr.write(`${note}\n`);
    if (f.out) {
      writeAtomic(f.out, text);
      process.stderr.write(`${data.rows} predictions written to ${f.out}\n`);
    } else process.stdout.write(text);
  } finally {
    net.dispose();
  }
}
