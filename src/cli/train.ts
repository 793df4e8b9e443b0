// simdnet train <data> --target <column>: fits a network to a CSV or JSON table, holding rows out
// (or reading them from --validation-file) to stop early and to report on, and saves it.
import { basename, extname } from 'node:path';
import { NN, type ActivationName, type LossName, type NetworkOptions } from '../index.js';
import { OPTIMIZERS } from '../vocabulary.js';
import { figure, score } from './assess.js';
import { trainResult, trainSummary, type TrainOutcome } from './train-report.js';
import { encode, fitSchema, type Encoded, type ReadPolicy } from './dataset.js';
import { asUsage, UsageError } from './errors.js';
import { checkOutput, STDIO } from './files.js';
import { trainHeldOut, type Rows } from './fit.js';
import { learningRateOf, TRAIN_DEFAULTS } from './defaults.js';
import { ENGINES, choiceFlag, intFlag, layersFlag, listFlag, numberFlag } from './flags.js';
import { writeHistory, writePlot } from './history.js';
import { MISSING_POLICIES } from './missing.js';
import { modelFormat, saveModel } from './model-file.js';
import { schemaInputs, type Schema } from './schema.js';
import { holdOut, takeRows } from './split.js';
import { readTable, type ReadOptions } from './table.js';

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
  lr?: string;
  seed: string;
  engine: string;
  validation: string;
  validationFile?: string;
  patience: string;
  test?: string;
  delimiter?: string;
  header?: boolean;
  decimal?: string;
  missing: string;
  out?: string;
  format?: string;
  resumable?: boolean;
  mkdir?: boolean;
  plot?: string;
  history?: string;
  refit?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export async function train(file: string, f: TrainFlags): Promise<void> {
  const task = choiceFlag('--task', f.task, ['auto', 'classification', 'regression'] as const);
  const hidden = layersFlag(f.layers);
  const epochs = intFlag('--epochs', f.epochs, 1, 1e7);
  const batchSize = f.batch === 'full' ? ('full' as const) : intFlag('--batch', f.batch, 1);
  const optimizer = choiceFlag('--optimizer', f.optimizer, OPTIMIZERS);
  const learningRate =
    f.lr === undefined ? learningRateOf(optimizer) : numberFlag('--lr', f.lr, (n) => n > 0, 'a number > 0');
  const seed = intFlag('--seed', f.seed, 0, 0xffffffff);
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const fraction = numberFlag('--validation', f.validation, (n) => n >= 0 && n < 1, 'a fraction in [0, 1)');
  const patience = intFlag('--patience', f.patience, 0, 1e7);
  const missing = choiceFlag('--missing', f.missing, MISSING_POLICIES);
  const mkdir = Boolean(f.mkdir);
  const format = f.out === undefined ? 'json' : modelFormat(f.out, f.format);
  if (f.out !== undefined) checkOutput('--out', f.out, mkdir);
  if (f.plot !== undefined) checkOutput('--plot', f.plot, mkdir);
  if (f.history !== undefined) {
    if (!['.json', '.csv'].includes(extname(f.history).toLowerCase()))
      throw new UsageError(`--history writes a .json or a .csv file, got "${f.history}"`);
    checkOutput('--history', f.history, mkdir);
  }
  const stdoutModel = f.out === STDIO;
  // with the model on standard output, the summary goes to standard error
  const write = (text: string): boolean => (stdoutModel ? process.stderr : process.stdout).write(text);
  const note = (line: string): void => {
    if (!f.quiet) process.stderr.write(`${line}\n`);
  };

  const read: ReadOptions = { delimiter: f.delimiter, header: f.header, decimal: f.decimal };
  const table = readTable(file, read);
  const { schema, note: taskNote } = fitSchema(table, f.target, {
    task,
    missing,
    ...(f.features === undefined ? {} : { features: listFlag(f.features)! }),
  });
  if (taskNote) note(taskNote);
  const policy: ReadPolicy = { missing, unknownCategory: 'error' };
  const target = schema.target!;
  const classification = target.task === 'classification';
  const loss = f.loss as LossName | undefined;
  const outputs = classification ? classOutputs(target.classes.length, loss) : 1;
  const data = encode(table, schema, true, policy, outputs);
  const inputs = schemaInputs(schema).length;
  const split = heldOutRows(data, inputs, outputs, {
    fraction,
    seed,
    classification,
    file: f.validationFile,
    // too few rows to hold any out: with the default fraction, train on all of them and say so
    optional: f.validation === TRAIN_DEFAULTS.validation,
  });
  if (split.skipped)
    note(`${data.rows} rows are too few to hold any out; training on all of them without early stopping`);
  const heldOut =
    split.heldOut ?? (f.validationFile ? encodeFile(f.validationFile, read, schema, policy, outputs) : null);
  // read before training, so that a bad file stops the run before it spends any time
  const testData = f.test === undefined ? null : encodeFile(f.test, read, schema, policy, outputs);

  // the library's defaults do the rest: initial weights, weight decay, z-scored inputs and a
  // standardised regression target (both kept in the model), and for classes the output layer and
  // loss the targets ask for (softmax and cross-entropy; one sigmoid output and binary cross-entropy for two)
  const head: Pick<NetworkOptions, 'output' | 'loss'> = loss
    ? { output: !classification ? 'linear' : outputs === 1 ? 'sigmoid' : 'softmax', loss }
    : classification
      ? {}
      : { output: 'linear' };
  const create = (): Promise<NN> =>
    asUsage(() =>
      NN.create({
        layers: [inputs, ...hidden, outputs],
        activation: f.activation as ActivationName,
        ...head,
        engine,
        seed,
      }),
    );
  const options = { batchSize, learningRate, optimizer, quiet: Boolean(f.quiet) };
  let net = await create();
  try {
    const fitted = await trainHeldOut(net, split.train, heldOut && { x: heldOut.x, t: heldOut.t! }, {
      ...options,
      epochs,
      patience,
    });
    const heldScores = heldOut ? score(net, target, heldOut) : null;
    // rows held out of the file choose the epoch; then a fresh network learns from every row for
    // that many epochs (measured to do better on unseen rows than keeping the 80% model)
    const refit = split.heldOut !== null && f.refit !== false;
    if (refit) {
      note(`training again on all ${data.rows} rows for ${fitted.keptEpoch} epochs`);
      net.dispose();
      net = await create();
      await trainHeldOut(net, { x: data.x, t: data.t! }, null, { ...options, epochs: fitted.keptEpoch, patience: 0 });
    }
    const trained = refit ? data : split.trainEncoded;
    const outcome: TrainOutcome = {
      fitted,
      refit,
      heldOut: heldScores && {
        rows: heldOut!.rows,
        scores: heldScores,
        from: split.heldOut ? null : f.validationFile!,
      },
      training: { rows: trained.rows, scores: score(net, target, trained) },
      test: testData && { file: f.test!, scores: score(net, target, testData) },
    };
    if (f.out !== undefined) saveModel(f.out, net, schema, { format, resumable: Boolean(f.resumable), mkdir });
    if (f.history !== undefined) writeHistory(f.history, fitted.history, mkdir);
    if (f.plot !== undefined)
      writePlot(
        f.plot,
        `${net.layers.join('-')} on ${basename(table.file)}: ${heldScores ? `held-out ${figure(heldScores)}` : `training ${figure(outcome.training.scores)}`}`,
        fitted.history,
        mkdir,
      );
    const about = { net, schema, data, fraction, patience, epochs, taskNote, out: stdoutModel ? undefined : f.out };
    write(f.json ? `${JSON.stringify(trainResult(about, outcome))}\n` : `${trainSummary(about, outcome).join('\n')}\n`);
  } finally {
    net.dispose();
  }
}

