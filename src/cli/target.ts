// What a target is, class labels or numbers to predict: from the data, as scikit-learn's
// type_of_target reads a column; or, for a model file without a schema, from its output layer.
import type { NN } from '../index.js';
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

/** A model's task as its output layer shows it, for a model file that carries no schema. */
export function outputTask(net: NN): { task: Task; classes: string[] } {
  const { activations, loss } = net.toJSON({ training: false });
  const last = activations[activations.length - 1]!.name;
  const k = net.layers.at(-1)!;
  if (last === 'softmax') return { task: 'classification', classes: Array.from({ length: k }, (_, i) => String(i)) };
  if (last === 'sigmoid' && k === 1 && loss === 'binary-cross-entropy')
    return { task: 'classification', classes: ['0', '1'] };
  return { task: 'regression', classes: [] };
}
