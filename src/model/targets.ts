// Targets as users give them: rows of numbers, or class labels (strings, or numbers for the output
// of that index), which become one-hot rows (or one 0/1 column) through the model's classes. And
// what the targets say about the task: the output layer and loss a new network takes from them.
import { FloatArray } from '../float.js';
import { describe, rangeError, typeError } from '../check.js';
import { toMatrix, type Matrix } from './data.js';
import type { Label, LossName } from '../vocabulary.js';

/** A classifier's number of classes: one per output, or two for a single sigmoid output. */
export const classCount = (outputs: number): number => (outputs === 1 ? 2 : outputs);

/** The labels of `value` when it is one label per row, else null (rows of numbers, read by toMatrix). */
function labelsOf(value: unknown, rows: number, outputs: number): unknown[] | null {
  const flat = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!flat) return null;
  const list = value as ArrayLike<unknown>;
  if (list.length === 0) return null;
  if (typeof list[0] === 'string') return Array.from(list);
  if (typeof list[0] !== 'number' || list.length !== rows) return null;
  // one number per row: labels, unless they are a single output's values
  return outputs > 1 ? Array.from(list) : null;
}

/** The classes a first training run learns from its labels: strings in order of first appearance, numbers in numeric order. */
function learnClasses(labels: unknown[], outputs: number, field: string): Label[] {
  const count = classCount(outputs);
  const seen = new Set<Label>();
  labels.forEach((label, i) => {
    if (typeof label !== typeof labels[0] || (typeof label === 'number' && !Number.isFinite(label)))
      throw typeError(`${field}[${i}]`, `a label like the first (${typeof labels[0]}s)`, label);
    seen.add(label as Label);
  });
  let classes = [...seen];
  if (typeof labels[0] === 'number') {
    const numbers = (classes as number[]).sort((a, b) => a - b);
    // integers from 0 name the outputs themselves, whether or not every one occurs
    if (numbers.every((n) => Number.isInteger(n) && n >= 0 && n < count))
      return Array.from({ length: count }, (_, i) => i);
    classes = numbers;
  }
  if (classes.length !== count)
    throw rangeError(
      field,
      `labels of ${count} classes (${outputs === 1 ? 'one output: two classes' : 'one per output'})`,
      `${classes.length} distinct labels (${classes.slice(0, 12).map(describe).join(', ')}${classes.length > 12 ? ', …' : ''})`,
    );
  return classes;
}

/**
 * Reads targets for `rows` input rows: rows of numbers as they are, or labels as one-hot rows (one
 * 0/1 column for one output) through `classes`. Without classes, `learn` learns them from the
 * labels (a first training run); otherwise only integer labels, naming outputs, are understood.
 */
export function readTargets(
  value: unknown,
  rows: number,
  outputs: number,
  classes: readonly Label[] | undefined,
  field: string,
  learn: boolean,
): { t: Matrix; classes: Label[] | undefined; labelled: boolean } {
  const labels = labelsOf(value, rows, outputs);
  if (!labels) return { t: toMatrix(value, outputs, field), classes: classes?.slice(), labelled: false };
  if (labels.length !== rows) throw rangeError(field, `${rows} labels, one per input row`, `${labels.length} labels`);
  let known = classes?.slice();
  if (!known) {
    if (learn) known = learnClasses(labels, outputs, field);
    else if (labels.every((l) => Number.isInteger(l) && (l as number) >= 0 && (l as number) < classCount(outputs)))
      known = Array.from({ length: classCount(outputs) }, (_, i) => i);
    else
      throw new TypeError(
        `${field}: the network has no class labels (it learned from rows of numbers), so labels must be output indices 0 to ${classCount(outputs) - 1}; got ${describe(labels.find((l) => !Number.isInteger(l)) ?? labels[0])}`,
      );
  }
  const index = new Map<Label, number>(known.map((c, i) => [c, i]));
  const t = new FloatArray(rows * outputs);
  labels.forEach((label, r) => {
    const c = index.get(label as Label);
    if (c === undefined)
      throw new RangeError(
        `${field}[${r}]: the label ${describe(label)} is not one of the network's classes (${known.map(describe).join(', ')})`,
      );
    if (outputs === 1) t[r] = c;
    else t[r * outputs + c] = 1;
  });
  return { t: { data: t, rows, cols: outputs, form: 'flat' }, classes: known, labelled: true };
}

/** The output layer and loss that targets ask for: classes → softmax (or sigmoid for one 0/1 column), else linear. */
export function headFor(t: Matrix, labelled: boolean): { output: 'softmax' | 'sigmoid' | 'linear'; loss: LossName } {
  const { data, cols } = t;
  if (cols === 1) {
    const binary = labelled || data.every((v) => v === 0 || v === 1);
    return binary ? { output: 'sigmoid', loss: 'binary-cross-entropy' } : { output: 'linear', loss: 'mse' };
  }
  if (labelled) return { output: 'softmax', loss: 'cross-entropy' };
  for (let at = 0; at < data.length; at += cols) {
    let ones = 0;
    for (let c = 0; c < cols; c++) {
      const v = data[at + c]!;
      if (v === 1) ones++;
      else if (v !== 0) return { output: 'linear', loss: 'mse' };
    }
    if (ones !== 1) return { output: 'linear', loss: 'mse' };
  }
  return { output: 'softmax', loss: 'cross-entropy' };
}
