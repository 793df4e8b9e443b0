// How well a model does on encoded rows: accuracy, per-class precision, recall and F1 and the
// confusion matrix for a classifier; RMSE, MAE and R² (in the target's units) for a regression.
// Used by `evaluate`, by `train --test`, and for train's held-out summary.
import type { NN } from '../index.js';
import type { Encoded } from './dataset.js';
import { confusionTable, percent } from './report.js';
import type { TargetSchema } from './schema.js';

export interface ClassScores {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  /** rows of this class in the data */
  support: number;
}

export type Scores =
  | {
      task: 'classification';
      rows: number;
      loss: number;
      accuracy: number;
      perClass: ClassScores[];
      confusion: number[][];
    }
  | { task: 'regression'; rows: number; loss: number; rmse: number; mae: number; r2: number };

/** The predicted class of each output row: the largest output, or ≥ 0.5 for a single sigmoid output. */
export function predictedClasses(y: Float32Array, outputs: number): Int32Array {
  const rows = y.length / outputs;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (outputs === 1) {
      out[r] = y[r]! >= 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < outputs; c++) if (y[r * outputs + c]! > y[r * outputs + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Scores of a network on encoded rows with their targets (data.t and data.labels set). */
export function score(net: NN, target: TargetSchema, data: Encoded): Scores {
  const y = net.predict(data.x);
  const loss = net.evaluate(data.x, data.t!).loss;
  const labels = data.labels!;
  if (target.task === 'classification')
    return classification(target.classes, predictedClasses(y, net.layers.at(-1)!), labels, loss);
  return { task: 'regression', rows: data.rows, loss, ...regression(y, labels) };
}

function classification(classes: string[], predicted: Int32Array, actual: Float64Array, loss: number): Scores {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < predicted.length; i++) confusion[actual[i]!]![predicted[i]!]!++;
  let hits = 0;
  const perClass = classes.map((name, c) => {
    const tp = confusion[c]![c]!;
    hits += tp;
    const support = confusion[c]!.reduce((s, n) => s + n, 0);
    const called = confusion.reduce((s, row) => s + row[c]!, 0);
    // scikit-learn's convention: a ratio with nothing to divide by is 0
    const precision = called > 0 ? tp / called : 0,
      recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { class: name, precision, recall, f1, support };
  });
  return {
    task: 'classification',
    rows: predicted.length,
    loss,
    accuracy: hits / predicted.length,
    perClass,
    confusion,
  };
}

/** RMSE, MAE and R² (1 − residual sum of squares / total sum of squares around the mean). */
export function regression(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
): { rmse: number; mae: number; r2: number } {
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= n;
  let se = 0,
    ae = 0,
    total = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i]! - actual[i]!;
    se += e * e;
    ae += Math.abs(e);
    total += (actual[i]! - mean) ** 2;
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: total > 0 ? 1 - se / total : Number.NaN };
}

/** The one-line figure of a score: accuracy, or RMSE (and the loss). */
export function headline(s: Scores): string {
  return s.task === 'classification'
    ? `accuracy ${percent(s.accuracy)} (${Math.round(s.accuracy * s.rows)} of ${s.rows} rows), loss ${s.loss.toPrecision(4)}`
    : `RMSE ${s.rmse.toPrecision(4)}, MAE ${s.mae.toPrecision(4)}, R² ${s.r2.toFixed(3)} over ${s.rows} rows (loss ${s.loss.toPrecision(4)})`;
}

/** The figure alone: accuracy, or RMSE. */
export const figure = (s: Scores): string =>
  s.task === 'classification' ? `accuracy ${percent(s.accuracy)}` : `RMSE ${s.rmse.toPrecision(4)}`;

/** The full report: the headline, then per-class scores and the confusion matrix for a classifier. */
export function report(s: Scores): string {
  if (s.task === 'regression') return headline(s);
  const name = Math.max(5, ...s.perClass.map((c) => Math.min(c.class.length, 24)));
  const cell = (v: string): string => v.padStart(10);
  const line = (label: string, values: string[]): string =>
    `${(label.length > 24 ? `${label.slice(0, 23)}…` : label).padEnd(name)}${values.map(cell).join('')}`;
  const macro = (key: 'precision' | 'recall' | 'f1'): string =>
    percent(s.perClass.reduce((sum, c) => sum + c[key], 0) / s.perClass.length);
  return [
    headline(s),
    line('class', ['precision', 'recall', 'F1', 'rows']),
    ...s.perClass.map((c) =>
      line(c.class, [percent(c.precision), percent(c.recall), percent(c.f1), String(c.support)]),
    ),
    line('macro', [macro('precision'), macro('recall'), macro('f1'), String(s.rows)]),
    confusionTable(
      s.confusion,
      s.perClass.map((c) => c.class),
    ),
  ].join('\n');
}

/** The scores as JSON fields. */
export function scoreFields(s: Scores): Record<string, unknown> {
  if (s.task === 'regression') return { rows: s.rows, loss: s.loss, rmse: s.rmse, mae: s.mae, r2: s.r2 };
  return {
    rows: s.rows,
    loss: s.loss,
    accuracy: s.accuracy,
    classes: s.perClass.map((c) => c.class),
    perClass: s.perClass,
    confusionMatrix: s.confusion,
  };
}