/**
 * The network's outputs for `classes` classes: one per class, but a single sigmoid output for two
 * (the library's head for a 0/1 target), unless --loss asks for a loss over one output per class.
 */
function classOutputs(classes: number, loss: LossName | undefined): number {
  return classes === 2 && (loss === undefined || loss === 'binary-cross-entropy') ? 1 : classes;
}

/** A second table (--validation-file, --test) read with the training schema and policy. */
function encodeFile(path: string, read: ReadOptions, schema: Schema, policy: ReadPolicy, outputs: number): Encoded {
  return encode(readTable(path, read), schema, true, policy, outputs);
}

/** Splits the encoded rows into training and held-out ones (none with --validation 0 or a --validation-file). */
function heldOutRows(
  data: Encoded,
  inputs: number,
  outputs: number,
  o: { fraction: number; seed: number; classification: boolean; file: string | undefined; optional: boolean },
): { train: Rows; trainEncoded: Encoded; heldOut: Encoded | null; skipped: boolean } {
  const all = { train: { x: data.x, t: data.t! }, trainEncoded: data, heldOut: null, skipped: false };
  if (o.file !== undefined || o.fraction === 0) return all;
  const { train, held } = holdOut(data.rows, o.fraction, o.seed, o.classification ? data.labels : null);
  if ((held.length < 1 || train.length < 1) && o.optional) return { ...all, skipped: true };
  if (held.length < 1 || train.length < 1)
    throw new UsageError(
      `--validation ${o.fraction} holds out ${held.length} of ${data.rows} rows; each side needs at least 1 (--validation 0 turns holding out off)`,
    );
  const subset = (rows: Int32Array): Encoded => ({
    ...data,
    rows: rows.length,
    x: takeRows(data.x, inputs, rows),
    t: takeRows(data.t!, outputs, rows),
    labels: Float64Array.from(rows, (r) => data.labels![r]!),
    source: Int32Array.from(rows, (r) => data.source[r]!),
  });
  const trainEncoded = subset(train);
  return { train: { x: trainEncoded.x, t: trainEncoded.t! }, trainEncoded, heldOut: subset(held), skipped: false };
}
