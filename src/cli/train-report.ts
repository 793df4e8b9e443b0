// What `simdnet train` prints: the held-out figures first, then how training stopped, the training
// figures, the network and the data's encoding, and the --test figures; or all of it as one JSON object.
import type { NN } from '../index.js';
import { headline, report, scoreFields, type Scores } from './assess.js';
import type { Encoded } from './dataset.js';
import type { Fitted } from './fit.js';
import { missingNotes } from './missing.js';
import { counted, nameList } from './report.js';
import { oneHotColumns, schemaInputs, type Schema } from './schema.js';

export interface TrainOutcome {
  fitted: Fitted;
  /** whether the saved network was trained again on every row for the chosen number of epochs */
  refit: boolean;
  /** `from`: the --validation-file, or null for rows held out of the training file */
  heldOut: { rows: number; scores: Scores; from: string | null } | null;
  training: { rows: number; scores: Scores };
  test: { file: string; scores: Scores } | null;
}

export interface TrainAbout {
  net: NN;
  schema: Schema;
  data: Encoded;
  fraction: number;
  patience: number;
  epochs: number;
  taskNote: string | null;
  /** the model file written, if any (not standard output) */
  out: string | undefined;
}

/** How training ended and which epoch the saved model stands for. */
function stopLine(a: TrainAbout, o: TrainOutcome): string {
  const { fitted } = o;
  const ran = fitted.history.length;
  const how =
    fitted.stoppedBy === 'patience'
      ? `stopped at epoch ${ran}: no better held-out loss for ${a.patience} epochs; best epoch ${fitted.keptEpoch}`
      : fitted.keptEpoch === ran
        ? `ran all ${a.epochs} epochs${o.heldOut ? '' : ' (no held-out rows, so no early stopping)'}`
        : `ran all ${a.epochs} epochs; best epoch ${fitted.keptEpoch}`;
  if (!o.heldOut) return how;
  return o.refit
    ? `${how}; then trained again on all ${a.data.rows} rows for ${counted(fitted.keptEpoch, 'epoch')} (--no-refit keeps the model the held-out figures describe)`
    : `${how}; kept epoch ${fitted.keptEpoch}'s weights`;
}

export function trainSummary(a: TrainAbout, o: TrainOutcome): string[] {
  const { net, schema } = a;
  const target = schema.target!;
  const classification = target.task === 'classification';
  const r = o.fitted.report;
  const encoded = oneHotColumns(schema);
  const heldFrom = o.heldOut
    ? o.heldOut.from === null
      ? `${Math.round(a.fraction * 100)}% of the rows${classification ? ', stratified' : ''}`
      : `${o.heldOut.rows} rows of ${o.heldOut.from}`
    : '';
  return [
    ...(o.heldOut ? [`held-out (${heldFrom}): ${headline(o.heldOut.scores)}`] : []),
    stopLine(a, o),
    `training (${o.training.rows} rows): ${headline(o.training.scores)}`,
    `${net.layers.join('-')} ${target.task} of "${target.column}" from ${schema.features.length} feature columns: ` +
      `${o.fitted.history.length} epochs in ${(r.elapsedMs / 1000).toFixed(2)} s, ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} samples/s on ${net.engine} (${net.build})`,
    ...(encoded.length > 0
      ? [`one-hot encoded: ${encoded.map(([name, k]) => `${name} (${k.length}: ${nameList(k)})`).join('; ')}`]
      : []),
    ...missingNotes(a.data.dropped, a.data.filled),
    ...(o.test ? [`test (${o.test.file}): ${report(o.test.scores)}`] : []),
    ...(a.out !== undefined ? [`model written to ${a.out}`] : []),
  ];
}

export function trainResult(a: TrainAbout, o: TrainOutcome): Record<string, unknown> {
  const { net, schema, data } = a;
  const target = schema.target!;
  const r = o.fitted.report;
  return {
    task: target.task,
    ...(a.taskNote ? { taskNote: a.taskNote } : {}),
    target: target.column,
    features: schema.features,
    inputs: schemaInputs(schema),
    encoded: Object.fromEntries(oneHotColumns(schema)),
    missing: schema.missing,
    droppedRows: data.dropped,
    filledCells: data.filled,
    rows: data.rows,
    trainingRows: o.training.rows,
    validationRows: o.heldOut?.rows ?? 0,
    layers: net.layers,
    engine: net.engine,
    build: net.build,
    epochs: o.fitted.history.length,
    keptEpoch: o.fitted.keptEpoch,
    stoppedBy: o.fitted.stoppedBy,
    refit: o.refit,
    elapsedMs: Math.round(r.elapsedMs),
    samplesPerSecond: Math.round(r.samplesPerSecond),
    ...(target.task === 'classification' ? { classes: target.classes } : {}),
    heldOut: o.heldOut && scoreFields(o.heldOut.scores),
    training: scoreFields(o.training.scores),
    test: o.test && scoreFields(o.test.scores),
    ...legacyFields(o.training.scores, o.heldOut?.scores ?? null),
    ...(a.out !== undefined ? { model: a.out } : {}),
  };
}

/** The field names of earlier versions' --json output, kept for scripts that read them. */
function legacyFields(training: Scores, heldOut: Scores | null): Record<string, number> {
  const out: Record<string, number> = { trainingLoss: training.loss };
  if (training.task === 'classification') out.trainingAccuracy = training.accuracy;
  else out.trainingRmse = training.rmse;
  if (heldOut) {
    out.validationLoss = heldOut.loss;
    if (heldOut.task === 'classification') out.validationAccuracy = heldOut.accuracy;
    else out.validationRmse = heldOut.rmse;
  }
  return out;
}
