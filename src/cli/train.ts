// simdnet train <data> --target <column>: fits a network to a CSV or JSON table and saves it.
import { NN, type ActivationName, type LossName, type OptimizerName } from '../index.js';
import { UsageError } from './errors.js';
import { ENGINES, choiceFlag, intFlag, layersFlag, numberFlag } from './flags.js';
import { encode, fitSchema, oneHotColumns, schemaInputs, type Task } from './dataset.js';
import { MISSING_POLICIES, missingNotes } from './missing.js';
import { saveModel } from './model-file.js';
import { Progress } from './progress.js';
import { nameList, percent } from './report.js';
import { permutation, takeRows } from './split.js';
import { readTable } from './table.js';

export interface TrainFlags {
  target: string;
  features?: string;
  task: string;
  layers: string;
  activation: string;
  loss?: string;
  optimizer: string;
  epochs: string;
  batch: string;
  lr: string;
  seed: string;
  engine: string;
  validation: string;
  delimiter?: string;
  missing: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

export const TRAIN_DEFAULTS = {
  task: 'auto',
  layers: '32',
  activation: 'relu',
  optimizer: 'adam',
  epochs: '100',
  batch: '32',
  lr: '0.01',
  seed: '42',
  engine: 'auto',
  validation: '0',
  missing: 'error',
};

/** Library validation errors (TypeError/RangeError naming the option) are usage errors here. */
export async function asUsage<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

export async function train(file: string, f: TrainFlags): Promise<void> {
  const task = choiceFlag('--task', f.task, ['auto', 'classification', 'regression'] as const);
  const hidden = layersFlag(f.layers);
  const epochs = intFlag('--epochs', f.epochs, 1, 1e7);
  const batch = f.batch === 'full' ? ('full' as const) : intFlag('--batch', f.batch, 1);
  const learningRate = numberFlag('--lr', f.lr, (n) => n > 0, 'a number > 0');
  const seed = intFlag('--seed', f.seed, 0, 0xffffffff);
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const validation = numberFlag('--validation', f.validation, (n) => n >= 0 && n < 1, 'a fraction in [0, 1)');
  const missing = choiceFlag('--missing', f.missing, MISSING_POLICIES);
  const features =
    f.features === undefined
      ? undefined
      : f.features
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);

  const table = readTable(file, { delimiter: f.delimiter });
  const schema = fitSchema(table, f.target, {
    task: task as Task | 'auto',
    missing,
    ...(features ? { features } : {}),
  });
  const data = encode(table, schema, true, { missing, unknownCategory: 'error' });
  const target = schema.target!;
  const classification = target.task === 'classification';
  const outputs = classification ? target.classes.length : 1;
  const inputs = schemaInputs(schema).length;

  // --validation holds out the last fraction of the rows after a seeded shuffle
  let x = data.x,
    t = data.t!,
    vx: Float32Array | null = null,
    vt: Float32Array | null = null;
  const held = Math.floor(data.rows * validation);
  if (validation > 0 && (held < 1 || held >= data.rows))
    throw new UsageError(
      `--validation ${validation} leaves ${held} of ${data.rows} rows for validation; need at least 1 on each side`,
    );
  if (held > 0) {
    const order = permutation(data.rows, seed);
    x = takeRows(data.x, inputs, order.subarray(0, data.rows - held));
    t = takeRows(data.t!, outputs, order.subarray(0, data.rows - held));
    vx = takeRows(data.x, inputs, order.subarray(data.rows - held));
    vt = takeRows(data.t!, outputs, order.subarray(data.rows - held));
  }

  const net = await asUsage(() =>
    NN.create({
      layers: [inputs, ...hidden, outputs],
      activation: f.activation as ActivationName,
      output: classification ? 'softmax' : 'linear',
      loss: (f.loss ?? (classification ? 'cross-entropy' : 'mse')) as LossName,
      init: 'auto',
      engine,
      seed,
      normalize: 'zscore',
    }),
  );
  try {
    const progress = new Progress(epochs, vx ? 'validation' : classification ? 'training' : '', Boolean(f.quiet));
    const history: { epoch: number; loss: number; validationLoss?: number; accuracy?: number }[] = [];
    const report = await asUsage(() =>
      net.train(x, t, {
        epochs,
        batchSize: batch,
        learningRate,
        optimizer: f.optimizer as OptimizerName,
        weightDecay: 0,
        onEpoch: (e) => {
          const row: (typeof history)[number] = { epoch: e.epoch, loss: e.loss };
          if (vx && vt) {
            row.validationLoss = net.evaluate(vx, vt).loss;
            if (classification) row.accuracy = net.accuracy(vx, vt);
          } else if (classification && data.rows <= 20000) row.accuracy = net.accuracy(x, t);
          history.push(row);
          progress.epoch({
            epoch: e.epoch,
            loss: e.loss,
            ...(row.accuracy === undefined ? {} : { accuracy: row.accuracy }),
            samplesPerSecond: e.samplesPerSecond,
          });
        },
      }),
    );
    progress.stop();

    const result: Record<string, unknown> = {
      task: target.task,
      target: target.column,
      features: schema.features,
      inputs: schemaInputs(schema),
      encoded: Object.fromEntries(oneHotColumns(schema)),
      missing,
      droppedRows: data.dropped,
      filledCells: data.filled,
      rows: data.rows,
      trainingRows: data.rows - held,
      validationRows: held,
      layers: net.layers,
      engine: net.engine,
      build: net.build,
      epochs: report.epochs,
      elapsedMs: Math.round(report.elapsedMs),
      samplesPerSecond: Math.round(report.samplesPerSecond),
      trainingLoss: report.loss,
    };
    if (classification) {
      result.classes = target.classes;
      result.trainingAccuracy = net.accuracy(x, t);
    } else {
      result.trainingRmse = rmse(net.predict(x), t) * target.std;
    }
    if (vx && vt) {
      result.validationLoss = net.evaluate(vx, vt).loss;
      if (classification) result.validationAccuracy = net.accuracy(vx, vt);
      else result.validationRmse = rmse(net.predict(vx), vt) * target.std;
    }
    if (f.out) {
      saveModel(f.out, net, schema);
      result.model = f.out;
    }
    if (f.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const lines = [
      `trained ${net.layers.join('-')} (${target.task} of "${target.column}" from ${schema.features.length} feature columns) on ${data.rows - held} rows: ` +
        `${report.epochs} epochs in ${(report.elapsedMs / 1000).toFixed(2)} s, ${Math.round(report.samplesPerSecond).toLocaleString('en-US')} samples/s on ${net.engine} (${net.build})`,
      `training loss ${report.loss.toPrecision(4)}` +
        (classification
          ? `, accuracy ${percent(result.trainingAccuracy as number)}`
          : `, RMSE ${(result.trainingRmse as number).toPrecision(4)}`),
    ];
    const encoded = oneHotColumns(schema);
    if (encoded.length > 0)
      lines.push(`one-hot encoded: ${encoded.map(([name, k]) => `${name} (${k.length}: ${nameList(k)})`).join('; ')}`);
    lines.push(...missingNotes(data.dropped, data.filled));
    if (vx)
      lines.push(
        `validation (${held} rows) loss ${(result.validationLoss as number).toPrecision(4)}` +
          (classification
            ? `, accuracy ${percent(result.validationAccuracy as number)}`
            : `, RMSE ${(result.validationRmse as number).toPrecision(4)}`),
      );
    if (f.out) lines.push(`model written to ${f.out}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    net.dispose();
  }
}

/** Root-mean-square difference of two equal-length arrays. */
export function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
}
