// A quantized model placed on an engine: its QuantizedNetwork (int8 weights packed in engine
// memory) and the float model's input normaliser (in float32 steps), target standardizer and names.
// It reads data as a float network does (PlacedModel), answers predictions, and gives its model back
// for the formats; it has no training state.
import type { Matrix } from './model/data.js';
import type { Normalizer } from './model/normalize.js';
import { quantizedInputs, type QuantizedModel } from './model/quantize.js';
import type { Engine } from './runtime/engine.js';
import { QuantizedNetwork } from './runtime/quantized.js';
import { narrowTiles } from './runtime/quant-tiles.js';
import type { NetworkConfig } from './vocabulary.js';
import { PlacedModel } from './placed-model.js';

export class QuantizedResident extends PlacedModel {
  readonly precision = 'int8';
  net: QuantizedNetwork;

  /** `model` on `engine`, its rows shared among `threads` threads (placement.ts's count in effect). */
  constructor(
    engine: Engine,
    threads: number,
    private readonly model: QuantizedModel,
  ) {
    super();
    this.net = new QuantizedNetwork(engine, model.config, model.layers, threads, narrowTiles(engine));
    this.normalizer = model.normalizer;
    this.targetStandardizer = model.targetStandardizer;
    this.metadata = model.metadata;
  }

  get config(): NetworkConfig {
    return this.model.config;
  }

  protected normalized(n: Normalizer, x: Matrix): Matrix {
    return quantizedInputs(n, x);
  }

  /** The quantized model (its arrays are never changed, so they are shared, not copied). */
  toModel(_training?: boolean): QuantizedModel {
    return this.model;
  }
}
