// simdnet predict <model> <data>: one output row per input row, as CSV (or JSON), on stdout or --out.
import { predictedClasses } from './assess.js';
import { encode, readPolicy } from './dataset.js';
import { asUsage, InputError } from './errors.js';
import { checkOutput, shownName, STDIO, writeAtomic } from './files.js';
import { ENGINES, choiceFlag, listFlag } from './flags.js';
import { missingNotes } from './missing.js';
import { loadModel } from './model-file.js';
import { csvCell } from './report.js';
import { readTable } from './table.js';
import { readingSchema, type ReadFlags } from './evaluate.js';

export interface PredictFlags extends ReadFlags {
  out?: string;
  id?: string;
  mkdir?: boolean;
}

export async function predict(modelFile: string, dataFile: string, f: PredictFlags): Promise<void> {
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const out = f.out ?? STDIO;
  checkOutput('--out', out, Boolean(f.mkdir));
  const loaded = await loadModel(modelFile, engine);
  const net = loaded.net;
  try {
    const policy = readPolicy(loaded.schema, shownName(modelFile), f);
    const table = readTable(dataFile, { delimiter: f.delimiter, header: f.header, decimal: f.decimal });
    const idColumn = f.id === undefined ? -1 : table.columns.indexOf(f.id);
    if (f.id !== undefined && idColumn < 0) {
      const p = table.headerAt(0);
      throw new InputError(
        table.file,
        p.line,
        p.column,
        `no --id column "${f.id}"; the columns are ${table.columns.map((n) => `"${n}"`).join(', ')}`,
      );
    }
    const schema = readingSchema(loaded, shownName(modelFile), table.columns, {
      features: listFlag(f.features),
      id: f.id,
      role: 'predict',
    });
    const data = encode(table, schema, false, policy, net.layers.at(-1)!);
    const y = await asUsage(() => net.predict(data.x));
    const k = net.layers.at(-1)!;
    // a model without a schema is read by its output layer: its classes, or plain outputs
    const byOutput = loaded.output;
    const target =
      schema.target ??
      (byOutput.task === 'classification'
        ? { column: 'class', task: 'classification' as const, classes: byOutput.classes }
        : null);
    const classes = target?.task === 'classification' ? target.classes : null;
    const header = [
      ...(f.id === undefined ? [] : [f.id]),
      ...(target?.task === 'classification'
        ? [target.column, ...target.classes.map((c) => `p(${c})`)] // the class, then one probability per class
        : target?.task === 'regression'
          ? [target.column]
          : Array.from({ length: k }, (_, i) => `output_${i}`)),
    ];
    const chosen = classes ? predictedClasses(y, k) : null;
    // one output row per table row: a row left out by --missing drop keeps its place, with empty cells
    const rows: ((string | number | null)[] | null)[] = table.rows.map(() => null);
    data.source.forEach((source, r) => {
      const outputs = Array.from(y.subarray(r * k, (r + 1) * k));
      // one sigmoid output is the probability of the second class
      const probabilities = classes && k === 1 ? [1 - outputs[0]!, outputs[0]!] : outputs;
      rows[source] =
        target?.task === 'classification'
          ? [target.classes[chosen![r]!]!, ...probabilities]
          : target?.task === 'regression'
            ? [outputs[0]!]
            : outputs;
    });
    const withId = (row: (string | number | null)[] | null, r: number): (string | number | null)[] => {
      const cells = row ?? header.slice(f.id === undefined ? 0 : 1).map(() => null);
      return f.id === undefined ? cells : [table.rows[r]![idColumn]!, ...cells];
    };
    const text = f.json
      ? `${JSON.stringify(rows.map((row, r) => Object.fromEntries(withId(row, r).map((v, i) => [header[i], v]))))}\n`
      : `${[header, ...rows.map(withId)].map((row) => row.map((v) => (v === null ? '' : csvCell(v))).join(',')).join('\n')}\n`;
    const say = (line: string): void => {
      if (!f.quiet) process.stderr.write(`${line}\n`);
    };
    for (const note of missingNotes(data.dropped, data.filled, 'left without a prediction, their output cells empty'))
      say(note);
    writeAtomic(out, text, Boolean(f.mkdir));
    if (out !== STDIO) say(`${data.rows} predictions written to ${out}`);
  } finally {
    net.dispose();
  }
}
