// The rules of an architecture, applied alike to the options of NN.create and to every model read
// from a file: layer sizes, activations with the parameters that apply to them, softmax on the
// output only, and the initialiser's scale.
import { checkKeys, isPlainObject, number, oneOf, rangeError, typeError } from '../check.js';
import {
  ACTIVATIONS,
  MAX_LAYER_SIZE,
  type InitName,
  type NetworkConfig,
  type ResolvedActivation,
} from '../vocabulary.js';

export function resolveActivation(field: string, value: unknown): ResolvedActivation {
  if (typeof value === 'string') value = { name: value };
  if (!isPlainObject(value)) throw typeError(field, `an activation name or { name, gain, threshold, slope }`, value);
  checkKeys(field, value, ['name', 'gain', 'threshold', 'slope']);
  const name = oneOf(`${field}.name`, value.name, ACTIVATIONS, 'sigmoid');
  if (value.name === undefined) throw typeError(`${field}.name`, `one of ${ACTIVATIONS.join(', ')}`, undefined);
  const spec: ResolvedActivation = {
    name,
    gain: number(`${field}.gain`, value.gain, 1, 0, 1e6, { exclusiveMin: true }),
    threshold: number(`${field}.threshold`, value.threshold, 0, -1e6, 1e6),
    slope: number(`${field}.slope`, value.slope, 0.01, 0, 1),
  };
  if (name !== 'sigmoid' && (value.gain !== undefined || value.threshold !== undefined)) {
    throw new TypeError(`${field}: gain and threshold apply to 'sigmoid' only, not '${name}'`);
  }
  if (name !== 'leaky-relu' && value.slope !== undefined) {
    throw new TypeError(`${field}: slope applies to 'leaky-relu' only, not '${name}'`);
  }
  return spec;
}

/** Rules on the whole stack of activations (also applied to loaded models). */
export function checkArchitecture(
  layers: readonly number[],
  activations: readonly ResolvedActivation[],
  field: string,
  outputField: string,
): void {
  const last = activations.length - 1;
  activations.forEach((a, i) => {
    if (a.name === 'softmax' && i !== last) {
      throw new RangeError(`${field}[${i}]: softmax is only allowed on the output layer`);
    }
  });
  if (activations[last]!.name === 'softmax' && layers[layers.length - 1]! < 2) {
    throw new RangeError(
      `${outputField}: softmax needs at least 2 outputs, the last layer has ${layers[layers.length - 1]}`,
    );
  }
}

export function resolveInitScale(init: InitName, value: unknown, prefix: string): number | null {
  if (value === undefined || value === null) return null;
  if (init !== 'uniform' && init !== 'normal')
    throw new TypeError(`${prefix}initScale applies to init 'uniform' or 'normal', not '${init}'`);
  return number(`${prefix}initScale`, value, 0, 0, 1e6, { exclusiveMin: true });
}

export function resolveLayers(value: unknown): number[] {
  if (!Array.isArray(value)) throw typeError('layers', 'an array of layer sizes, input first', value);
  if (value.length < 2) throw rangeError('layers', 'at least 2 sizes (inputs and outputs)', value);
  return Array.from(value, (size: unknown, i) => {
    // visits holes, unlike map
    if (typeof size !== 'number') throw typeError(`layers[${i}]`, 'a positive integer', size);
    if (!Number.isInteger(size) || size < 1 || size > MAX_LAYER_SIZE) {
      throw rangeError(`layers[${i}]`, `a positive integer ≤ ${MAX_LAYER_SIZE}`, size);
    }
    return size;
  });
}

/** Whether two architectures take the same weights and train alike (what load() requires). */
export function sameArchitecture(a: NetworkConfig, b: NetworkConfig): boolean {
  return (
    a.layers.join() === b.layers.join() &&
    a.loss === b.loss &&
    a.bias === b.bias &&
    a.normalize === b.normalize &&
    a.activations.every((x, i) => {
      const y = b.activations[i]!;
      return x.name === y.name && x.gain === y.gain && x.threshold === y.threshold && x.slope === y.slope;
    })
  );
}
