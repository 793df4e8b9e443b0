// simdnet quantize <model> --out <file>: the model (any file simdnet reads) as an int8 network
// (net.quantize()), written as a simdnet model file with its column schema; prints both files'
// sizes and, with --test, the accuracy (or RMSE) of both networks on a table side by side.
// --calibration fits each layer's input range on a table's rows once (static quantization).
import type { NN } from '../index.js';
import { figure, score, scoreFields, type Scores } from './assess.js';
import { encode, readPolicy } from './dataset.js';
import { asUsage, UsageError } from './errors.js';
import { checkOutput, shownName, STDIO } from './files.js';
import { ENGINES, choiceFlag, listFlag } from './flags.js';
import { loadModel, modelContent, modelFormat, saveModel } from './model-file.js';
import { readTable } from './table.js';
import { readingSchema, type ReadFlags } from './evaluate.js';

export interface QuantizeFlags extends ReadFlags {
  out?: string;
  format?: string;
  calibration?: string;
  test?: string;
  target?: string;
  mkdir?: boolean;
}

export async function quantize(modelFile: string, f: QuantizeFlags): Promise<void> {
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  if (!f.out) throw new UsageError('--out is required: the int8 model file to write (.json, or .bin)');
  const format = modelFormat(f.out, f.format);
  checkOutput('--out', f.out, Boolean(f.mkdir));
  const loaded = await loadModel(modelFile, engine);
  const { net } = loaded;
  let q: NN | null = null;
  try {
    if (net.precision === 'int8')
      throw new UsageError(
        `${shownName(modelFile)} is quantized already (int8); quantize the float model it came from`,
      );
    const model = shownName(modelFile);
    const read = (file: string, role: 'evaluate' | 'predict') => {
      const table = readTable(file, { delimiter: f.delimiter, header: f.header, decimal: f.decimal });
      const schema = readingSchema(loaded, model, table.columns, {
        target: f.target,
        features: listFlag(f.features),
        role,
      });
      const policy = readPolicy(loaded.schema, model, f);
      return { schema, data: encode(table, schema, role === 'evaluate', policy, net.layers.at(-1)!) };
    };
    const calibration = f.calibration === undefined ? undefined : read(f.calibration, 'predict').data.x;
    const quantized = await asUsage(() => net.quantize({ calibration }));
    q = quantized;
    saveModel(f.out, quantized, loaded.schema, { format, resumable: false, mkdir: Boolean(f.mkdir) });
    const size = (n: NN): number => {
      const content = modelContent(n, loaded.schema, { format, resumable: false });
      return typeof content === 'string' ? Buffer.byteLength(content) : content.length;
    };
    const bytes = { float: size(net), int8: size(quantized) };
    let test: { float: Scores; int8: Scores } | null = null;
    if (f.test !== undefined) {
      const { schema, data } = read(f.test, 'evaluate');
      test = { float: score(net, schema.target!, data), int8: score(quantized, schema.target!, data) };
    }
    const say = (line: string) => (f.out === STDIO ? process.stderr : process.stdout).write(`${line}\n`);
    if (f.json) {
      say(
        JSON.stringify({
          model,
          out: f.out === STDIO ? '<stdout>' : f.out,
          format,
          calibrated: calibration !== undefined,
          bytes,
          ...(test && { test: { file: f.test, float32: scoreFields(test.float), int8: scoreFields(test.int8) } }),
        }),
      );
      return;
    }
    if (f.quiet && f.out === STDIO) return;
    const ratio = `${((100 * bytes.int8) / bytes.float).toFixed(1)}%`;
    say(
      `${net.layers.join('-')} quantized to int8${calibration ? ` (ranges calibrated on ${f.calibration})` : ''}: ` +
        `${bytes.int8.toLocaleString('en-US')} bytes, ${ratio} of the float model's ${bytes.float.toLocaleString('en-US')} (${format}), written to ${shownName(f.out)}`,
    );
    if (test) say(`test (${f.test}): float32 ${figure(test.float)}, int8 ${figure(test.int8)}`);
  } finally {
    q?.dispose();
    net.dispose();
  }
}
