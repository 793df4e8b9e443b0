// What both exporters need of a model: a fitted normaliser (one that will not change on the first
// train() call), so that the file predicts as the network will.
import type { Model } from '../model/model.js';

/** Throws when the model's normaliser is still to be fitted: the export would not predict as the network will. */
export function checkExportable(model: Pick<Model, 'config' | 'normalizer'>, method: string): void {
  const { normalize } = model.config;
  if (normalize !== 'none' && model.normalizer === null) {
    throw new Error(
      `simdnet: ${method}: normalize '${normalize}' is fitted by the first train() call; train the network before exporting it`,
    );
  }
}
