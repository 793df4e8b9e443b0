// simdnet: fully connected neural networks on SIMD WebAssembly, with a pure-TypeScript twin.
export { NN } from './nn.js';
export { engines, toFunction } from './functions.js';
export type { Weights } from './model/weights.js';
export type { TrainReport } from './trainer.js';
export { DEFAULTS, PRESETS } from './defaults.js';
export type { Defaults, NetworkDefaults, TrainDefaults, StopDefaults, PresetName } from './defaults.js';
/** @internal What simdnet/interop builds on (its bundle imports the core's): not part of the public API. */
export { modelOf as __modelOf, fromModel as __fromModel } from './nn.js';
export type { NetworkOptions, LoadOptions, EngineOption, ThreadsOption } from './options.js';
export type { TrainOptions, EpochInfo, EpochRecord, BatchInfo, Schedule, EarlyStopping } from './train-options.js';
export type {
  Activation,
  ActivationName,
  ActivationSpec,
  LossName,
  InitName,
  OptimizerName,
  NetworkConfig,
  NormalizeKind,
  NormalizeOption,
  ResolvedActivation,
  Row,
  NamedRow,
  Rows,
  Label,
  Targets,
  Sample,
  ValidationData,
  ClassifierMetrics,
  RegressionMetrics,
  Evaluation,
} from './vocabulary.js';
export type { ModelJSON } from './format/json.js';
export type { EngineName, BuildName } from './runtime/engine.js';
export { articleData } from './model/data.js';
export { DivergenceError } from './errors.js';
export { accuracy, confusionMatrix } from './model/metrics.js';
export type { NormalizerJSON } from './model/normalize.js';
export { trainInWorker } from './worker.js';
export type { WorkerTrainOptions, WorkerTrainReport } from './worker.js';
