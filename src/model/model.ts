// The model: all that a network is apart from the engine it runs on. Every format reads and writes
// this one value (JSON, binary, ONNX, TF.js, toFunction), and an NN is built from one and gives one.
import type { PresetName } from '../defaults.js';
import type { NetworkConfig } from '../vocabulary.js';
import type { Weights } from './weights.js';
import type { Normalizer, TargetStandardizer } from './normalize.js';
import type { TrainingState } from './training-state.js';

/**
 * The command line's column schema: how a table's columns become the network's inputs and targets
 * (feature columns, the categories of text columns, fill values for missing cells, the missing-cell
 * policy, the target column and its task). Any JSON object: the CLI defines and checks its fields;
 * the library and every format carry it through unchanged.
 */
export type ColumnSchema = Record<string, unknown>;

/** What a model says about its data besides the network. */
export interface ModelMetadata {
  /** the inputs' names, one per input (in input order) */
  features?: string[];
  /**
   * the class labels in output order (all strings or all numbers): one per output, or two for a
   * single sigmoid output (the labels of 0 and 1)
   */
  classes?: (string | number)[];
  /** the CLI's column schema (read from the `meta` field of files written before it had a name) */
  schema?: ColumnSchema;
}

export interface Model {
  /** the architecture in normal form */
  config: NetworkConfig;
  /** weights (fanIn × fanOut, row-major) and biases per layer */
  params: Weights;
  /** the fitted input normaliser, or null (none, or not fitted before the first train()) */
  normalizer: Normalizer | null;
  /**
   * the regression targets' standardizer: the network learns (t − mean) / scale per output and its
   * outputs y answer y · scale + mean in the user's units; null for classification or raw targets
   */
  targetStandardizer: TargetStandardizer | null;
  /** what continues training exactly; null when not saved (or imported from another runtime) */
  training: TrainingState | null;
  metadata: ModelMetadata;
  /** the NN.create preset whose training defaults the network keeps (JSON and binary files carry it); absent or null: the library's */
  preset?: PresetName | null;
}
