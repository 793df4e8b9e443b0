// What simdnet's exports write beside the graph, and read back: the hints (loss, bias, the preset,
// the exact float64 normaliser and target standardizer), which the formats cannot say and the importers use
// only where the file's float32 tensors agree with them; and the model's names (features, classes,
// the CLI's column schema), which other runtimes read too. Both are read leniently: what is
// malformed, or does not fit the model, is dropped, and the graph alone is authoritative.
import { isPlainObject } from '../check.js';
import { PRESET_NAMES, type PresetName } from '../defaults.js';
import { checkClasses, checkFeatures } from '../model/metadata.js';
import type { ColumnSchema, Model, ModelMetadata } from '../model/model.js';
import { normalizerToJSON, type NormalizerJSON, type TargetStandardizerJSON } from '../model/normalize.js';
import { LOSSES, type LossName } from '../vocabulary.js';

/** What simdnet's exports add to a file so that a round trip gives back the same model. */
export interface Hints {
  loss?: LossName;
  bias?: boolean;
  /** the NN.create preset whose training defaults the network keeps */
  preset?: PresetName;
  normalizer?: NormalizerJSON;
  targetStandardizer?: TargetStandardizerJSON;
}

/** The metadata keys (ONNX metadata_props, TF.js userDefinedMetadata), each holding the field's JSON. */
export const NAME_KEYS = ['features', 'classes', 'schema'] as const;

/** The model's names as found in a file, not yet checked against the model. */
export type FoundNames = Partial<Record<(typeof NAME_KEYS)[number], unknown>>;

/** What the exporters write of a model, float or quantized (which has no preset). */
type Exported = Pick<Model, 'config' | 'normalizer' | 'targetStandardizer' | 'metadata'> & {
  preset?: PresetName | null;
};

/** Loss, bias, the preset, the exact normaliser and target standardizer: what the other formats cannot say. */
export function hintsOf(model: Exported): Hints {
  const { loss, bias } = model.config;
  const t = model.targetStandardizer;
  return {
    loss,
    bias,
    ...(model.preset ? { preset: model.preset } : {}),
    ...(model.normalizer ? { normalizer: normalizerToJSON(model.normalizer) } : {}),
    ...(t ? { targetStandardizer: { mean: Array.from(t.mean), scale: Array.from(t.scale) } } : {}),
  };
}

/** The model's names as plain JSON values, for the exporters. */
export function namesOf(model: Exported): FoundNames {
  const { features, classes, schema } = model.metadata;
  return {
    ...(features ? { features: features.slice() } : {}),
    ...(classes ? { classes: classes.slice() } : {}),
    ...(schema ? { schema } : {}),
  };
}

const numbers = (a: unknown): a is number[] =>
  Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v));

/** A value, or the JSON a string holds; undefined where the string is not JSON. */
function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export function parseHints(raw: unknown): Hints {
  const value = jsonValue(raw);
  if (!isPlainObject(value)) return {};
  const hints: Hints = {};
  if (typeof value.loss === 'string' && (LOSSES as readonly string[]).includes(value.loss))
    hints.loss = value.loss as LossName;
  if (typeof value.bias === 'boolean') hints.bias = value.bias;
  if ((PRESET_NAMES as readonly unknown[]).includes(value.preset)) hints.preset = value.preset as PresetName;
  const n = value.normalizer;
  if (isPlainObject(n) && (n.kind === 'minmax' || n.kind === 'zscore') && numbers(n.offset) && numbers(n.scale)) {
    hints.normalizer = { kind: n.kind, offset: n.offset, scale: n.scale };
  }
  const t = value.targetStandardizer;
  if (isPlainObject(t) && numbers(t.mean) && numbers(t.scale) && t.scale.every((s) => s > 0))
    hints.targetStandardizer = { mean: t.mean, scale: t.scale };
  return hints;
}

/** The names that fit a model of `inputs` inputs and `outputs` outputs (by the rules of simdnet's own files). */
export function parseNames(found: FoundNames, inputs: number, outputs: number): ModelMetadata {
  const metadata: ModelMetadata = {};
  const fits = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch {
      return undefined; // another producer's entry of that name, or one for another model: not ours to refuse
    }
  };
  const features = jsonValue(found.features),
    classes = jsonValue(found.classes),
    schema = jsonValue(found.schema);
  if (features !== undefined) {
    const names = fits(() => checkFeatures(features, inputs, 'features'));
    if (names) metadata.features = names;
  }
  if (classes !== undefined) {
    const labels = fits(() => checkClasses(classes, outputs, 'classes'));
    if (labels) metadata.classes = labels;
  }
  if (isPlainObject(schema)) {
    // a copy that is plain JSON data, whatever the caller's object held
    const copy = fits(() => JSON.parse(JSON.stringify(schema)) as unknown);
    if (isPlainObject(copy)) metadata.schema = copy as ColumnSchema;
  }
  return metadata;
}
