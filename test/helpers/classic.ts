// The defaults NN.create and train had before the defaults that learn (sigmoid everywhere, the
// output the hidden activation unless a cross-entropy loss asks for softmax or sigmoid, 'sse'
// unless softmax, 'auto' initialisation, raw inputs; plain SGD, 10 epochs, no weight decay, no
// plateau stop), for the tests written against them: what they assumed stays what they test.
// Options given win.
import type { NetworkOptions, TrainOptions } from '../../src/index.js';

type Spec = NonNullable<NetworkOptions['output']>;
const nameOf = (a: Spec): string => (typeof a === 'string' ? a : a.name);

export function classic(options: NetworkOptions): NetworkOptions {
  if (options.preset) return options;
  const activation = options.activation ?? 'sigmoid';
  let output = options.output;
  if (output === undefined && !Array.isArray(activation)) {
    output =
      options.loss === 'cross-entropy'
        ? 'softmax'
        : options.loss === 'binary-cross-entropy'
          ? 'sigmoid'
          : (activation as Spec);
  }
  const last = output ?? (activation as readonly Spec[])[(activation as readonly Spec[]).length - 1]!;
  const loss = options.loss ?? (nameOf(last) === 'softmax' ? 'cross-entropy' : 'sse');
  return { init: 'auto', normalize: 'none', ...options, activation, ...(output ? { output } : {}), loss };
}

export function classicTrain(options?: TrainOptions): TrainOptions;
export function classicTrain<T extends object>(options: T): T & TrainOptions;
export function classicTrain(options?: object): TrainOptions {
  return { epochs: 10, optimizer: 'sgd', weightDecay: 0, ...options };
}
