// simdnet predict <model> <data>: one output row per input row, as CSV (or JSON).
import { ENGINES, choiceFlag } from './flags.js';
import { encode } from './dataset.js';
import { writeAtomic } from './files.js';
import { loadModel } from './model-file.js';
import { csvCell } from './report.js';
import { readTable } from './table.js';
import { schemaFor } from './evaluate.js';
import { asUsage } from './train.js';

export interface PredictFlags { engine: string; delimiter?: string; out?: string; json?: boolean }

export async function predict(modelFile: string, dataFile: string, f: PredictFlags): Promise<void> {
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const { net, schema: saved } = await loadModel(modelFile, engine);
  try {
    const table = readTable(dataFile, f.delimiter === undefined ? {} : { delimiter: f.delimiter });
    const schema = schemaFor(saved, undefined, table.columns, net.inputSize, net.outputSize);
    const data = encode(table, schema, false);
    const y = await asUsage(() => net.predict(data.x));
    const k = net.outputSize, target = schema.target;
    let header: string[];
    const rows: (string | number)[][] = [];
    if (target?.task === 'classification') {
      // the predicted class, then one probability column per class
      header = [target.column, ...target.classes.map((c) => `p(${c})`)];
      for (let r = 0; r < data.rows; r++) {
        const p = Array.from(y.subarray(r * k, (r + 1) * k));
        rows.push([target.classes[p.indexOf(Math.max(...p))]!, ...p]);
      }
    } else if (target?.task === 'regression') {
      header = [target.column];
      for (let r = 0; r < data.rows; r++) rows.push([y[r]! * target.std + target.mean]);
    } else {
      header = Array.from({ length: k }, (_, i) => `output_${i}`);
      for (let r = 0; r < data.rows; r++) rows.push(Array.from(y.subarray(r * k, (r + 1) * k)));
    }
    const text = f.json
      ? `${JSON.stringify(rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]]))))}\n`
      : `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
    if (f.out) {
      writeAtomic(f.out, text);
      process.stderr.write(`${data.rows} predictions written to ${f.out}\n`);
    } else process.stdout.write(text);
  } finally {
    net.dispose();
  }
}
