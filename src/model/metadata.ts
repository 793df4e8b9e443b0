// The checks of a model's names: its inputs' (features) and its classes'. Shared by the model
// files, NN (labels learned at the first train) and the imports from other runtimes.
import { rangeError, typeError } from '../check.js';

/** Input names: one string per input. */
export function checkFeatures(value: unknown, inputs: number, field: string): string[] {
  if (!Array.isArray(value) || value.length !== inputs)
    throw rangeError(field, `an array of ${inputs} names (one per input)`, value);
  return Array.from(value, (name: unknown, i) => {
    if (typeof name !== 'string') throw typeError(`${field}[${i}]`, 'a string', name);
    return name;
  });
}

/** Class labels in output order: distinct, all strings or all finite numbers; two for one output. */
export function checkClasses(value: unknown, outputs: number, field: string): (string | number)[] {
  const count = outputs === 1 ? 2 : outputs;
  if (!Array.isArray(value) || value.length !== count)
    throw rangeError(
      field,
      `an array of ${count} labels (${outputs === 1 ? 'the labels of 0 and 1 for one output' : 'one per output'})`,
      value,
    );
  const kind = typeof value[0];
  const labels = Array.from(value, (label: unknown, i) => {
    if (typeof label === 'string' ? kind !== 'string' : typeof label !== 'number' || kind !== 'number')
      throw typeError(`${field}[${i}]`, `a ${kind === 'string' ? 'string' : 'number'} (all labels of one kind)`, label);
    if (typeof label === 'number' && !Number.isFinite(label))
      throw rangeError(`${field}[${i}]`, 'a finite number', label);
    return label as string | number;
  });
  const seen = new Set<string | number>();
  labels.forEach((label, i) => {
    if (seen.has(label)) throw rangeError(`${field}[${i}]`, 'a label not given before (labels are distinct)', label);
    seen.add(label);
  });
  return labels;
}
