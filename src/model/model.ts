// The model: all that a network is apart from the engine it runs on. Every format reads and writes
// this one value (JSON, binary, ONNX, TF.js, toFunction), and an NN is built from one and gives one.
import type { NetworkConfig } from '../vocabulary.js';
import type { Weights } from './weights.js';
import type { Normalizer } from './normalize.js';
import type { TrainingState } from './training-state.js';

/** What a model says about its data besides the network; feature and class names belong here. */
export interface ModelMetadata {
  /** data a tool keeps with the model (the CLI's column schema), carried through unchanged */
  meta?: unknown;
}

export interface Model {
  /** the architecture in normal form */
  config: NetworkConfig;
  /** weights (fanIn × fanOut, row-major) and biases per layer */
  params: Weights;
  /** the fitted input normaliser, or null (none, or not fitted before the first train()) */
  normalizer: Normalizer | null;
  /** what continues training exactly; null when not saved (or imported from another runtime) */
  training: TrainingState | null;
  metadata: ModelMetadata;
}
