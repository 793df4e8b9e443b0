// What both exporters need of a model: a fitted normaliser (one that will not change on the first
// train() call), and the hints they store so that importing the file gives back the same model.
import type { Model } from '../model/model.js';
import { normalizerToJSON } from '../model/normalize.js';
import type { Hints } from './imported-model.js';

/** Throws when the model's normaliser is still to be fitted: the export would not predict as the network will. */
export function checkExportable(model: Model, method: string): void {
  const { normalize } = model.config;
  if (normalize !== 'none' && model.normalizer === null) {
    throw new Error(
      `simdnet: ${method}: normalize '${normalize}' is fitted by the first train() call; train the network before exporting it`,
    );
  }
}

/** Loss, bias and the exact normaliser: what the other formats cannot say, read back by the importers. */
export function hintsOf(model: Model): Hints {
  const { loss, bias } = model.config;
  return { loss, bias, ...(model.normalizer ? { normalizer: normalizerToJSON(model.normalizer) } : {}) };
}
