// What a target is, class labels or numbers to predict: from the data, as scikit-learn's
// type_of_target reads a column; or, for a model file without a schema, from its output layer.
import type { Model } from '../model/model.js';
import type { QuantizedModel } from '../model/quantize.js';
import { decimalCommaCell, numeric } from './cells.js';
import { MAX_INTEGER_CLASSES } from './defaults.js';
import { nameList } from './report.js';
import type { Task } from './schema.js';

/**
 * The task a target column asks for, and a line saying why when the answer is not plain (integers
 * read as classes). Text labels are classes; integers with at most MAX_INTEGER_CLASSES distinct
 * values are classes; other numbers are a regression.
 */
export function detectTask(column: string, cells: string[]): { task: Task; note: string | null } {
  const numbers = cells.map(numeric);
  if (numbers.some((n) => n === null)) return { task: 'classification', note: null };
  if (!numbers.every((n) => Number.isInteger(n))) return { task: 'regression', note: null };
  const distinct = [...new Set(numbers as number[])].sort((a, b) => a - b);
  if (distinct.length > MAX_INTEGER_CLASSES) return { task: 'regression', note: null };
  return {
    task: 'classification',
    note:
      `"${column}" holds ${distinct.length} distinct integers (${nameList(distinct.map(String))}), ` +
      `so it is read as class labels; --task regression predicts it as a number`,
  };
}

/** Whether text target cells are numbers written with decimal commas (most of them "1,5"-like). */
export const decimalCommaTarget = (cells: string[]): boolean =>
  cells.filter(decimalCommaCell).length * 2 > cells.length;

/**
 * A model's task as its output layer shows it, for a model file that carries no schema: softmax, or
 * one sigmoid output trained with binary cross-entropy, is a classifier, its classes named by the
 * model's class labels or else by the output indices; anything else is a regression.
 */
export function outputTask(model: Model | QuantizedModel): { task: Task; classes: string[] } {
  const { activations, loss, layers } = model.config;
  const last = activations[activations.length - 1]!.name;
  const k = layers.at(-1)!;
  const classifier = last === 'softmax' || (last === 'sigmoid' && k === 1 && loss === 'binary-cross-entropy');
  if (!classifier) return { task: 'regression', classes: [] };
  const labels = model.metadata.classes ?? Array.from({ length: k === 1 ? 2 : k }, (_, i) => i);
  return { task: 'classification', classes: labels.map(String) };
}
